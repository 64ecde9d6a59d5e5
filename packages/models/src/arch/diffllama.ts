// DiffLlamaAttention, eager path (modeling_diffllama.py), see golden README section 4:
// P = softmax(q k^T / sqrt(d) + mask) for all H heads; pair j = (head j, head j + H/2) shares the
// 2d-wide value [v_j | v_{j+H/2}]; A = P1 V2 - lambda_full * P2 V2; then a weightless RMSNorm over
// 2d, times (1 - lambda_init), heads merged and o_proj.
import { DataType } from '../onnx/dtype.js';
import type { AttentionFn } from './attention.js';
import {
  castIf,
  joinParts,
  kvParts,
  maskedSoftmax,
  mergeHeads,
  projectQkv,
  repeatKv,
} from './layers.js';
import type { DecoderContext } from './layers.js';
import type { Value } from '../onnx/graph.js';

/** lambda_init_fn: 0.8 - 0.6 * exp(-0.3 * layer_idx), layer_idx 0-based. */
export function lambdaInit(layer: number): number {
  return 0.8 - 0.6 * Math.exp(-0.3 * layer);
}

/** lambda_full = exp(sum(q1*k1)) - exp(sum(q2*k2)) + lambda_init, float32 scalar. */
export function lambdaFull(ctx: DecoderContext, prefix: string, layer: number): Value {
  const { o } = ctx;
  const w = (n: string) => ctx.weight(`${prefix}.${n}`, { float32: true });
  const lam = (q: string, k: string) => o.exp(o.reduceSum(o.mul(w(q), w(k)), [0], false));
  const diff = o.sub(lam('lambda_q1', 'lambda_k1'), lam('lambda_q2', 'lambda_k2'));
  return o.add(diff, o.float([lambdaInit(layer)]));
}

export const diffLlamaEagerAttention: AttentionFn = (ctx, { x, layer, cache }) => {
  const { o, config } = ctx;
  const { numHeads: h, headDim: d } = config;
  const prefix = `model.layers.${layer}.self_attn`;
  const { q, k: kNew, v: vNew } = projectQkv(ctx, x, prefix);
  const parts = kvParts(ctx, cache, { key: kNew, value: vNew });
  const k = repeatKv(ctx, joinParts(ctx, parts.keys));
  const v = repeatKv(ctx, joinParts(ctx, parts.values)); // [B, H, T, d]
  // HF divides by math.sqrt(head_dim).
  const scores = o.div(
    o.matMul(q, o.transpose(k, [0, 1, 3, 2])),
    o.float([Math.sqrt(d)], ctx.dtype),
  );
  const { p32, p } = maskedSoftmax(ctx, scores);

  // V2 = cat(chunk(v, 2, heads), -1): [B, H/2, T, 2d]. HF then repeats it to H heads and chunks
  // the product back into halves; multiplying each half of P by V2 is the same arithmetic.
  const [va, vb] = o.split(v, [h / 2, h / 2], 1);
  const v2 = o.concat([va!, vb!], -1);
  const [p1, p2] = o.split(p, [h / 2, h / 2], 1);
  const o1 = o.matMul(p1!, v2);
  const o2 = o.matMul(p2!, v2);

  const lambda32 = lambdaFull(ctx, prefix, layer);
  const lambda = castIf(ctx, lambda32, DataType.FLOAT, ctx.dtype);
  const a = o.sub(o1, o.mul(lambda, o2)); // [B, H/2, S, 2d]
  const normed = ctx.kernels.rmsNorm(ctx, a, null, config.rmsNormEps, ctx.dtype, 2 * d);
  const scaled = o.mul(normed, o.float([1 - lambdaInit(layer)], ctx.dtype));
  const attn = mergeHeads(ctx, scaled, h / 2, 2 * d);
  return {
    output: ctx.kernels.linear(ctx, attn, `${prefix}.o_proj.weight`),
    cacheOut: parts.out,
    probs: p32,
    lambdaFull: lambda32,
  };
};
