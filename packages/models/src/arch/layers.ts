// Building blocks shared by the Llama-family decoders. With kernels 'plain' each is a few plain
// ONNX ops that reproduce the transformers eager code (modeling_llama.py) op for op (the export);
// with 'fused' the same block uses com.microsoft kernels (RotaryEmbedding, (Skip)Simplified-
// LayerNormalization) and weights packed once at build time (transposed, q/k/v and gate/up
// stacked), for the runtime's decode graph. Both compute the same function to float32 noise.
import type { ModelConfig } from '../config.js';
import { DataType } from '../onnx/dtype.js';
import type { GraphBuilder, Value } from '../onnx/graph.js';
import type { FloatType, Ops } from '../onnx/ops.js';
import type { DecoderWeightSource } from './weights.js';

/** 'plain': standard ONNX ops (portable, HF op for op). 'fused': com.microsoft kernels, float32. */
export type DecoderKernels = 'plain' | 'fused';

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
  readonly kernels: DecoderKernels;
  readonly kvCache: KvCacheMode;
  /** A float32 initializer derived from checkpoint tensors (e.g. a packed weight), made once. */
  packed(name: string, dims: readonly number[], load: () => Float32Array): Value;
  /** A value built once per graph and shared by the layers (e.g. a reshaped mask). */
  memo<T>(key: string, build: () => T): T;
  readonly rotary: Rotary;
  /** Additive attention mask [B, 1, S, past+S], float32: 0 allowed, finfo(float32).min not. */
  readonly mask: Value;
}

const MS = 'com.microsoft';

/** torch.finfo(torch.float32).min, the value HF's eager mask uses (not -inf: see golden README). */
export const FLOAT32_MIN = -3.4028234663852886e38;

/** Casts to `to` unless already that type (the caller knows the type of `x`). */
export function castIf(ctx: DecoderContext, x: Value, from: DataType, to: DataType): Value {
  return from === to ? x : ctx.o.cast(x, to);
}

/**
 * RMSNorm over the last axis: x / sqrt(mean(x^2) + eps), times `weight` when given. Like HF, the
 * statistics are computed in float32 and the result cast back before the weight multiply.
 * `width` (the last axis' size) is needed only for a weightless fused norm (a ones weight).
 */
export function rmsNorm(
  ctx: DecoderContext,
  x: Value,
  weightName: string | null,
  eps: number,
  inputType: DataType = ctx.dtype,
  width?: number,
): Value {
  const { o } = ctx;
  if (ctx.kernels === 'fused' && inputType === DataType.FLOAT) {
    let w: Value;
    if (weightName) w = ctx.weight(weightName);
    else if (width) w = o.float(new Array<number>(width).fill(1), DataType.FLOAT, [width]);
    else throw new Error('rmsNorm: a weightless fused norm needs the width');
    return ctx.g.node(
      'SimplifiedLayerNormalization',
      [x, w],
      { axis: -1, epsilon: { f: eps }, stash_type: 1 },
      // onnxruntime registers this contrib kernel in the default domain, not com.microsoft
    )[0]!;
  }
  const x32 = castIf(ctx, x, inputType, DataType.FLOAT);
  // Pow / ReduceMean / Add / Sqrt / Div / Mul is the pattern onnxruntime fuses into one
  // SimplifiedLayerNormalization at load (x * rsqrt, as HF, differs by float32 rounding only),
  // while the file stays standard ONNX for other runtimes.
  const variance = o.reduceMean(o.pow(x32, o.float([2])), [-1]);
  const normed = castIf(
    ctx,
    o.div(x32, o.sqrt(o.add(variance, o.float([eps])))),
    DataType.FLOAT,
    inputType,
  );
  return weightName ? o.mul(ctx.weight(weightName), normed) : normed;
}

/**
 * residual + delta, and RMSNorm of that sum: one SkipSimplifiedLayerNormalization when fused
 * (output 0 the norm, output 3 the sum), else an Add and rmsNorm.
 */
export function residualRmsNorm(
  ctx: DecoderContext,
  residual: Value,
  delta: Value,
  weightName: string,
  eps: number,
): { sum: Value; normed: Value } {
  if (ctx.kernels === 'fused') {
    const out = ctx.g.node(
      'SkipSimplifiedLayerNormalization',
      [residual, delta, ctx.weight(weightName)],
      { epsilon: { f: eps } },
      { domain: MS, outputs: 4 },
    );
    return { normed: out[0]!, sum: out[3]! };
  }
  const sum = ctx.o.add(residual, delta);
  return { sum, normed: rmsNorm(ctx, sum, weightName, eps) };
}

