// Building blocks shared by the Llama-family decoders, written once over plain tensors: the
// blocks that have a plain and a fused form (norms, projections, RoPE, LM head) are called
// through ctx.kernels, the kernel set the `kernels` option selects (kernels.ts), so a layer
// reads the same for the exported graph and the runtime's fused decode graph.
import type { ModelConfig } from '../config.js';
import { DataType } from '../onnx/dtype.js';
import type { GraphBuilder, Value } from '../onnx/graph.js';
import type { FloatType, Ops } from '../onnx/ops.js';
import type { KernelSet } from './kernels.js';
import type { DecoderWeightSource } from './weights.js';

/**
 * 'present': the optimum convention, past_key_values.* in and the whole cache out as present.*.
 * 'external': the cache is an input the graph only reads (kv_cache.*, [B, KV, slots, d], unused
 * slots masked by attention_mask) and only the step's keys/values come out (kv_new.*).
 */
export type KvCacheMode = 'present' | 'external';

/** Rotary embedding inputs: cos/sin computed in the graph, or tables read by RotaryEmbedding. */
export type Rotary =
  | { kind: 'computed'; cos: Value; sin: Value }
  | { kind: 'tables'; cosCache: Value; sinCache: Value; positionIds: Value };

/** What every layer builder needs: the graph, config, weights and the per-call shared tensors. */
export interface DecoderContext {
  readonly g: GraphBuilder;
  readonly o: Ops;
  readonly config: ModelConfig;
  /** Weight and activation type: FLOAT, or FLOAT16 for the fp16 export. */
  readonly dtype: FloatType;
  /** An initializer for a checkpoint tensor (created once). `float32` keeps it float32 in fp16 exports. */
  weight(name: string, opts?: { float32?: boolean }): Value;
  /** Where weights come from (packed weights read it directly). */
  readonly source: DecoderWeightSource;
  /** The kernel set the blocks that differ between plain and fused are built with. */
  readonly kernels: KernelSet;
  readonly kvCache: KvCacheMode;
  /** A float32 initializer derived from checkpoint tensors (e.g. a packed weight), made once. */
  packed(name: string, dims: readonly number[], load: () => Float32Array): Value;
  /** A value built once per graph and shared by the layers (e.g. a reshaped mask). */
  memo<T>(key: string, build: () => T): T;
  readonly rotary: Rotary;
  /** Additive attention mask [B, 1, S, past+S], float32: 0 allowed, finfo(float32).min not. */
  readonly mask: Value;
}

/** torch.finfo(torch.float32).min, the value HF's eager mask uses (not -inf: see golden README). */
export const FLOAT32_MIN = -3.4028234663852886e38;

/** Casts to `to` unless already that type (the caller knows the type of `x`). */
export function castIf(ctx: DecoderContext, x: Value, from: DataType, to: DataType): Value {
  return from === to ? x : ctx.o.cast(x, to);
}

/** LlamaMLP: down(silu(gate(x)) * up(x)). */
export function mlp(ctx: DecoderContext, x: Value, prefix: string): Value {
  const { o, kernels } = ctx;
  const [gate, up] = kernels.gateUpProjection(ctx, x, prefix);
  const silu = o.mul(gate, o.sigmoid(gate));
  return kernels.linear(ctx, o.mul(silu, up), `${prefix}.down_proj.weight`);
}

/**
 * The additive causal + padding mask [B, 1, S, T] (T = past + S), float32. Key j is visible to
 * query i (cache position past + i) when j <= past + i and attention_mask[b, j] == 1; everything
 * else gets finfo(float32).min, so a query row with no visible key softmaxes to uniform as in HF.
 */
export function additiveMask(o: Ops, inputIds: Value, attentionMask: Value): Value {
  const total = o.squeeze(o.shape(attentionMask, 1, 2)); // scalar T
  const seq = o.squeeze(o.shape(inputIds, 1, 2)); // scalar S
  const past = o.sub(total, seq);
  const zero = o.i64([0], true);
  const one = o.i64([1], true);
  const keyPos = o.unsqueeze(o.range(zero, total, one), [0]); // [1, T]
  const queryPos = o.unsqueeze(o.range(past, total, one), [1]); // [S, 1]
  const causal = o.lessOrEqual(keyPos, queryPos); // [S, T]
  const keep = o.cast(o.unsqueeze(attentionMask, [1, 2]), DataType.BOOL); // [B, 1, 1, T]
  const allowed = o.and(causal, keep); // [B, 1, S, T]
  return o.where(allowed, o.float([0]), o.float([FLOAT32_MIN]));
}

