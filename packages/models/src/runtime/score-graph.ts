// The scoring graph: the exported model.onnx with its LM head moved behind a gather of the scored
// positions and followed by ReduceLogSumExp and GatherElements, so teacher-forced scoring never
// ships the [B, S, V] logits to JS (hundreds of MB at the real vocabulary) and runs the LM head
// only on the positions asked for. Everything before the LM head is the exported graph as is
// (same nodes, same weights, knockout and attention inputs included), so the logits it reduces
// are model.onnx's. Inputs added:
//   score_positions int64 [B, N]    the positions t whose next-token distribution is scored
//   score_ids       int64 [B, N, K] the token ids wanted at each of them
// Outputs added (the `logits` output is removed, with the LM head nodes that made it):
//   score_logprobs  float32 [B, N, K] logits[b, t, id] - logsumexp(logits[b, t, :])
//   score_logsumexp float32 [B, N]    logsumexp(logits[b, t, :]) (ReduceLogSumExp)
// Edited as a protobuf (onnx-proto) rather than rebuilt from the weights: the export options of
// a folder (plain kernels, fp16, attentions, knockout) then need no bookkeeping here.
import { ExpError } from '@exp/data';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const SCORE_POSITIONS_INPUT = 'score_positions';
export const SCORE_IDS_INPUT = 'score_ids';
export const SCORE_LOGPROBS_OUTPUT = 'score_logprobs';
export const SCORE_LOGSUMEXP_OUTPUT = 'score_logsumexp';

export class ScoreGraphError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'ScoreGraphError';
  }
}

type NodeProto = onnxProto.onnx.INodeProto;
const { AttributeType } = onnx.AttributeProto;
const { DataType } = onnx.TensorProto;

const ints = (name: string, values: number[]) => ({ name, type: AttributeType.INTS, ints: values });
const int = (name: string, i: number) => ({ name, type: AttributeType.INT, i });

function valueInfo(name: string, elemType: number, dims: string[]) {
  return {
    name,
    type: {
      tensorType: { elemType, shape: { dim: dims.map((dimParam) => ({ dimParam })) } },
    },
  };
}

/**
 * model.onnx (a file exp exported, weights inline) as the scoring graph, serialized. Throws one
 * line when the file has external data or its logits do not come from a MatMul LM head.
 */
export function buildScoreGraph(modelPath: string): Uint8Array {
  const model = onnx.ModelProto.decode(readFileSync(modelPath));
  const graph = model.graph;
  if (!graph) throw new ScoreGraphError(`${modelPath}: no graph`);
  const external = (graph.initializer ?? []).some(
    (t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL,
  );
  if (external) {
    throw new ScoreGraphError(
      `${modelPath}: weights in external data; scoring needs them inline (models under 2 GB)`,
    );
  }
  const nodes = graph.node ?? [];
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const out of n.output ?? []) producer.set(out, n);
  const consumers = (name: string) => nodes.filter((n) => (n.input ?? []).includes(name));

  // Walk back from `logits` through Identity/Cast to the LM head's MatMul (plain kernels).
  const chain: NodeProto[] = [];
  let node = producer.get('logits');
  while (node && (node.opType === 'Identity' || node.opType === 'Cast')) {
    chain.push(node);
    node = producer.get(node.input![0]!);
  }
  if (!node || node.opType !== 'MatMul') {
    throw new ScoreGraphError(
      `${modelPath}: logits do not come from a MatMul LM head (got ${node?.opType ?? 'nothing'})`,
    );
  }
  const head = node;
  for (const n of [head, ...chain.slice(1).reverse()]) {
    const others = consumers(n.output![0]!).filter((c) => !chain.includes(c));
    if (others.length > 0) {
      throw new ScoreGraphError(
        `${modelPath}: the LM head's output is used by ${others[0]!.opType}`,
      );
    }
  }
  const hidden = head.input![0]!; // [B, S, E], after the final norm
  const castTo = chain.find((n) => n.opType === 'Cast');

  const added: NodeProto[] = [];
  const op = (opType: string, input: string[], output: string, attribute: object[] = []) => {
    added.push({ opType, input, output: [output], name: `score/${output}`, attribute });
    return output;
  };
  const pre = 'score/';
  const axis2 = op('Constant', [], `${pre}axis2`, [ints('value_ints', [2])]);
  const last = op('Constant', [], `${pre}last`, [ints('value_ints', [-1])]);
  const pos = op('Unsqueeze', [SCORE_POSITIONS_INPUT, axis2], `${pre}positions`); // [B, N, 1]
  const width = op('Shape', [hidden], `${pre}width`, [int('start', 2)]); // [E]
  const posShape = op('Shape', [SCORE_POSITIONS_INPUT], `${pre}positions_shape`);
  const shape = op('Concat', [posShape, width], `${pre}gather_shape`, [int('axis', 0)]);
  const index = op('Expand', [pos, shape], `${pre}gather_index`); // [B, N, E]
  const rows = op('GatherElements', [hidden, index], `${pre}hidden`, [int('axis', 1)]);
  let logits = op('MatMul', [rows, head.input![1]!], `${pre}logits_head`);
  if (castTo) logits = op('Cast', [logits], `${pre}logits`, castTo.attribute ?? []);
  const lse = op('ReduceLogSumExp', [logits, last], SCORE_LOGSUMEXP_OUTPUT, [int('keepdims', 0)]);
  const lseCol = op('Unsqueeze', [lse, last], `${pre}logsumexp_col`); // [B, N, 1]
  const picked = op('GatherElements', [logits, SCORE_IDS_INPUT], `${pre}picked`, [int('axis', 2)]);
  op('Sub', [picked, lseCol], SCORE_LOGPROBS_OUTPUT);

  const removed = new Set([head, ...chain]);
  graph.node = [...nodes.filter((n) => !removed.has(n)), ...added];
  graph.output = (graph.output ?? []).filter((o) => o.name !== 'logits');
  graph.output.unshift(
    valueInfo(SCORE_LOGPROBS_OUTPUT, DataType.FLOAT, ['batch_size', 'score_n', 'score_k']),
    valueInfo(SCORE_LOGSUMEXP_OUTPUT, DataType.FLOAT, ['batch_size', 'score_n']),
  );
  graph.input = [
    ...(graph.input ?? []),
    valueInfo(SCORE_POSITIONS_INPUT, DataType.INT64, ['batch_size', 'score_n']),
    valueInfo(SCORE_IDS_INPUT, DataType.INT64, ['batch_size', 'score_n', 'score_k']),
  ];
  // the head's value_info (if any) would declare [B, S, V] for a value that is gone
  graph.valueInfo = (graph.valueInfo ?? []).filter(
    (v) => ![...removed].some((n) => (n.output ?? []).includes(v.name ?? '')),
  );
  return onnx.ModelProto.encode(model).finish();
}
