// Building blocks shared by the Llama-family decoders, each a few plain ONNX ops that reproduce
// the transformers eager code (modeling_llama.py) op for op.
import type { ModelConfig } from '../config.js';
import { DataType } from '../onnx/dtype.js';
import type { GraphBuilder, Value } from '../onnx/graph.js';
import type { FloatType, Ops } from '../onnx/ops.js';

/** What every layer builder needs: the graph, config, weights and the per-call shared tensors. */
export interface DecoderContext {
  readonly g: GraphBuilder;
  readonly o: Ops;
  readonly config: ModelConfig;
  /** Weight and activation type: FLOAT, or FLOAT16 for the fp16 export. */
  readonly dtype: FloatType;
  /** An initializer for a checkpoint tensor (created once). `float32` keeps it float32 in fp16 exports. */
  weight(name: string, opts?: { float32?: boolean }): Value;
  /** Rotary cos/sin [B, 1, S, head_dim] in `dtype`. */
  readonly cos: Value;
  readonly sin: Value;
  /** Additive attention mask [B, 1, S, past+S], float32: 0 allowed, finfo(float32).min not. */
  readonly mask: Value;
}

/** torch.finfo(torch.float32).min, the value HF's eager mask uses (not -inf: see golden README). */
export const FLOAT32_MIN = -3.4028234663852886e38;

/** Casts to `to` unless already that type (the caller knows the type of `x`). */
export function castIf(ctx: DecoderContext, x: Value, from: DataType, to: DataType): Value {
  return from === to ? x : ctx.o.cast(x, to);
}

/**
 * RMSNorm over the last axis: x / sqrt(mean(x^2) + eps), times `weight` when given. Like HF, the
 * statistics are computed in float32 and the result cast back before the weight multiply.
 */
export function rmsNorm(
  ctx: DecoderContext,
  x: Value,
  weightName: string | null,
  eps: number,
  inputType: DataType = ctx.dtype,
): Value {
  const { o } = ctx;
  const x32 = castIf(ctx, x, inputType, DataType.FLOAT);
  const variance = o.reduceMean(o.mul(x32, x32), [-1]);
  const inv = o.reciprocal(o.sqrt(o.add(variance, o.float([eps]))));
  const normed = castIf(ctx, o.mul(x32, inv), DataType.FLOAT, inputType);
  return weightName ? o.mul(ctx.weight(weightName), normed) : normed;
}

/** x @ W^T for an HF Linear weight [out, in] (no bias). ORT folds the Transpose at load. */
export function linear(ctx: DecoderContext, x: Value, weightName: string): Value {
  return ctx.o.matMul(x, ctx.o.transpose(ctx.weight(weightName), [1, 0]));
}

/** LlamaMLP: down(silu(gate(x)) * up(x)). */
export function mlp(ctx: DecoderContext, x: Value, prefix: string): Value {
  const { o } = ctx;
  const gate = linear(ctx, x, `${prefix}.gate_proj.weight`);
  const silu = o.mul(gate, o.sigmoid(gate));
  return linear(
    ctx,
    o.mul(silu, linear(ctx, x, `${prefix}.up_proj.weight`)),
    `${prefix}.down_proj.weight`,
  );
}

/**
 * cos/sin [B, 1, S, d] from position_ids [B, S] and a precomputed inv_freq [d/2] (float32 math,
 * then cast to `dtype`, as LlamaRotaryEmbedding does).
 */
export function rotaryCosSin(
  g: { o: Ops; dtype: FloatType },
  positionIds: Value,
  invFreq: Float32Array,
): { cos: Value; sin: Value } {
  const { o } = g;
  const pos = o.unsqueeze(o.cast(positionIds, DataType.FLOAT), [2]); // [B, S, 1]
  const freqs = o.mul(pos, o.float([...invFreq], DataType.FLOAT, [invFreq.length])); // [B, S, d/2]
  const emb = o.unsqueeze(o.concat([freqs, freqs], -1), [1]); // [B, 1, S, d]
  const cos = o.cos(emb);
  const sin = o.sin(emb);
  if (g.dtype === DataType.FLOAT) return { cos, sin };
  return { cos: o.cast(cos, g.dtype), sin: o.cast(sin, g.dtype) };
}

/** q*cos + rotate_half(q)*sin with rotate_half([x1, x2]) = [-x2, x1] (halves, not pairs). */
export function applyRope(ctx: DecoderContext, x: Value): Value {
  const { o } = ctx;
  const half = ctx.config.headDim / 2;
  const [x1, x2] = o.split(x, [half, half], -1);
  const rotated = o.concat([o.neg(x2!), x1!], -1);
  return o.add(o.mul(x, ctx.cos), o.mul(rotated, ctx.sin));
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

/** Query/key/value projections with RoPE and the KV-cache append (keys after RoPE, pre-repeat). */
export function projectQkv(
  ctx: DecoderContext,
  x: Value,
  prefix: string,
  pastKey: Value,
  pastValue: Value,
): { q: Value; presentKey: Value; presentValue: Value } {
  const { numHeads, numKvHeads, headDim } = ctx.config;
  const q = splitHeads(ctx, linear(ctx, x, `${prefix}.q_proj.weight`), numHeads, headDim);
  const k = splitHeads(ctx, linear(ctx, x, `${prefix}.k_proj.weight`), numKvHeads, headDim);
  const v = splitHeads(ctx, linear(ctx, x, `${prefix}.v_proj.weight`), numKvHeads, headDim);
  const presentKey = ctx.o.concat([pastKey, applyRope(ctx, k)], 2);
  const presentValue = ctx.o.concat([pastValue, v], 2);
  return { q: applyRope(ctx, q), presentKey, presentValue };
}