/**
 * x @ [W_1 | W_2 | ...]^T for HF Linear weights [out_i, in] (no bias), split back into the parts.
 * Plain: one MatMul per weight against its Transpose (ORT folds that at load). Fused: one MatMul
 * against the packed, pre-transposed [in, sum out_i] weight (fewer, larger GEMMs), with each
 * part's `scale` folded into its columns.
 */
export function linears(
  ctx: DecoderContext,
  x: Value,
  parts: readonly { name: string; scale?: number }[],
  packedName: string,
): Value[] {
  const { o } = ctx;
  if (ctx.kernels === 'plain') {
    return parts.map((p) => {
      const y = o.matMul(x, o.transpose(ctx.weight(p.name), [1, 0]));
      return p.scale === undefined ? y : o.mul(y, o.float([p.scale], ctx.dtype));
    });
  }
  const shapes = parts.map((p) => ctx.source.info(p.name).shape);
  const inF = shapes[0]![1]!;
  const outs = shapes.map((s) => s[0]!);
  const total = outs.reduce((a, b) => a + b, 0);
  const w = ctx.packed(packedName, [inF, total], () => {
    const out = new Float32Array(inF * total);
    let col = 0;
    parts.forEach((p, k) => {
      const src = ctx.source.readFloat32(p.name);
      const rows = outs[k]!;
      const scale = p.scale;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < inF; c++) {
          const v = src[r * inF + c]!;
          out[c * total + col + r] = scale === undefined ? v : v * scale;
        }
      }
      col += rows;
    });
    return out;
  });
  const y = o.matMul(x, w);
  return parts.length === 1 ? [y] : o.split(y, outs, -1);
}

/** x @ W^T for an HF Linear weight [out, in] (no bias). */
export function linear(ctx: DecoderContext, x: Value, weightName: string): Value {
  return linears(ctx, x, [{ name: weightName }], `${weightName}.T`)[0]!;
}

/** LlamaMLP: down(silu(gate(x)) * up(x)). */
export function mlp(ctx: DecoderContext, x: Value, prefix: string): Value {
  const { o } = ctx;
  const [gate, up] = linears(
    ctx,
    x,
    [{ name: `${prefix}.gate_proj.weight` }, { name: `${prefix}.up_proj.weight` }],
    `${prefix}.gate_up_proj.weight.T`,
  ) as [Value, Value];
  const silu = o.mul(gate, o.sigmoid(gate));
  return linear(ctx, o.mul(silu, up), `${prefix}.down_proj.weight`);
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

/**
 * q*cos + rotate_half(q)*sin with rotate_half([x1, x2]) = [-x2, x1] (halves, not pairs), on
 * [B, heads, S, d]; one com.microsoft.RotaryEmbedding over the cos/sin tables when fused.
 */
export function applyRope(ctx: DecoderContext, x: Value, heads: number): Value {
  const { o, rotary } = ctx;
  if (rotary.kind === 'tables') {
    return ctx.g.node(
      'RotaryEmbedding',
      [x, rotary.positionIds, rotary.cosCache, rotary.sinCache],
      { interleaved: 0, num_heads: heads },
      { domain: MS },
    )[0]!;
  }
  const half = ctx.config.headDim / 2;
  const [x1, x2] = o.split(x, [half, half], -1);
  const rotated = o.concat([o.neg(x2!), x1!], -1);
  return o.add(o.mul(x, rotary.cos), o.mul(rotated, rotary.sin));
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
  const [q, k, v] = linears(
    ctx,
    x,
    [
      { name: `${prefix}.q_proj.weight`, ...(qScale === undefined ? {} : { scale: qScale }) },
      { name: `${prefix}.k_proj.weight` },
      { name: `${prefix}.v_proj.weight` },
    ],
    `${prefix}.qkv_proj.weight.T`,
  ) as [Value, Value, Value];
  return {
    q: applyRope(ctx, splitHeads(ctx, q, numHeads, headDim), numHeads),
    k: applyRope(ctx, splitHeads(ctx, k, numKvHeads, headDim), numKvHeads),
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
