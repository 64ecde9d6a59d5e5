// The vector-Jacobian rules: op type -> input gradients from the output gradient `dy`, emitted as
// standard ONNX nodes into the forward graph (tinygrad's gradient table, over ONNX).
import type { AttrValue, Dim, NodeDef, Ops, Value } from '@exp/models/onnx';
import { one, iota, scalarLike, sumTo, zerosLike } from './emit.js';
import { GradientError } from './types.js';

export interface RuleCtx {
  readonly o: Ops;
  readonly node: NodeDef;
  /** The node's inputs ('' for an omitted optional input). */
  readonly x: readonly Value[];
  /** The node's first output. */
  readonly y: Value;
  /** Gradients of all outputs (zeros for unused ones); rules of one-output ops read `dy`. */
  readonly dys: readonly Value[];
  /** Static shape of a forward value (throws when unknown). */
  shape(v: Value): readonly Dim[];
  /** `make()` when input i needs a gradient, else undefined (skips unneeded work). */
  need(i: number, make: () => Value): Value | undefined;
  /** need(i), then summed from the output's shape back to input i's (broadcast ops). */
  unb(i: number, make: () => Value): Value | undefined;
  /**
   * The gradient accumulated so far for input i, handed to the rule: the rule's result must
   * then include it (it is no longer added). Undefined when there is none.
   */
  takeAccumulated(i: number): Value | undefined;
}

export type Rule = (dy: Value, c: RuleCtx) => readonly (Value | undefined)[];

const attr = (n: NodeDef, k: string, dflt: number): number => {
  const v: AttrValue | undefined = n.attrs[k];
  return typeof v === 'number' ? v : dflt;
};
const swapLast = (r: number) => [...Array(r - 2).keys(), r - 1, r - 2];
const shapeOf = (c: RuleCtx, v: Value) => one(c.o, 'Shape', [v]);
const asReshape: Rule = (dy, c) => [
  c.need(0, () => one(c.o, 'Reshape', [dy, shapeOf(c, c.x[0]!)])),
];

// d/dx of sum/mean over axes: unsqueeze dy back to keepdims, then broadcast to x.
const reduceBack = (dy: Value, c: RuleCtx): Value => {
  const axes = c.x[1];
  if (!axes?.name && attr(c.node, 'noop_with_empty_axes', 0)) return dy;
  const d = axes?.name && !attr(c.node, 'keepdims', 1) ? one(c.o, 'Unsqueeze', [dy, axes]) : dy;
  return one(c.o, 'Expand', [d, shapeOf(c, c.x[0]!)]);
};

