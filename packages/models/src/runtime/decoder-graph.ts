// The runtime's fast decode graph: the decoder of src/arch built with an external KV cache
// (kv_cache.* read in place, kv_new.* out), fused com.microsoft kernels and packed weights,
// grouped attention, last-position logits and an in-graph argmax (plain and after the repetition
// penalty), encoded in memory for onnxruntime. Why: with the exported convention every decode step hands the whole cache back to
// JS (onnxruntime-node copies each output into a fresh buffer); here JS owns the cache and only
// the step's keys/values cross. Weights come from the exported model.onnx or a checkpoint.
import { buildDecoderGraph, decoderOpsets } from '../arch/decoder.js';
import type { KvCacheMode } from '../arch/layers.js';
import { expectedWeights, type DecoderWeightSource } from '../arch/weights.js';
import type { ModelConfig } from '../config.js';
import { encodeModel } from '../onnx/serialize.js';

export { ARGMAX_OUTPUT, EXTERNAL_KV_INPUT, EXTERNAL_KV_OUTPUT } from '../arch/decoder.js';

/** The KV-cache convention of the graph (the name predates src/arch's KvCacheMode). */
export type KvIo = KvCacheMode;

export interface DecoderGraphOptions {
  kvIo: KvCacheMode;
  /** logits only for the last position ([B,1,V]); generation never needs the others. */
  lastTokenLogits: boolean;
  /** Rows of the RoPE cos/sin tables: positions must stay below this. */
  maxPositions: number;
  /** Tied embeddings: let the LM head read the embedding (no transposed copy; slower at batch 1). */
  shareTiedHead?: boolean;
  /** Add penalty_ids/penalty inputs and the next_token_penalized output (then feed them). */
  penalizedArgmax?: boolean;
  /** Add the attention-knockout inputs (arch/knockout.ts; feed them then). */
  knockout?: boolean;
}

/** HF state-dict name -> float32 data ([out, in] for linear weights). */
export type WeightSource = (name: string) => Float32Array;

/** A name -> data function as a weight source, shapes as config.json implies them. */
function functionSource(config: ModelConfig, read: WeightSource): DecoderWeightSource {
  const shapes = expectedWeights(config);
  return {
    dir: 'decode graph weights',
    has: (name) => shapes.has(name),
    info: (name) => ({ shape: shapes.get(name) ?? [] }),
    readFloat32: read,
  };
}

/** Builds the fast decode graph as a serialized ModelProto (weights inside; keep it under 2 GB). */
export function buildLlamaDecoderGraph(
  config: ModelConfig,
  weights: WeightSource | DecoderWeightSource,
  opts: DecoderGraphOptions,
): Uint8Array {
  const source = typeof weights === 'function' ? functionSource(config, weights) : weights;
  const graphOpts = {
    kvCache: opts.kvIo,
    kernels: 'fused',
    attention: 'grouped',
    lastTokenLogits: opts.lastTokenLogits,
    // packed prefill: rows right-padded, each row's logits taken at its last real token
    rightPaddedRows: opts.lastTokenLogits,
    // one argmax node: with the penalised one, plain greedy runs it at penalty 1 (x * 1 and x / 1
    // are x: the same ids), since onnxruntime runs every node, fetched or not
    argmax: !opts.penalizedArgmax,
    penalizedArgmax: opts.penalizedArgmax ?? false,
    maxPositions: opts.maxPositions,
    shareTiedHead: opts.shareTiedHead ?? false,
    knockout: opts.knockout ?? false,
  } as const;
  const graph = buildDecoderGraph(source, config, graphOpts);
  return encodeModel(graph, {
    irVersion: 10,
    opsetImports: decoderOpsets(graphOpts, 21),
    producerName: '@exp/models runtime',
    producerVersion: '',
  });
}
