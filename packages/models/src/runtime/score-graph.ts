// The scoring graph: the exported model.onnx with its LM head moved behind a gather of the scored
// positions and followed by a log-sum-exp and GatherElements, so teacher-forced scoring never
// ships the [B, S, V] logits to JS (hundreds of MB at the real vocabulary) and runs the LM head
// only on the positions asked for. Everything before the LM head is the exported graph as is
// (same nodes, same weights, knockout and attention inputs included), so the logits it reduces
// are model.onnx's. Inputs added:
//   score_positions int64 [B, N]    the positions t whose next-token distribution is scored
//   score_ids       int64 [B, N, K] the token ids wanted at each of them
// Outputs added (the `logits` output is removed, with the LM head nodes that made it):
//   score_logprobs  float32 [B, N, K] logits[b, t, id] - logsumexp(logits[b, t, :])
//   score_logsumexp float32 [B, N]    logsumexp(logits[b, t, :]), max-shifted
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

/** Terms summed in float32 before the float64 sum of the chunks (see the log-sum-exp below). */
const SUM_CHUNK = 512;
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
 * model.onnx (a file exp exported, weights inline; `vocabSize` logits per position) as the
 * scoring graph, serialized. Throws one
 * line when the file has external data or its logits do not come from a MatMul LM head.
 */
export function buildScoreGraph(modelPath: string, vocabSize: number): Uint8Array {
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
  // The max-shifted log-sum-exp spelled out: onnxruntime's float32 ReduceLogSumExp was 1.5e-5
  // off the float64 value at the real vocabulary (128,256 terms; measured). Here
  // the exps are summed in float32 chunks of SUM_CHUNK (zero-padded to whole chunks), the
  // chunk sums in float64, so the result is float64's up to the float32 exps and output.
  const max = op('ReduceMax', [logits, last], `${pre}max`); // [B, N, 1]
  const exps = op('Exp', [op('Sub', [logits, max], `${pre}shifted`)], `${pre}exp`);
  const chunks = Math.ceil(vocabSize / SUM_CHUNK);
  const padTo = op('Constant', [], `${pre}pad`, [
    ints('value_ints', [0, 0, 0, 0, 0, chunks * SUM_CHUNK - vocabSize]),
  ]);
  const padded = op('Pad', [exps, padTo], `${pre}exp_padded`); // constant 0
  const blocks = op('Constant', [], `${pre}blocks`, [
    ints('value_ints', [0, 0, chunks, SUM_CHUNK]),
  ]);
  const partial = op(
    'ReduceSum',
    [op('Reshape', [padded, blocks], `${pre}exp_blocks`), last],
    `${pre}partial`,
    [int('keepdims', 0)],
  ); // [B, N, chunks]
  const wide = op('Cast', [partial], `${pre}partial_f64`, [int('to', DataType.DOUBLE)]);
  const total = op('ReduceSum', [wide, last], `${pre}sum`); // [B, N, 1] float64
  const logTotal = op('Cast', [op('Log', [total], `${pre}log`)], `${pre}log_f32`, [
    int('to', DataType.FLOAT),
  ]);
  const lseCol = op('Add', [max, logTotal], `${pre}logsumexp_col`); // [B, N, 1]
  op('Squeeze', [lseCol, last], SCORE_LOGSUMEXP_OUTPUT); // [B, N]
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
