// Typed helpers for the standard (ai.onnx) operators the decoders use, over a GraphBuilder.
// Signatures follow opset 18+ (axes / split sizes / shapes as int64 tensor inputs).
import { DataType } from './dtype.js';
import { f32ToF16 } from '../safetensors/half.js';
import type { AttrValue, GraphBuilder, Value } from './graph.js';

export type FloatType = typeof DataType.FLOAT | typeof DataType.FLOAT16;

export class Ops {
  constructor(readonly g: GraphBuilder) {}

  private op(type: string, inputs: readonly (Value | '')[], attrs: Record<string, AttrValue> = {}) {
    return this.g.node(type, inputs, attrs)[0]!;
  }

  // --- constants ---------------------------------------------------------------------------
  /** int64 constant; `scalar` gives shape [] instead of [n]. */
  i64(values: readonly number[], scalar = false): Value {
    const dims = scalar ? [] : [values.length];
    return this.g.constant(DataType.INT64, dims, BigInt64Array.from(values.map(BigInt)), 'i64');
  }

  /**
   * Floating constant of the given type (float32 values rounded to float16 when asked). The
   * numbers themselves are kept with it, so a float64 replay (retypeGraph) computes with them
   * unrounded, as the float64 reference does; the bytes written are the rounded ones. `exact`
   * differs from `values` where the float32 bytes come from another computation (HF's float32
   * build of inv_freq) than the float64 reference's numbers.
   */
  float(
    values: readonly number[],
    dtype: FloatType = DataType.FLOAT,
    dims?: readonly number[],
    exact: readonly number[] = values,
  ) {
    const d = dims ?? (values.length === 1 ? [] : [values.length]);
    const f32 = Float32Array.from(values);
    const data = dtype === DataType.FLOAT ? f32 : f32ToF16(f32);
    return this.g.constant(dtype, d, data, dtype === DataType.FLOAT ? 'f32' : 'f16', exact);
  }

  // --- elementwise -------------------------------------------------------------------------
  add(a: Value, b: Value) {
    return this.op('Add', [a, b]);
  }
  sub(a: Value, b: Value) {
    return this.op('Sub', [a, b]);
  }
  mul(a: Value, b: Value) {
    return this.op('Mul', [a, b]);
  }
  div(a: Value, b: Value) {
    return this.op('Div', [a, b]);
  }
  neg(x: Value) {
    return this.op('Neg', [x]);
  }
  pow(x: Value, y: Value) {
    return this.op('Pow', [x, y]);
  }
  sqrt(x: Value) {
    return this.op('Sqrt', [x]);
  }
  reciprocal(x: Value) {
    return this.op('Reciprocal', [x]);
  }
  exp(x: Value) {
    return this.op('Exp', [x]);
  }
  sigmoid(x: Value) {
    return this.op('Sigmoid', [x]);
  }
  cos(x: Value) {
    return this.op('Cos', [x]);
  }
  sin(x: Value) {
    return this.op('Sin', [x]);
  }
  cast(x: Value, to: DataType) {
    return this.op('Cast', [x], { to });
  }
  lessOrEqual(a: Value, b: Value) {
    return this.op('LessOrEqual', [a, b]);
  }
  and(a: Value, b: Value) {
    return this.op('And', [a, b]);
  }
  where(cond: Value, a: Value, b: Value) {
    return this.op('Where', [cond, a, b]);
  }

  // --- reductions / linear algebra ---------------------------------------------------------
  matMul(a: Value, b: Value) {
    return this.op('MatMul', [a, b]);
  }
  reduceMean(x: Value, axes: readonly number[], keepdims = true) {
    return this.op('ReduceMean', [x, this.i64(axes)], { keepdims: keepdims ? 1 : 0 });
  }
  reduceSum(x: Value, axes: readonly number[], keepdims = true) {
    return this.op('ReduceSum', [x, this.i64(axes)], { keepdims: keepdims ? 1 : 0 });
  }
  softmax(x: Value, axis = -1) {
    return this.op('Softmax', [x], { axis });
  }

  // --- shapes ------------------------------------------------------------------------------
  reshape(x: Value, shape: readonly number[]) {
    return this.op('Reshape', [x, this.i64(shape)]);
  }
  transpose(x: Value, perm: readonly number[]) {
    return this.op('Transpose', [x], { perm: [...perm] });
  }
  unsqueeze(x: Value, axes: readonly number[]) {
    return this.op('Unsqueeze', [x, this.i64(axes)]);
  }
  squeeze(x: Value, axes?: readonly number[]) {
    return this.op('Squeeze', axes ? [x, this.i64(axes)] : [x]);
  }
  concat(xs: readonly Value[], axis: number) {
    return this.op('Concat', xs, { axis });
  }
  /** Splits along `axis` into pieces of the given sizes. */
  split(x: Value, sizes: readonly number[], axis: number): Value[] {
    return this.g.node('Split', [x, this.i64(sizes)], { axis }, { outputs: sizes.length });
  }
  /** Bidirectional broadcast to `shape` (1s keep the input's size). */
  expand(x: Value, shape: readonly number[]) {
    return this.op('Expand', [x, this.i64(shape)]);
  }
  /** Shape of `x`, optionally the [start, end) slice of it (1-D int64). */
  shape(x: Value, start?: number, end?: number) {
    const attrs: Record<string, AttrValue> = {};
    if (start !== undefined) attrs.start = start;
    if (end !== undefined) attrs.end = end;
    return this.op('Shape', [x], attrs);
  }
  tile(x: Value, repeats: readonly number[]) {
    return this.op('Tile', [x, this.i64(repeats)]);
  }
  /** Slice along `axes` (ends past the size clamp, as in ONNX). */
  slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[]) {
    return this.op('Slice', [x, this.i64(starts), this.i64(ends), this.i64(axes)]);
  }
  argMax(x: Value, axis: number, keepdims = false) {
    return this.op('ArgMax', [x], { axis, keepdims: keepdims ? 1 : 0, select_last_index: 0 });
  }
  gather(data: Value, indices: Value, axis = 0) {
    return this.op('Gather', [data, indices], { axis });
  }
  range(start: Value, limit: Value, delta: Value) {
    return this.op('Range', [start, limit, delta]);
  }
}
