// The decoder graph with KV cache for Llama and DiffLlama, in the optimum / transformers.js naming:
//   inputs  input_ids [B,S] int64, attention_mask [B,past+S] int64, position_ids [B,S] int64,
//           past_key_values.{i}.key|value [B,KV,past,d]
//   outputs logits [B,S,V] float32, present.{i}.key|value [B,KV,past+S,d],
//           and with `attentions`: attentions.{i} [B,H,S,past+S] float32 (+ lambda_full.{i} for DiffLlama)
// One layer loop for every variant: the attention implementation (ATTENTION_IMPLS) and the kernel
// set (DECODER_KERNELS: plain ONNX ops, or com.microsoft kernels with packed weights) are looked
// up once from the options, so the loop and the attention code never branch on them.
import type { ModelConfig } from '../config.js';
import { DataType } from '../onnx/dtype.js';
import { GraphBuilder, GraphError, type Value } from '../onnx/graph.js';
import { Ops, type FloatType } from '../onnx/ops.js';
import { f32ToF16 } from '../safetensors/half.js';
import { ATTENTION_IMPLS, type AttentionImplementation } from './attention.js';
import { DECODER_KERNELS, type DecoderKernels } from './kernels.js';
import { knockoutLayerContext, knockoutMask } from './knockout.js';
import { additiveMask, mlp, type DecoderContext, type KvCacheMode } from './layers.js';
import { ropeInvFreq, ropeInvFreqExact } from './rope.js';
import { VALUE_NORMS_OUTPUT, valueNormHeads, valueNorms } from './value-norms.js';
import { checkWeights, type DecoderWeightSource } from './weights.js';

export type ExportDtype = 'fp32' | 'fp16';

export interface DecoderExportOptions {
  /** Weights and compute type (default 'fp32'); logits and attentions stay float32. */
  dtype?: ExportDtype;
  /** Add attentions.{i} (and DiffLlama lambda_full.{i}) outputs. */
  attentions?: boolean;
  /**
   * Add value_norms.{i} outputs, float32 [B, H', past+S]: per head ‖W_O^h v_j‖ for every key
   * (value-norms.ts; H' = H for Llama, H/2 differential pairs for DiffLlama). kvCache 'present'.
   */
  valueNorms?: boolean;
  /** Attention implementation (default 'eager'). */
  attention?: AttentionImplementation;
  /** KV-cache I/O (default 'present', the optimum convention; see KvCacheMode). */
  kvCache?: KvCacheMode;
  /** 'plain' (default) or 'fused' com.microsoft kernels and packed weights (fp32 only). */
  kernels?: DecoderKernels;
  /** logits (and next_token) of the last position only, [B, 1, V]. */
  lastTokenLogits?: boolean;
  /**
   * With lastTokenLogits: rows may be right-padded (packed prefill). Row b's last position is
   * then its last 1 in attention_mask among this call's S columns, not column S - 1.
   */
  rightPaddedRows?: boolean;
  /** Add the int64 output next_token [B, S or 1]: argmax of the logits (first index on ties). */
  argmax?: boolean;
  /**
   * Add inputs penalty_ids int64 [B, M] and penalty float32 [1] and the int64 output
   * next_token_penalized [B, 1]: the argmax of the last position's logits after HF's repetition
   * penalty on each row's ids (float32, as torch; duplicate ids in a row are harmless).
   */
  penalizedArgmax?: boolean;
  /** Fused kernels: rows of the RoPE tables (positions must stay below this). */
  maxPositions?: number;
  /**
   * Fused kernels with tied embeddings: the LM head reads the embedding as stored (Gemm transB)
   * instead of a transposed copy (keeps large models under the 2 GB protobuf limit; slower at
   * batch 1, where MatMul against [E, V] takes MLAS's GEMV kernel).
   */
  shareTiedHead?: boolean;
  /**
   * Add the attention-knockout inputs knockout_keys int64 [B, past+S] and knockout_from_layer
   * int64 [1] (arch/knockout.ts). All zeros: the plain model's outputs, bitwise.
   */
  knockout?: boolean;
}

/** Symbolic dimension names, as optimum writes them. */
export const DECODER_DIMS = {
  batch: 'batch_size',
  sequence: 'sequence_length',
  past: 'past_sequence_length',
  total: 'total_sequence_length',
  slots: 'cache_slots',
} as const;