export const RULES: Readonly<Record<string, Rule>> = {
  Identity: (dy) => [dy],
  Add: (dy, c) => [c.unb(0, () => dy), c.unb(1, () => dy)],
  Sub: (dy, c) => [c.unb(0, () => dy), c.unb(1, () => c.o.neg(dy))],
  Mul: (dy, c) => [c.unb(0, () => c.o.mul(dy, c.x[1]!)), c.unb(1, () => c.o.mul(dy, c.x[0]!))],
  // y = a / b: dy/db = -a / b^2 = -y / b
  Div: (dy, c) => [
    c.unb(0, () => c.o.div(dy, c.x[1]!)),
    c.unb(1, () => c.o.neg(c.o.div(c.o.mul(dy, c.y), c.x[1]!))),
  ],
  Neg: (dy, c) => [c.o.neg(dy)],
  Pow: (dy, c) => {
    const [x, p] = [c.x[0]!, c.x[1]!];
    if (c.need(1, () => p)) throw new GradientError('Pow: only a constant exponent is supported');
    const pc = one(c.o, 'CastLike', [p, x]);
    const dpow = c.o.mul(pc, c.o.pow(x, c.o.sub(pc, scalarLike(c.o, 1, x))));
    return [c.unb(0, () => c.o.mul(dy, dpow)), undefined];
  },
  Sqrt: (dy, c) => [c.o.div(c.o.mul(dy, scalarLike(c.o, 0.5, dy)), c.y)],
  Reciprocal: (dy, c) => [c.o.neg(c.o.mul(dy, c.o.mul(c.y, c.y)))],
  Exp: (dy, c) => [c.o.mul(dy, c.y)],
  Log: (dy, c) => [c.o.div(dy, c.x[0]!)],
  Sigmoid: (dy, c) => [c.o.mul(dy, c.o.sub(c.y, c.o.mul(c.y, c.y)))],
  Softmax: (dy, c) => {
    const s = c.o.reduceSum(c.o.mul(dy, c.y), [attr(c.node, 'axis', -1)], true);
    return [c.o.mul(c.y, c.o.sub(dy, s))];
  },
  LogSoftmax: (dy, c) => {
    const s = c.o.reduceSum(dy, [attr(c.node, 'axis', -1)], true);
    return [c.o.sub(dy, c.o.mul(c.o.exp(c.y), s))];
  },
  ReduceSum: (dy, c) => [reduceBack(dy, c)],
  ReduceMean: (dy, c) => {
    const count = one(c.o, 'Div', [one(c.o, 'Size', [c.x[0]!]), one(c.o, 'Size', [dy])]);
    return [c.o.div(reduceBack(dy, c), one(c.o, 'CastLike', [count, dy]))];
  },
  MatMul: (dy, c) => {
    const [a, b] = [c.x[0]!, c.x[1]!];
    const [sa, sb, sy] = [c.shape(a), c.shape(b), c.shape(c.y)];
    if (sa.length < 2 || sb.length < 2) throw new GradientError('MatMul: 1-D operands unsupported');
    const batch = sy.slice(0, -2);
    return [
      c.need(0, () => {
        const d = c.o.matMul(dy, c.o.transpose(b, swapLast(sb.length)));
        return sumTo(c.o, d, [...batch, ...sa.slice(-2)], sa, a);
      }),
      c.need(1, () => {
        // a weight [K, N] under batched activations [..., M, K]: one GEMM over all rows,
        // (a as [rows, K])^T @ (dy as [rows, N]); per-batch products summed after would
        // materialise [..., K, N] (1 GB for the LM head at 2 x 128256 x 1024) and reduce it
        if (sb.length === 2 && sa.length > 2) {
          const flat = (v: Value, last: Dim, r: number) =>
            one(c.o, 'Reshape', [
              v,
              typeof last === 'number'
                ? c.o.i64([-1, last])
                : c.o.concat([c.o.i64([-1]), c.o.shape(v, r - 1, r)], 0),
            ]);
          // as (dy^T @ a)^T: a weight used transposed (x @ W^T, every linear layer and the LM
          // head) has its gradient's Transpose cancel this one, so dW = dy^T @ a is one GEMM
          // with no [N, K] copy (onnxruntime removes inverse pairs and fuses the inner one)
          const t = c.o.matMul(
            c.o.transpose(flat(dy, sy.at(-1)!, sy.length), [1, 0]),
            flat(a, sa.at(-1)!, sa.length),
          );
          return c.o.transpose(t, [1, 0]);
        }
        const d = c.o.matMul(c.o.transpose(a, swapLast(sa.length)), dy);
        return sumTo(c.o, d, [...batch, ...sb.slice(-2)], sb, b);
      }),
    ];
  },
  // Axis 0 (embeddings): scatter-add rows, O(rows used) and exact for repeated ids; other axes
  // go through flat element indices. Both use ScatterElements, never ScatterND: onnxruntime's CPU
  // ScatterND 'add' splits its slices across threads unordered, so repeated ids lost updates and
  // summed in a run-dependent order (test/gather-grad-threads.test.ts).
  Gather: (dy, c) => {
    const [data, idx] = [c.x[0]!, c.x[1]!];
    const axis = attr(c.node, 'axis', 0);
    if (axis === 0) {
      // into the gradient accumulated so far (a tied embedding's LM-head part) when there is
      // one: no [V, H] zeros and no Add (each a pass over 131M values at the real vocabulary)
      const base = c.takeAccumulated(0) ?? zerosLike(c.o, data);
      return [scatterRowsAdd(c, base, idx, dy)];
    }
    const picked = c.o.gather(iota(c.o, data), idx, axis);
    return [scatterFlat(c, dy, picked, 'add')];
  },
  GatherElements: (dy, c) => [
    one(c.o, 'ScatterElements', [zerosLike(c.o, c.x[0]!), c.x[1]!, dy], {
      axis: attr(c.node, 'axis', 0),
      reduction: 'add',
    }),
  ],
  Slice: (dy, c) => {
    const padded = padSliceGrad(c, dy);
    if (padded) return [padded];
    const rest = c.node.inputs.slice(1).map((n) => (n ? { name: n } : ('' as const)));
    const picked = one(c.o, 'Slice', [iota(c.o, c.x[0]!), ...rest]);
    return [scatterFlat(c, dy, picked, 'none')];
  },
  Concat: (dy, c) => {
    const r = c.shape(c.y).length;
    const axis = (attr(c.node, 'axis', 0) + r) % r;
    const sizes = c.o.concat(
      c.x.map((x) => c.o.shape(x, axis, axis + 1)),
      0,
    );
    return c.o.g.node('Split', [dy, sizes], { axis }, { outputs: c.x.length });
  },
  Split: (_, c) => [c.o.concat(c.dys, attr(c.node, 'axis', 0)), undefined],
  Transpose: (dy, c) => {
    const r = c.shape(c.x[0]!).length;
    const p = c.node.attrs.perm;
    const perm = Array.isArray(p) ? p : [...Array(r).keys()].reverse();
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [c.o.transpose(dy, inv)];
  },
  Reshape: asReshape,
  Flatten: asReshape,
  Squeeze: asReshape,
  Unsqueeze: asReshape,
  Expand: (dy, c) => [c.unb(0, () => dy)],
  Where: (dy, c) => {
    const zero = scalarLike(c.o, 0, dy);
    const cond = c.x[0]!;
    return [
      undefined,
      c.unb(1, () => c.o.where(cond, dy, zero)),
      c.unb(2, () => c.o.where(cond, zero, dy)),
    ];
  },
  // Gradients flow only float -> float; integer outputs never receive one (see NON_DIFFERENTIABLE).
  Cast: (dy, c) => [one(c.o, 'CastLike', [dy, c.x[0]!])],
  // the second input only lends its dtype
  CastLike: (dy, c) => [c.need(0, () => one(c.o, 'CastLike', [dy, c.x[0]!])), undefined],
};

