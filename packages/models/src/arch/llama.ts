// LlamaAttention, eager path: softmax(q k^T * d^-0.5 + mask) @ v over repeat_kv'd keys/values.
import type { AttentionFn } from './attention.js';
import { joinParts, kvParts, maskedSoftmax, mergeHeads, projectQkv, repeatKv } from './layers.js';

export const llamaEagerAttention: AttentionFn = (ctx, { x, layer, cache }) => {
  const { o, config } = ctx;
  const prefix = `model.layers.${layer}.self_attn`;
  const { q, k: kNew, v: vNew } = projectQkv(ctx, x, prefix);
  const parts = kvParts(ctx, cache, { key: kNew, value: vNew });
  const k = repeatKv(ctx, joinParts(ctx, parts.keys));
  const v = repeatKv(ctx, joinParts(ctx, parts.values));
  // HF multiplies by `head_dim**-0.5` (a Python float, so float32 here).
  const scale = o.float([config.headDim ** -0.5], ctx.dtype);
  const scores = o.mul(o.matMul(q, o.transpose(k, [0, 1, 3, 2])), scale);
  const { p32, p } = maskedSoftmax(ctx, scores);
  const attn = mergeHeads(ctx, o.matMul(p, v), config.numHeads, config.headDim);
  return {
    output: ctx.kernels.linear(ctx, attn, `${prefix}.o_proj.weight`),
    cacheOut: parts.out,
    probs: p32,
    lambdaFull: null,
  };
};
