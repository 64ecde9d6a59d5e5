// Attention knockout (issue 18 part 2), an optional part of the decoder graph: inputs
//   knockout_keys       int64 [B, past+S], 1 = the key position is blocked (a noise span token)
//   knockout_from_layer int64 [1], the first layer the knockout applies to (0: every layer)
// In layers >= from_layer a query outside the blocked positions gets finfo(float32).min on the
// blocked keys (mask[q, k] = blocked[k] && !blocked[q]); blocked queries attend as before. The
// mask is the plain additive mask with those entries replaced (Where), so an all-zero
// knockout_keys gives the plain mask's exact values: logits bitwise equal to the plain graph.
// All heads share the mask, so a DiffLlama head's two softmax maps are both masked.
import { DataType } from '../onnx/dtype.js';
import type { GraphBuilder, Value } from '../onnx/graph.js';
import type { Ops } from '../onnx/ops.js';
import { FLOAT32_MIN, type DecoderContext } from './layers.js';

export const KNOCKOUT_KEYS_INPUT = 'knockout_keys';
export const KNOCKOUT_FROM_LAYER_INPUT = 'knockout_from_layer';

/** The knocked-out mask [B, 1, S, T] and the first layer it applies to. */
export interface KnockoutMask {
  /** The plain additive mask with the blocked (query, key) pairs set to finfo(float32).min. */
  knocked: Value;
  /** [B, 1, S, T] bool: the pairs the knockout blocks. */
  blocked: Value;
  fromLayer: Value;
}

/**
 * Declares the knockout inputs and builds the knocked-out mask from the plain one. `totalDim`
 * names the key axis (the attention_mask's), so the inputs match it.
 */
export function knockoutMask(
  g: GraphBuilder,
  o: Ops,
  inputIds: Value,
  plainMask: Value,
  dims: { batch: string; total: string },
): KnockoutMask {
  const keys = g.input(KNOCKOUT_KEYS_INPUT, DataType.INT64, [dims.batch, dims.total]);
  const fromLayer = g.input(KNOCKOUT_FROM_LAYER_INPUT, DataType.INT64, [1]);
  const keyBlocked = o.cast(o.unsqueeze(keys, [1, 2]), DataType.BOOL); // [B, 1, 1, T]
  // this call's queries are the last S key positions
  const s = o.shape(inputIds, 1, 2);
  const own = g.node('Slice', [keys, o.neg(s), o.i64([2 ** 62]), o.i64([1])])[0]!; // [B, S]
  const queryFree = o.lessOrEqual(o.unsqueeze(own, [1, 3]), o.i64([0])); // [B, 1, S, 1]
  const blocked = o.and(keyBlocked, queryFree); // [B, 1, S, T]
  const knocked = o.where(blocked, o.float([FLOAT32_MIN]), plainMask);
  return { knocked, blocked, fromLayer };
}

/** Layer `layer`'s context: the knocked-out mask where layer >= from_layer, else the plain one. */
export function knockoutLayerContext(
  ctx: DecoderContext,
  k: KnockoutMask,
  layer: number,
): DecoderContext {
  const { o } = ctx;
  const active = o.lessOrEqual(k.fromLayer, o.i64([layer])); // [1]
  const mask = o.where(active, k.knocked, ctx.mask);
  return { ...ctx, mask };
}