/** kvCache 'external' input: the cache of a layer, [B, KV, slots, d], read in place. */
export const EXTERNAL_KV_INPUT = (layer: number, kind: 'key' | 'value'): string =>
  `kv_cache.${layer}.${kind}`;
/** kvCache 'external' output: the call's keys (after RoPE) or values, [B, KV, S, d]. */
export const EXTERNAL_KV_OUTPUT = (layer: number, kind: 'key' | 'value'): string =>
  `kv_new.${layer}.${kind}`;
/** int64 [B, S or 1]: argmax of the logits over the vocabulary (option `argmax`). */
export const ARGMAX_OUTPUT = 'next_token';
/** int64 [B, 1]: argmax after the repetition penalty (option `penalizedArgmax`). */
export const PENALIZED_ARGMAX_OUTPUT = 'next_token_penalized';
/** Inputs of `penalizedArgmax`: int64 [B, M] ids to penalise per row, float32 [1] penalty. */
export const PENALTY_IDS_INPUT = 'penalty_ids';
export const PENALTY_INPUT = 'penalty';

/** Names of the graph inputs and outputs for a config (the contract with the runtime). */
export function decoderIoNames(config: ModelConfig, attentions: boolean, valueNorms = false) {
  const layers = Array.from({ length: config.numLayers }, (_, i) => i);
  const inputs = ['input_ids', 'attention_mask', 'position_ids'];
  const outputs = ['logits'];
  for (const i of layers) {
    inputs.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    outputs.push(`present.${i}.key`, `present.${i}.value`);
  }
  if (attentions) {
    for (const i of layers) outputs.push(`attentions.${i}`);
    if (config.modelType === 'diffllama') for (const i of layers) outputs.push(`lambda_full.${i}`);
  }
  if (valueNorms) for (const i of layers) outputs.push(VALUE_NORMS_OUTPUT(i));
  return { inputs, outputs };
}

