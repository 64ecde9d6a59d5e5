// Type and shape inference for the ops the decoders emit, run by GraphBuilder.node() as each node
// is added. It only records types (GraphBuilder.setType) and build-time values of small int64
// tensors (shapes, axes); it never changes a node. What it cannot tell for sure it leaves
// undefined; inputs that can never combine (a broadcast of 3 with 4, MatMul with unequal inner
// dims, mixed element types) are a GraphError naming the node.
import { DataType } from './dtype.js';
import { GraphError } from './errors.js';
import type { Dim, GraphBuilder, NodeDef, TensorType } from './graph.js';

type Shape = readonly Dim[];

/** Input dtype must equal output dtype and inputs must agree: Add, Sub, Mul, Div. */
const ARITHMETIC = new Set(['Add', 'Sub', 'Mul', 'Div']);
const COMPARISON = new Set(['Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Equal']);
const LOGICAL = new Set(['And', 'Or', 'Xor']);
const UNARY = new Set([
  'Identity',
  'Neg',
  'Sqrt',
  'Reciprocal',
  'Exp',
  'Log',
  'Sigmoid',
  'Tanh',
  'Relu',
  'Erf',
  'Abs',
  'Cos',
  'Sin',
  'Not',
  'Softmax',
  'LogSoftmax',
]);
const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd']);
/** Ends at or past this clamp to the dim, whatever its size (Slice's "to the end"). */
const TO_END = 2 ** 31 - 1;

function fmt(s: Shape): string {
  return `[${s.join(', ')}]`;
}

/** Numpy broadcasting: right-aligned, 1 stretches; unrelatable symbolic dims -> undefined. */
export function broadcastShapes(
  g: GraphBuilder,
  shapes: readonly Shape[],
  where: string,
): Shape | undefined {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes
      .map((s) => s[s.length - rank + i])
      .filter((d): d is Dim => d !== undefined && d !== 1);
    let dim: Dim = 1;
    for (const d of dims) {
      if (dim === 1) dim = d;
      else if (!g.dims.equal(dim, d)) {
        if (typeof dim === 'number' && typeof d === 'number') {
          throw new GraphError(
            `${where}: cannot broadcast ${shapes.map(fmt).join(' with ')}: ${dim} vs ${d} at axis ${i - rank}`,
          );
        }
        // 'a' vs 'b' (or 'a' vs 4) holds only if one of them is 1 at run time: unknown here
        return undefined;
      }
    }
    out.push(dim);
  }
  return out;
}