/** Ops whose outputs carry no gradient (integer/bool results, shape queries, piecewise constants). */
export const NON_DIFFERENTIABLE: ReadonlySet<string> = new Set([
  'Shape',
  'Size',
  'Range',
  'ConstantOfShape',
  'Constant',
  'OneHot',
  'NonZero',
  'ArgMax',
  'ArgMin',
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'And',
  'Or',
  'Not',
  'Xor',
  'IsNaN',
  'IsInf',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
]);

/** Inputs that only lend their dtype: no gradient flows into them, nor does dependence. */
export const DTYPE_ONLY: Readonly<Record<string, number>> = { CastLike: 1 };

/**
 * A Slice with constant starts/ends/axes and unit steps (x[:, :-1], a prefix, a window): dy padded
 * back to x's shape with zeros, one copy. Otherwise undefined, and the rule scatters through
 * flat indices, which costs a Range and a ScatterElements over all of x (16M elements for
 * [2, 256, 32000] logits).
 */
function padSliceGrad(c: RuleCtx, dy: Value): Value | undefined {
  const [, starts, ends, axesIn, stepsIn] = c.node.inputs;
  const known = (n: string | undefined) =>
    n ? (c.o.g.knownValues(n)?.map((v) => (typeof v === 'number' ? v : NaN)) ?? null) : undefined;
  const [s, e, axesK, steps] = [known(starts), known(ends), known(axesIn), known(stepsIn)];
  if (!s || !e || s.length !== e.length || axesK === null || steps === null) return undefined;
  if ([...s, ...e, ...(axesK ?? []), ...(steps ?? [])].some((v) => Number.isNaN(v)))
    return undefined;
  if (steps && steps.some((v) => v !== 1)) return undefined;
  const x = c.x[0]!;
  let dims: readonly Dim[];
  try {
    dims = c.shape(x);
  } catch {
    return undefined; // no static rank: the general path needs none
  }
  const r = dims.length;
  const axes = (axesK ?? s.map((_, i) => i)).map((a) => (a + r) % r);
  const o = c.o;
  const before: Value[] = Array.from({ length: r }, () => o.i64([0]));
  const after: Value[] = [...before];
  axes.forEach((a, j) => {
    const dim = dims[a]!;
    if (typeof dim === 'number') {
      // ONNX Slice: a negative bound counts from the end; both are clamped to [0, dim]
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
      const b = clamp(s[j]!);
      before[a] = o.i64([b]);
      after[a] = o.i64([dim - Math.max(clamp(e[j]!), b)]);
      return;
    }
    const d = o.shape(x, a, a + 1);
    // (INT64_MAX / MIN bounds arrive as rounded numbers: keep them inside int64)
    const big = Number.MAX_SAFE_INTEGER;
    const bound = (v: number) =>
      v < 0
        ? one(o, 'Max', [o.add(d, o.i64([Math.max(v, -big)])), o.i64([0])])
        : one(o, 'Min', [o.i64([Math.min(v, big)]), d]);
    const b = bound(s[j]!);
    before[a] = b;
    after[a] = o.sub(d, one(o, 'Max', [bound(e[j]!), b]));
  });
  return one(o, 'Pad', [dy, o.concat([...before, ...after], 0)]);
}

/**
 * base [V, ...] plus dy's rows at the row ids idx (dy: idx's shape then base's trailing dims), as
 * [V, R] and [N, R] views: ScatterElements applies each output element's updates on one thread,
 * in order, so a repeated id sums exactly and the same on every run.
 */
function scatterRowsAdd(c: RuleCtx, base: Value, idx: Value, dy: Value): Value {
  const o = c.o;
  const ids = one(o, 'Reshape', [idx, o.i64([-1, 1])]);
  const rows = one(o, 'Reshape', [dy, o.concat([o.shape(ids, 0, 1), o.i64([-1])], 0)]);
  const table = one(o, 'Reshape', [base, o.concat([o.shape(base, 0, 1), o.i64([-1])], 0)]);
  const at = one(o, 'Expand', [ids, shapeOf(c, rows)]);
  const s = one(o, 'ScatterElements', [table, at, rows], { axis: 0, reduction: 'add' });
  return one(o, 'Reshape', [s, shapeOf(c, base)]);
}

// Writes dy into zeros of x's flat size at the flat indices `picked` (shaped like dy); one
// ScatterElements over 1-D views runs in index order (see Gather).
function scatterFlat(c: RuleCtx, dy: Value, picked: Value, reduction: string): Value {
  const x = c.x[0]!;
  const flat = (v: Value) => one(c.o, 'Reshape', [v, c.o.i64([-1])]);
  const s = one(c.o, 'ScatterElements', [flat(zerosLike(c.o, x)), flat(picked), flat(dy)], {
    axis: 0,
    reduction,
  });
  return one(c.o, 'Reshape', [s, shapeOf(c, x)]);
}