function floatBytes(values: Float32Array, dtype: FloatType): Uint8Array {
  const arr = dtype === DataType.FLOAT ? values : f32ToF16(values);
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

/** The ONNX opsets a decoder graph built with these options needs. */
export function decoderOpsets(opts: DecoderExportOptions, opset: number) {
  return [{ domain: '', version: opset }, ...DECODER_KERNELS[opts.kernels ?? 'plain'].opsets];
}

/**
 * Argmax over the last axis, first index on ties (as torch), as TopK k=1: onnxruntime's ArgMax
 * is a plain loop, its TopK scans rows in parallel (2-3x faster on [16, 128256] logits). ONNX
 * TopK breaks ties by the lower index, so the ids are ArgMax's.
 */
function firstMaxIndex(o: Ops, g: GraphBuilder, x: Value, keepdims: boolean): Value {
  const [, indices] = g.node(
    'TopK',
    [x, o.i64([1])],
    { axis: -1, largest: 1, sorted: 1 },
    { outputs: 2 },
  );
  return keepdims ? indices! : o.squeeze(indices!, [-1]);
}

/**
 * Index [B, 1, E] of each row's last real position among this call's S tokens (rows padded on
 * the right: the count of 1s in the last S columns of attention_mask, minus one), for
 * GatherElements on axis 1 of a [B, S, E] value.
 */
function lastRealPosition(o: Ops, g: GraphBuilder, inputIds: Value, mask: Value, x: Value): Value {
  const s = o.shape(inputIds, 1, 2);
  const own = g.node('Slice', [mask, o.neg(s), o.i64([2 ** 62]), o.i64([1])])[0]!;
  const last = o.sub(o.reduceSum(own, [1]), o.i64([1])); // [B, 1]
  const shape = o.concat([o.shape(x, 0, 1), o.i64([1]), o.shape(x, 2, 3)], 0);
  return g.node('Expand', [o.unsqueeze(last, [2]), shape])[0]!;
}

/**
 * Builds the decoder graph. Weights become lazy initializers named by their state-dict names
 * (packed ones by the name of what they pack, e.g. '<layer>.self_attn.qkv_proj.weight.T'), read
 * from `source` only when the model is written.
 */
export function buildDecoderGraph(
  source: DecoderWeightSource,
  config: ModelConfig,
  opts: DecoderExportOptions = {},
): GraphBuilder {
  checkWeights(source, config);
  const dtype: FloatType = opts.dtype === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
  const kernels = DECODER_KERNELS[opts.kernels ?? 'plain'];
  const kvCache = opts.kvCache ?? 'present';
  kernels.check({ dtype, maxPositions: opts.maxPositions });
  const attentionFn = ATTENTION_IMPLS[opts.attention ?? 'eager'][config.modelType];
  const g = new GraphBuilder(`${config.modelType}_decoder`);
  const o = new Ops(g);
  const { batch: B, sequence: S, past: P, total: T, slots: C } = DECODER_DIMS;
  const { numKvHeads: kv, headDim: d, numHeads: h } = config;

  // for type inference only (emits nothing): the mask covers the cache and this call's tokens
  g.defineDim(T, `${kvCache === 'external' ? C : P} + ${S}`);
  const inputIds = g.input('input_ids', DataType.INT64, [B, S]);
  const attentionMask = g.input('attention_mask', DataType.INT64, [B, T]);
  const positionIds = g.input('position_ids', DataType.INT64, [B, S]);
  const cacheIn: { key: Value; value: Value }[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const name = (kind: 'key' | 'value') =>
      kvCache === 'external' ? EXTERNAL_KV_INPUT(i, kind) : `past_key_values.${i}.${kind}`;
    const dims = [B, kv, kvCache === 'external' ? C : P, d];
    cacheIn.push({
      key: g.input(name('key'), dtype, dims),
      value: g.input(name('value'), dtype, dims),
    });
  }

  const weights = new Map<string, Value>();
  const weight = (name: string, wopts: { float32?: boolean } = {}): Value => {
    const hit = weights.get(name);
    if (hit) return hit;
    const wtype: FloatType = wopts.float32 ? DataType.FLOAT : dtype;
    const v = g.lazyInitializer(name, wtype, source.info(name).shape, () =>
      floatBytes(source.readFloat32(name), wtype),
    );
    weights.set(name, v);
    return v;
  };
  const packed = (name: string, dims: readonly number[], load: () => Float32Array): Value => {
    const hit = weights.get(name);
    if (hit) return hit;
    const v = g.lazyInitializer(name, DataType.FLOAT, dims, () =>
      floatBytes(load(), DataType.FLOAT),
    );
    weights.set(name, v);
    return v;
  };
  const memos = new Map<string, unknown>();
  const memo = <V>(key: string, build: () => V): V => {
    if (!memos.has(key)) memos.set(key, build());
    return memos.get(key) as V;
  };

  const shared = g.scope('model/rotary_emb', () => {
    const rotary = kernels.rotary({
      g,
      o,
      dtype,
      positionIds,
      invFreq: ropeInvFreq(config),
      invFreqExact: ropeInvFreqExact(config),
      maxPositions: opts.maxPositions,
    });
    return { rotary, mask: g.scope('mask', () => additiveMask(o, inputIds, attentionMask)) };
  });
  const ctx: DecoderContext = {
    g,
    o,
    config,
    dtype,
    weight,
    source,
    kernels,
    kvCache,
    packed,
    memo,
    ...shared,
  };
  const eps = config.rmsNormEps;
  const knock = opts.knockout
    ? g.scope('model/knockout', () =>
        knockoutMask(g, o, inputIds, shared.mask, { batch: B, total: T }),
      )
    : null;

  let hidden = g.scope('model/embed_tokens', () =>
    o.gather(weight('model.embed_tokens.weight'), inputIds),
  );
  // The MLP output of the previous layer, added to `hidden` together with the next norm (one
  // SkipSimplifiedLayerNormalization when fused).
  let pending: Value | null = null;
  const cacheOut: { key: Value; value: Value }[] = [];
  const probs: Value[] = [];
  const lambdas: Value[] = [];
  const norms: Value[] = [];
  if (opts.valueNorms && kvCache !== 'present') {
    throw new GraphError(`valueNorms needs kvCache 'present' (the layer's values of every key)`);
  }
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    g.scope(`model/layers.${i}`, () => {
      const inputNorm = `${p}.input_layernorm.weight`;
      let normed: Value;
      if (pending)
        ({ sum: hidden, normed } = kernels.residualRmsNorm(ctx, hidden, pending, inputNorm, eps));
      else normed = kernels.rmsNorm(ctx, hidden, inputNorm, eps, dtype);
      const layerCtx = knock ? g.scope('knockout', () => knockoutLayerContext(ctx, knock, i)) : ctx;
      const attn = g.scope('self_attn', () =>
        attentionFn(layerCtx, { x: normed, layer: i, cache: cacheIn[i]! }),
      );
      cacheOut.push(attn.cacheOut);
      if (attn.probs) probs.push(attn.probs);
      if (attn.lambdaFull) lambdas.push(attn.lambdaFull);
      if (opts.valueNorms)
        norms.push(g.scope('value_norms', () => valueNorms(ctx, i, attn.cacheOut.value)));
      const post = kernels.residualRmsNorm(
        ctx,
        hidden,
        attn.output,
        `${p}.post_attention_layernorm.weight`,
        eps,
      );
      hidden = post.sum;
      pending = g.scope('mlp', () => mlp(ctx, post.normed, `${p}.mlp`));
    });
  }
  const lastS = opts.lastTokenLogits ? 1 : S;
  const logits = g.scope('lm_head', () => {
    let residual = hidden;
    let delta = pending!;
    if (opts.lastTokenLogits) {
      // generation needs the last position only: the final norm and LM head skip the rest
      if (opts.rightPaddedRows) {
        const last = lastRealPosition(o, g, inputIds, attentionMask, residual);
        residual = g.node('GatherElements', [residual, last], { axis: 1 })[0]!;
        delta = g.node('GatherElements', [delta, last], { axis: 1 })[0]!;
      } else {
        residual = o.slice(residual, [-1], [2 ** 62], [1]);
        delta = o.slice(delta, [-1], [2 ** 62], [1]);
      }
    }
    const final = kernels.residualRmsNorm(ctx, residual, delta, 'model.norm.weight', eps).normed;
    const out = kernels.lmHead(ctx, final, opts.shareTiedHead ?? false);
    return dtype === DataType.FLOAT ? out : o.cast(out, DataType.FLOAT);
  });
  // Output order as optimum writes it: logits, presents, then the optional extras.
  g.output(logits, 'logits', DataType.FLOAT, [B, lastS, config.vocabSize]);
  cacheOut.forEach(({ key, value }, i) => {
    if (kvCache === 'external') {
      g.output(key, EXTERNAL_KV_OUTPUT(i, 'key'), dtype, [B, kv, S, d]);
      g.output(value, EXTERNAL_KV_OUTPUT(i, 'value'), dtype, [B, kv, S, d]);
    } else {
      g.output(key, `present.${i}.key`, dtype, [B, kv, T, d]);
      g.output(value, `present.${i}.value`, dtype, [B, kv, T, d]);
    }
  });
  if (opts.argmax) {
    // greedy decoding fetches ids, not [B, V] logits per step (first index on ties, as torch)
    g.output(firstMaxIndex(o, g, logits, false), ARGMAX_OUTPUT, DataType.INT64, [B, lastS]);
  }
  if (opts.penalizedArgmax) {
    // HF RepetitionPenaltyLogitsProcessor on the last position, then argmax (first index on ties)
    const ids = g.input(PENALTY_IDS_INPUT, DataType.INT64, [B, 'penalty_ids']);
    const penalty = g.input(PENALTY_INPUT, DataType.FLOAT, [1]);
    const last = opts.lastTokenLogits ? logits : o.slice(logits, [-1], [2 ** 62], [1]);
    const rows = o.squeeze(last, [1]); // [B, V]
    const seen = g.node('GatherElements', [rows, ids], { axis: 1 })[0]!;
    const penalised = o.where(
      g.node('Less', [seen, o.float([0])])[0]!,
      o.mul(seen, penalty),
      o.div(seen, penalty),
    );
    const scores = g.node('ScatterElements', [rows, ids, penalised], { axis: 1 })[0]!;
    g.output(firstMaxIndex(o, g, scores, true), PENALIZED_ARGMAX_OUTPUT, DataType.INT64, [B, 1]);
  }

  if (opts.attentions) {
    if (probs.length !== config.numLayers) {
      throw new GraphError(
        `attention implementation '${opts.attention}' cannot output attention maps`,
      );
    }
    probs.forEach((p, i) => g.output(p, `attentions.${i}`, DataType.FLOAT, [B, h, S, T]));
    lambdas.forEach((l, i) => g.output(l, `lambda_full.${i}`, DataType.FLOAT, []));
  }
  const normHeads = valueNormHeads(config.modelType, h);
  norms.forEach((n, i) => g.output(n, VALUE_NORMS_OUTPUT(i), DataType.FLOAT, [B, normHeads, T]));
  return g;
}