function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new GraphError(`${where}: axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/** Known numeric int values of an input (constants), else undefined. */
function ints(g: GraphBuilder, name: string | undefined): number[] | undefined {
  if (!name) return undefined;
  const v = g.knownValues(name);
  if (!v || v.some((d) => typeof d !== 'number')) return undefined;
  return v as number[];
}

/** -1 of a Reshape: total size / the given dims, cancelling equal symbolic factors. */
function reshapeRest(g: GraphBuilder, input: Shape, given: Shape): Dim | undefined {
  const rest = [...input];
  let num = 1;
  let den = 1;
  for (const d of given) {
    if (typeof d === 'number') {
      den *= d;
      continue;
    }
    const i = rest.findIndex((r) => typeof r !== 'number' && g.dims.equal(r, d));
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  let out: Dim = 1;
  for (const d of rest) {
    if (typeof d === 'number') num *= d;
    else {
      const m = g.dims.mul(out, d);
      if (m === undefined) {
        if (out !== 1) return undefined;
        out = d; // an opaque dim alone stays as it is
      } else out = m;
    }
  }
  if (den === 0) return undefined;
  // an opaque dim divides only as itself; otherwise the whole product's coefficients must
  if (num === den) return out;
  const total = g.dims.mul(out, num);
  return total === undefined ? undefined : g.dims.divExact(total, den);
}

/** Output length of Slice on one dim, or undefined when it depends on the dim's run-time size. */
function sliceLength(
  g: GraphBuilder,
  dim: Dim,
  start: number,
  end: number,
  step: number,
): Dim | undefined {
  if (typeof dim === 'number') {
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const s =
      step > 0
        ? clamp(start < 0 ? start + dim : start, 0, dim)
        : clamp(start < 0 ? start + dim : start, -1, dim - 1);
    const e =
      step > 0
        ? clamp(end < 0 ? end + dim : end, 0, dim)
        : clamp(end < 0 ? end + dim : end, -1, dim - 1);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  // a symbolic dim: only [start >= 0, to the end) is exact (dim - start; dims are >= start)
  if (step === 1 && start >= 0 && end >= TO_END)
    return start === 0 ? dim : g.dims.add(dim, start, -1);
  return undefined;
}

/** Result types of the node's outputs (undefined entries where unknown). */
function infer(g: GraphBuilder, node: NodeDef): (TensorType | undefined)[] {
  const where = `${node.opType} '${node.name}'`;
  const types = node.inputs.map((n) => (n ? g.typeOf(n) : undefined));
  const t0 = types[0];
  const attr = (k: string, dflt: number) => {
    const v = node.attrs[k];
    return typeof v === 'number' ? v : dflt;
  };
  const same = (n: number) => {
    const ts = types.slice(0, n);
    if (ts.some((t) => !t)) return undefined;
    const dtype = ts[0]!.dtype;
    const other = ts.find((t) => t!.dtype !== dtype);
    if (other) {
      throw new GraphError(
        `${where}: inputs have different element types ${dtype} and ${other.dtype}`,
      );
    }
    return broadcastShapes(
      g,
      ts.map((t) => t!.shape),
      where,
    );
  };
  const op =
    node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}.${node.opType}`;

  if (ARITHMETIC.has(op)) {
    const shape = same(2);
    return [shape && { dtype: t0!.dtype, shape }];
  }
  if (COMPARISON.has(op) || LOGICAL.has(op)) {
    const shape = same(2);
    return [shape && { dtype: DataType.BOOL, shape }];
  }
  if (UNARY.has(op)) return [t0];
  if (!t0) return [];
  const r = t0.shape.length;

  switch (op) {
    case 'Pow': {
      // the exponent may be of another type; the result has the base's
      const t1 = types[1];
      const shape = t1 && broadcastShapes(g, [t0.shape, t1.shape], where);
      return [shape && { dtype: t0.dtype, shape }];
    }
    case 'Where': {
      const [, x, y] = types;
      if (!x || !y) return [];
      if (x.dtype !== y.dtype) {
        throw new GraphError(
          `${where}: X and Y have different element types ${x.dtype} and ${y.dtype}`,
        );
      }
      const shape = broadcastShapes(g, [t0.shape, x.shape, y.shape], where);
      return [shape && { dtype: x.dtype, shape }];
    }
    case 'Cast':
      return [{ dtype: attr('to', 0) as DataType, shape: t0.shape }];
    case 'MatMul': {
      const t1 = types[1];
      if (!t1) return [];
      const a = r === 1 ? [1, ...t0.shape] : t0.shape;
      const b = t1.shape.length === 1 ? [...t1.shape, 1] : t1.shape;
      if (a.length < 2 || b.length < 2) throw new GraphError(`${where}: MatMul of a scalar`);
      const k1 = a[a.length - 1]!;
      const k2 = b[b.length - 2]!;
      if (!g.dims.equal(k1, k2)) {
        if (typeof k1 === 'number' && typeof k2 === 'number') {
          throw new GraphError(
            `${where}: cannot multiply ${fmt(t0.shape)} by ${fmt(t1.shape)}: inner dims ${k1} vs ${k2}`,
          );
        }
        return [];
      }
      const batch = broadcastShapes(g, [a.slice(0, -2), b.slice(0, -2)], where);
      if (!batch) return [];
      const shape = [...batch];
      if (r !== 1) shape.push(a[a.length - 2]!);
      if (t1.shape.length !== 1) shape.push(b[b.length - 1]!);
      return [{ dtype: t0.dtype, shape }];
    }
    case 'Gemm': {
      const t1 = types[1];
      if (!t1 || r !== 2 || t1.shape.length !== 2) return [];
      const m = attr('transA', 0) ? t0.shape[1]! : t0.shape[0]!;
      const n = attr('transB', 0) ? t1.shape[0]! : t1.shape[1]!;
      return [{ dtype: t0.dtype, shape: [m, n] }];
    }
    case 'Gather': {
      const t1 = types[1];
      if (!t1) return [];
      const axis = normAxis(attr('axis', 0), r, where);
      const shape = [...t0.shape.slice(0, axis), ...t1.shape, ...t0.shape.slice(axis + 1)];
      // a scalar index into a known 1-D value (e.g. one entry of a Shape) is known too
      const vals = g.knownValues(node.inputs[0]!);
      const idx = ints(g, node.inputs[1]);
      if (vals && idx && r === 1) {
        const picked = idx.map((i) => vals[i < 0 ? i + vals.length : i]);
        if (picked.every((d) => d !== undefined))
          g.setKnownValues(node.outputs[0]!, picked as Dim[]);
      }
      return [{ dtype: t0.dtype, shape }];
    }
    case 'GatherElements':
      return [types[1] && { dtype: t0.dtype, shape: types[1].shape }];
    case 'ScatterElements':
      return [t0];
    case 'Reshape': {
      const target = g.knownValues(node.inputs[1] ?? '');
      if (!target) return [];
      const allowzero = attr('allowzero', 0);
      let rest = -1;
      const shape: (Dim | undefined)[] = target.map((d, i) => {
        if (d === 0 && !allowzero) {
          if (i >= r)
            throw new GraphError(`${where}: shape entry ${i} is 0 but the input has rank ${r}`);
          return t0.shape[i];
        }
        if (d === -1) {
          if (rest >= 0) throw new GraphError(`${where}: more than one -1 in the shape`);
          rest = i;
          return undefined;
        }
        return d;
      });
      if (rest >= 0) {
        const given = shape.filter((d, i) => i !== rest) as Dim[];
        // not determinable from the dims (e.g. unrelated symbols): a fresh symbol, consistent for
        // every user of this output
        shape[rest] = reshapeRest(g, t0.shape, given) ?? `${node.outputs[0]}:${rest}`;
      }
      return [{ dtype: t0.dtype, shape: shape as Dim[] }];
    }
    case 'Transpose': {
      const permAttr = node.attrs.perm;
      const perm = Array.isArray(permAttr) ? permAttr : t0.shape.map((_, i) => r - 1 - i);
      if (perm.length !== r) {
        throw new GraphError(`${where}: perm [${perm.join(', ')}] does not match rank ${r}`);
      }
      return [{ dtype: t0.dtype, shape: perm.map((p) => t0.shape[normAxis(p, r, where)]!) }];
    }
    case 'Slice': {
      const starts = ints(g, node.inputs[1]);
      const ends = ints(g, node.inputs[2]);
      const axes = node.inputs[3] ? ints(g, node.inputs[3]) : starts?.map((_, i) => i);
      const steps = node.inputs[4] ? ints(g, node.inputs[4]) : starts?.map(() => 1);
      if (!starts || !ends || !axes || !steps) return [];
      const shape: (Dim | undefined)[] = [...t0.shape];
      axes.forEach((a, i) => {
        const ax = normAxis(a, r, where);
        shape[ax] = sliceLength(g, t0.shape[ax]!, starts[i]!, ends[i]!, steps[i]!);
      });
      if (shape.some((d) => d === undefined)) return [];
      return [{ dtype: t0.dtype, shape: shape as Dim[] }];
    }
    case 'Split': {
      const axis = normAxis(attr('axis', 0), r, where);
      const sizes = node.inputs[1] ? g.knownValues(node.inputs[1]) : undefined;
      if (!sizes || sizes.length !== node.outputs.length) return [];
      return sizes.map((s) => ({
        dtype: t0.dtype,
        shape: t0.shape.map((d, i) => (i === axis ? s : d)),
      }));
    }
    case 'Concat': {
      if (types.some((t) => !t)) return [];
      const axis = normAxis(attr('axis', 0), r, where);
      let sum: Dim | undefined = 0;
      const shape = [...t0.shape];
      for (const t of types as TensorType[]) {
        if (t.dtype !== t0.dtype) {
          throw new GraphError(
            `${where}: inputs have different element types ${t0.dtype} and ${t.dtype}`,
          );
        }
        if (t.shape.length !== r) {
          throw new GraphError(
            `${where}: cannot concatenate ${fmt(t0.shape)} and ${fmt(t.shape)} (ranks differ)`,
          );
        }
        for (let i = 0; i < r; i++) {
          if (i === axis || g.dims.equal(shape[i]!, t.shape[i]!)) continue;
          if (typeof shape[i] === 'number' && typeof t.shape[i] === 'number') {
            throw new GraphError(
              `${where}: cannot concatenate ${fmt(t0.shape)} and ${fmt(t.shape)} on axis ${attr('axis', 0)}: ${shape[i]} vs ${t.shape[i]} at axis ${i}`,
            );
          }
          return [];
        }
        sum = sum === undefined ? undefined : g.dims.add(sum, t.shape[axis]!);
      }
      if (sum === undefined) return [];
      shape[axis] = sum;
      const vals = node.inputs.map((n) => g.knownValues(n));
      if (r === 1 && vals.every((v) => v))
        g.setKnownValues(
          node.outputs[0]!,
          vals.flatMap((v) => [...v!]),
        );
      return [{ dtype: t0.dtype, shape }];
    }
    case 'Expand': {
      const target = g.knownValues(node.inputs[1] ?? '');
      const shape = target && broadcastShapes(g, [t0.shape, target], where);
      return [shape && { dtype: t0.dtype, shape }];
    }
    case 'Tile': {
      const reps = ints(g, node.inputs[1]);
      if (!reps || reps.length !== r) return [];
      const shape = t0.shape.map((d, i) => (reps[i] === 1 ? d : g.dims.mul(d, reps[i]!)));
      if (shape.some((d) => d === undefined)) return [];
      return [{ dtype: t0.dtype, shape: shape as Dim[] }];
    }
    case 'Unsqueeze': {
      const axes = ints(g, node.inputs[1]);
      if (!axes) return [];
      const outRank = r + axes.length;
      const at = new Set(axes.map((a) => normAxis(a, outRank, where)));
      const shape: Dim[] = [];
      let j = 0;
      for (let i = 0; i < outRank; i++) shape.push(at.has(i) ? 1 : t0.shape[j++]!);
      const vals = g.knownValues(node.inputs[0]!);
      if (vals && r === 0) g.setKnownValues(node.outputs[0]!, vals);
      return [{ dtype: t0.dtype, shape }];
    }
    case 'Squeeze': {
      let axes: number[] | undefined;
      if (node.inputs[1]) {
        axes = ints(g, node.inputs[1])?.map((a) => normAxis(a, r, where));
        if (!axes) return [];
        for (const a of axes) {
          const d = t0.shape[a]!;
          if (typeof d === 'number' && d !== 1) {
            throw new GraphError(
              `${where}: cannot squeeze axis ${a} of ${fmt(t0.shape)} (size ${d})`,
            );
          }
        }
      } else {
        // without axes every size-1 dim goes: a symbolic one may be 1 at run time
        if (t0.shape.some((d) => typeof d !== 'number')) return [];
        axes = t0.shape.flatMap((d, i) => (d === 1 ? [i] : []));
      }
      const shape = t0.shape.filter((_, i) => !axes.includes(i));
      const vals = g.knownValues(node.inputs[0]!);
      if (vals && shape.length === 0) g.setKnownValues(node.outputs[0]!, vals);
      return [{ dtype: t0.dtype, shape }];
    }
    case 'Shape': {
      const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const start = clampIdx(attr('start', 0));
      const end = clampIdx(attr('end', r));
      const dims = t0.shape.slice(start, Math.max(start, end));
      g.setKnownValues(node.outputs[0]!, dims);
      return [{ dtype: DataType.INT64, shape: [dims.length] }];
    }
    case 'Range': {
      const [s, l, d] = node.inputs.map((n) => g.knownValues(n)?.[0]);
      let len: Dim | undefined;
      if (s !== undefined && l !== undefined && d === 1) {
        len = g.dims.add(l, s, -1);
        if (typeof len === 'number') len = Math.max(0, len);
      } else if (
        typeof s === 'number' &&
        typeof l === 'number' &&
        typeof d === 'number' &&
        d !== 0
      ) {
        len = Math.max(0, Math.ceil((l - s) / d));
      }
      // a length that depends on run-time values: a fresh symbol for this output
      return [{ dtype: t0.dtype, shape: [len ?? `${node.outputs[0]}:0`] }];
    }
    case 'ArgMax':
    case 'ArgMin': {
      const axis = normAxis(attr('axis', 0), r, where);
      const keep = attr('keepdims', 1);
      const shape = keep
        ? t0.shape.map((dd, i) => (i === axis ? 1 : dd))
        : t0.shape.filter((_, i) => i !== axis);
      return [{ dtype: DataType.INT64, shape }];
    }
    // onnxruntime contrib kernels: the outputs that have the input's type
    case 'SimplifiedLayerNormalization':
    case 'com.microsoft.RotaryEmbedding':
      return [t0];
    case 'com.microsoft.SkipSimplifiedLayerNormalization':
      // 0: normed, 3: input + skip (same shape); 1-2 (mean, inv std dev) left undefined
      return [t0, undefined, undefined, t0];
  }
  if (REDUCE.has(op)) {
    let axes = node.inputs[1] ? ints(g, node.inputs[1]) : [];
    if (!axes) return [];
    if (axes.length === 0) {
      if (attr('noop_with_empty_axes', 0)) return [t0];
      axes = t0.shape.map((_, i) => i);
    }
    const at = new Set(axes.map((a) => normAxis(a, r, where)));
    const shape = attr('keepdims', 1)
      ? t0.shape.map((d, i) => (at.has(i) ? 1 : d))
      : t0.shape.filter((_, i) => !at.has(i));
    return [{ dtype: t0.dtype, shape }];
  }
  return [];
}

