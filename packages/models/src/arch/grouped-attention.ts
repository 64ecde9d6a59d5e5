// Grouped attention: the function of the eager path (llama.ts, diffllama.ts) laid out for speed.
// The nRep query heads sharing a kv head sit next to each other ([B, KV, nRep*S, d]), so keys and
// values are never repeated; 1/sqrt(d) is folded into q; with an external cache the scores of
// the cache slots and of the new tokens meet in one softmax, so the cache is only read and no
// tensor of cache size is written. No attention maps.
import { DataType } from '../onnx/dtype.js';
import type { Value } from '../onnx/graph.js';
import type { AttentionFn } from './attention.js';
import { lambdaFull, lambdaInit } from './diffllama.js';
import { kvParts, projectQkv, type DecoderContext } from './layers.js';

/** The mask [B, 1, S, T] repeated for the nRep query rows of a group: [B, 1, nRep*S, T]. */
function groupedMask(ctx: DecoderContext): Value {
  const { numHeads, numKvHeads } = ctx.config;
  const nRep = numHeads / numKvHeads;
  // per mask: with a knockout every layer has its own
  return ctx.memo(`grouped-mask:${ctx.mask.name}`, () =>
    nRep > 1 ? ctx.o.tile(ctx.mask, [1, 1, nRep, 1]) : ctx.mask,
  );
}

/**
 * DiffLlama (modeling_diffllama.py, golden README section 4): A_j = O1_j - lambda O2_j with
 * O = P @ V2, V2_j = [v_rep(j) | v_rep(j + H/2)]. Since P1 V2 - lambda P2 V2 = (P1 - lambda P2) V2,
 * the differential map D_j = P_j - lambda P_{j+H/2} is formed first; laid out for all H heads
 * (D twice), one grouped MatMul with the plain values gives head h the product
 * D_{h mod H/2} @ v_rep(h): the left half of A for h < H/2, the right half for h >= H/2.
 */
function differentialWeights(ctx: DecoderContext, probs: Value, layer: number): Value {
  const { o } = ctx;
  const lambda = lambdaFull(ctx, `model.layers.${layer}.self_attn`, layer);
  // probs [B, KV, nRep*S, T] are the heads [B, H, S, T] in order: halves on axis 1
  const [p1, p2] = o.split(o.reshape(probs, [0, 2, -1, 0]), [1, 1], 1);
  const dmap = o.sub(p1!, o.mul(p2!, lambda)); // [B, 1, (H/2)*S, T]
  return o.reshape(o.concat([dmap, dmap], 1), [0, ctx.config.numKvHeads, -1, 0]);
}

/** Differential outputs (heads in order on axes 1-2) -> the normed, scaled, merged [B, S, H*d]. */
function differentialMerge(ctx: DecoderContext, heads: Value, layer: number): Value {
  const { o, config } = ctx;
  const { numHeads: h, headDim: d } = config;
  // first half of the heads = left columns of A, second half = right columns
  const [left, right] = o.split(o.reshape(heads, [0, 2, -1, d]), [1, 1], 1);
  const a = o.reshape(o.concat([left!, right!], -1), [0, h / 2, -1, 2 * d]);
  const normed = ctx.kernels.rmsNorm(ctx, a, null, config.rmsNormEps, DataType.FLOAT, 2 * d);
  const scaled = o.mul(normed, o.float([1 - lambdaInit(layer)]));
  return o.reshape(o.transpose(scaled, [0, 2, 1, 3]), [0, 0, h * d]);
}

function groupedAttention(differential: boolean): AttentionFn {
  return (ctx, { x, layer, cache }) => {
    const { o, config } = ctx;
    const { numHeads: h, numKvHeads: kv, headDim: d } = config;
    if (ctx.dtype !== DataType.FLOAT) throw new Error('grouped attention is float32 only');
    if (differential && h % 2 !== 0)
      throw new Error(`DiffLlama needs an even head count, got ${h}`);
    const prefix = `model.layers.${layer}.self_attn`;
    const { q, k, v } = projectQkv(ctx, x, prefix, 1 / Math.sqrt(d));
    const parts = kvParts(ctx, cache, { key: k, value: v });
    const qg = o.reshape(q, [0, kv, -1, d]); // [B, KV, nRep*S, d]
    const scoreParts = parts.keys.map((key) => o.matMul(qg, o.transpose(key, [0, 1, 3, 2])));
    const scores = scoreParts.length > 1 ? o.concat(scoreParts, -1) : scoreParts[0]!;
    const probs = o.softmax(o.add(scores, groupedMask(ctx)), -1); // [B, KV, nRep*S, T]
    const weights = differential ? differentialWeights(ctx, probs, layer) : probs;
    let context: Value;
    if (parts.values.length === 1) context = o.matMul(weights, parts.values[0]!);
    else {
      // split the key axis back into [cache slots, new tokens]
      const sizes = ctx.memo(`kv-split`, () =>
        o.concat([o.shape(cache.key, 2, 3), o.shape(k, 2, 3)], 0),
      );
      const [wCache, wNew] = ctx.g.node('Split', [weights, sizes], { axis: -1 }, { outputs: 2 });
      context = o.add(o.matMul(wCache!, parts.values[0]!), o.matMul(wNew!, parts.values[1]!));
    }
    // context [B, KV, nRep*S, d] holds the heads [B, H, S, d] in order
    const merged = differential
      ? differentialMerge(ctx, context, layer)
      : o.reshape(o.transpose(o.reshape(context, [0, h, -1, d]), [0, 2, 1, 3]), [0, 0, h * d]);
    return {
      output: ctx.kernels.linear(ctx, merged, `${prefix}.o_proj.weight`),
      cacheOut: parts.out,
      probs: null,
      lambdaFull: null,
    };
  };
}

export const llamaGroupedAttention = groupedAttention(false);
export const diffLlamaGroupedAttention = groupedAttention(true);
