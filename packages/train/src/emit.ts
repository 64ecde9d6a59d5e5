// Small emitters the rules share: constants in a value's dtype, zeros of a value's shape, and the
// sum of a broadcast gradient back to an input's shape.
import type { Dim, Ops, Value } from '@exp/models/onnx';

export function one(o: Ops, type: string, inputs: readonly (Value | '')[], attrs = {}): Value {
  return o.g.node(type, inputs, attrs)[0]!;
}

/** Scalar `v` in the dtype of `like` (CastLike keeps the rules dtype-agnostic: float or double). */
export function scalarLike(o: Ops, v: number, like: Value): Value {
  return one(o, 'CastLike', [o.float([v]), like]);
}

export function zerosLike(o: Ops, x: Value): Value {
  return one(o, 'Expand', [scalarLike(o, 0, x), o.shape(x)]);
}

/**
 * Sums `d` (shaped `from`, the broadcast result) down to `to`, the shape of `x`: over the leading
 * axes `x` lacks and over axes where `x` has 1 and the result does not.
 */
export function sumTo(o: Ops, d: Value, from: readonly Dim[], to: readonly Dim[], x: Value): Value {
  const lead = from.length - to.length;
  const axes = from.flatMap((dim, i) => (i < lead || (to[i - lead] === 1 && dim !== 1) ? [i] : []));
  if (axes.length === 0) return d;
  const r = o.reduceSum(d, axes, true);
  return lead > 0 ? one(o, 'Reshape', [r, o.shape(x)]) : r;
}

/** Flat element indices of `x` shaped like `x` (int64), for gradients of index-selecting ops. */
export function iota(o: Ops, x: Value): Value {
  const n = one(o, 'Size', [x]);
  return one(o, 'Reshape', [o.range(o.i64([0], true), n, o.i64([1], true)), o.shape(x)]);
}