/** Infers and records the types of `node`'s outputs (and known int64 values where cheap). */
export function inferNode(g: GraphBuilder, node: NodeDef): void {
  const out = infer(g, node);
  node.outputs.forEach((name, i) => {
    const t = out[i];
    if (t) g.setType(name, t.dtype, t.shape);
  });
  // int64 arithmetic on known values (e.g. past = total - seq for the mask's Range)
  if (ARITHMETIC.has(node.opType) && node.opType !== 'Div' && node.domain === '') {
    const [a, b] = node.inputs.map((n) => g.knownValues(n));
    const t = out[0];
    if (
      a &&
      b &&
      t?.dtype === DataType.INT64 &&
      (a.length === b.length || a.length === 1 || b.length === 1)
    ) {
      const n = Math.max(a.length, b.length);
      const vals: Dim[] = [];
      for (let i = 0; i < n; i++) {
        const x = a[a.length === 1 ? 0 : i]!;
        const y = b[b.length === 1 ? 0 : i]!;
        const v =
          node.opType === 'Mul'
            ? g.dims.mul(x, y)
            : g.dims.add(x, y, node.opType === 'Sub' ? -1 : 1);
        if (v === undefined) return;
        vals.push(v);
      }
      g.setKnownValues(node.outputs[0]!, vals);
    }
  }
}