/**
 * Scores [B, H, S, T] in `ctx.dtype` -> softmax(scores + mask) computed in float32, as HF's eager
 * softmax(dtype=float32). Returns the float32 probabilities and the ones in `ctx.dtype`.
 */
export function maskedSoftmax(ctx: DecoderContext, scores: Value): { p32: Value; p: Value } {
  const { o } = ctx;
  const s32 = castIf(ctx, scores, ctx.dtype, DataType.FLOAT);
  const p32 = o.softmax(o.add(s32, ctx.mask), -1);
  return { p32, p: castIf(ctx, p32, DataType.FLOAT, ctx.dtype) };
}

/** repeat_kv: [B, KV, T, d] -> [B, KV*nRep, T, d], kv head k serving query heads k*nRep.. */
export function repeatKv(ctx: DecoderContext, x: Value): Value {
  const { numHeads, numKvHeads, headDim } = ctx.config;
  const nRep = numHeads / numKvHeads;
  if (nRep === 1) return x;
  const { o } = ctx;
  const expanded = o.expand(o.unsqueeze(x, [2]), [1, 1, nRep, 1, 1]); // [B, KV, nRep, T, d]
  return o.reshape(expanded, [0, numHeads, -1, headDim]);
}

/** [B, S, heads*d] -> [B, heads, S, d]. */
export function splitHeads(ctx: DecoderContext, x: Value, heads: number, width: number): Value {
  return ctx.o.transpose(ctx.o.reshape(x, [0, 0, heads, width]), [0, 2, 1, 3]);
}

/** [B, heads, S, w] -> [B, S, heads*w]. */
export function mergeHeads(ctx: DecoderContext, x: Value, heads: number, width: number): Value {
  return ctx.o.reshape(ctx.o.transpose(x, [0, 2, 1, 3]), [0, 0, heads * width]);
}

/**
 * Query/key/value projections of this call's tokens, RoPE applied to q and k: q [B, H, S, d],
 * k and v [B, KV, S, d]. `qScale` multiplies q (folded into W_q when fused; RoPE is linear).
 */
export function projectQkv(
  ctx: DecoderContext,
  x: Value,
  prefix: string,
  qScale?: number,
): { q: Value; k: Value; v: Value } {
  const { numHeads, numKvHeads, headDim } = ctx.config;
  const [q, k, v] = ctx.kernels.qkvProjection(ctx, x, prefix, qScale);
  return {
    q: ctx.kernels.applyRope(ctx, splitHeads(ctx, q, numHeads, headDim), numHeads),
    k: ctx.kernels.applyRope(ctx, splitHeads(ctx, k, numKvHeads, headDim), numKvHeads),
    v: splitHeads(ctx, v, numKvHeads, headDim),
  };
}

/**
 * The keys/values attention reads, as parts along the key axis, and what the layer outputs:
 * 'present' concatenates the cache and the new ones (and outputs that); 'external' keeps the
 * cache input and the new ones apart (the cache is only read) and outputs the new ones.
 */
export function kvParts(
  ctx: DecoderContext,
  cache: { key: Value; value: Value },
  fresh: { key: Value; value: Value },
): { keys: Value[]; values: Value[]; out: { key: Value; value: Value } } {
  if (ctx.kvCache === 'external') {
    return { keys: [cache.key, fresh.key], values: [cache.value, fresh.value], out: fresh };
  }
  const key = ctx.o.concat([cache.key, fresh.key], 2);
  const value = ctx.o.concat([cache.value, fresh.value], 2);
  return { keys: [key], values: [value], out: { key, value } };
}

/** Joins key-axis parts (external cache + new) into one tensor, for attentions that need it. */
export function joinParts(ctx: DecoderContext, parts: Value[]): Value {
  return parts.length === 1 ? parts[0]! : ctx.o.concat(parts, 2);
}
