// One finite-difference case per rule (and the broadcasting / reuse cases): tiny float64 graphs.
import { DataType } from '@exp/models/onnx';
import type { OpCase } from './fd.js';

const bools = (n: number) => Uint8Array.from({ length: n }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
const f64 = (v: number) => Float64Array.of(v);

export const OP_CASES: readonly OpCase[] = [
  {
    name: 'MatMul',
    inputs: { a: [3, 4], b: [4, 5] },
    out: [3, 5],
    build: (o, x) => o.matMul(x.a!, x.b!),
  },
  {
    name: 'MatMul batch-broadcast',
    inputs: { a: [2, 3, 4], b: [4, 5] },
    out: [2, 3, 5],
    build: (o, x) => o.matMul(x.a!, x.b!),
  },
  {
    name: 'MatMul batched',
    inputs: { a: [2, 1, 3, 4], b: [3, 4, 2] },
    out: [2, 3, 3, 2],
    build: (o, x) => o.matMul(x.a!, x.b!),
  },
  {
    name: 'Gather embedding (repeated ids)',
    inputs: { table: [6, 3] },
    ints: { ids: { dims: [2, 4], data: [1, 4, 1, 0, 5, 1, 4, 2] } },
    out: [2, 4, 3],
    build: (o, x) => o.gather(x.table!, x.ids!, 0),
  },
  {
    name: 'Gather axis 1',
    inputs: { t: [3, 5] },
    ints: { ids: { dims: [3], data: [4, 0, 4] } },
    out: [3, 3],
    build: (o, x) => o.gather(x.t!, x.ids!, 1),
  },
  {
    name: 'GatherElements',
    inputs: { t: [3, 4] },
    ints: { ids: { dims: [3, 2], data: [0, 3, 1, 1, 2, 0] } },
    out: [3, 2],
    build: (o, x) => o.g.node('GatherElements', [x.t!, x.ids!], { axis: 1 })[0]!,
  },
  {
    name: 'Add',
    inputs: { a: [2, 3], b: [2, 3] },
    out: [2, 3],
    build: (o, x) => o.add(x.a!, x.b!),
  },
  {
    name: 'Add broadcast [2,1,4]+[3,1]',
    inputs: { a: [2, 1, 4], b: [3, 1] },
    out: [2, 3, 4],
    build: (o, x) => o.add(x.a!, x.b!),
  },
  {
    name: 'Sub broadcast [2,3]-[2,1]',
    inputs: { a: [2, 3], b: [2, 1] },
    out: [2, 3],
    build: (o, x) => o.sub(x.a!, x.b!),
  },
  {
    name: 'Mul broadcast [4]*[2,3,4]',
    inputs: { a: [4], b: [2, 3, 4] },
    out: [2, 3, 4],
    build: (o, x) => o.mul(x.a!, x.b!),
  },
  {
    name: 'Div broadcast [2,3]/[3]',
    inputs: { a: [2, 3], b: [3] },
    positive: true,
    out: [2, 3],
    build: (o, x) => o.div(x.a!, x.b!),
  },
  { name: 'Neg', inputs: { x: [5] }, out: [5], build: (o, x) => o.neg(x.x!) },
  {
    name: 'Pow x^3',
    inputs: { x: [2, 3] },
    out: [2, 3],
    build: (o, x) => o.pow(x.x!, o.g.constant(DataType.DOUBLE, [], f64(3))),
  },
  {
    name: 'Pow x^-0.5 (float exponent)',
    inputs: { x: [2, 3] },
    positive: true,
    out: [2, 3],
    build: (o, x) => o.pow(x.x!, o.float([-0.5])),
  },
  {
    name: 'Sqrt',
    inputs: { x: [2, 3] },
    positive: true,
    out: [2, 3],
    build: (o, x) => o.sqrt(x.x!),
  },
  {
    name: 'Reciprocal',
    inputs: { x: [2, 3] },
    positive: true,
    out: [2, 3],
    build: (o, x) => o.reciprocal(x.x!),
  },
  { name: 'Exp', inputs: { x: [2, 3] }, out: [2, 3], build: (o, x) => o.exp(x.x!) },
  {
    name: 'Log',
    inputs: { x: [2, 3] },
    positive: true,
    out: [2, 3],
    build: (o, x) => o.g.node('Log', [x.x!])[0]!,
  },
  { name: 'Sigmoid', inputs: { x: [2, 3] }, out: [2, 3], build: (o, x) => o.sigmoid(x.x!) },
  {
    name: 'ReduceMean axes [1] keepdims',
    inputs: { x: [2, 3, 4] },
    out: [2, 1, 4],
    build: (o, x) => o.reduceMean(x.x!, [1], true),
  },
  {
    name: 'ReduceSum axes [0,-1] no keepdims',
    inputs: { x: [2, 3, 4] },
    out: [3],
    build: (o, x) => o.reduceSum(x.x!, [0, -1], false),
  },
  {
    name: 'ReduceSum all, no keepdims',
    inputs: { x: [2, 3] },
    out: [],
    build: (o, x) => o.g.node('ReduceSum', [x.x!], { keepdims: 0 })[0]!,
  },
  {
    name: 'ReduceMean all, keepdims',
    inputs: { x: [2, 3] },
    out: [1, 1],
    build: (o, x) => o.g.node('ReduceMean', [x.x!], { keepdims: 1 })[0]!,
  },
  { name: 'Softmax', inputs: { x: [2, 5] }, out: [2, 5], build: (o, x) => o.softmax(x.x!, -1) },
  {
    name: 'Softmax axis 1 of 3',
    inputs: { x: [2, 3, 4] },
    out: [2, 3, 4],
    build: (o, x) => o.softmax(x.x!, 1),
  },
  {
    name: 'LogSoftmax',
    inputs: { x: [3, 4] },
    out: [3, 4],
    build: (o, x) => o.g.node('LogSoftmax', [x.x!], { axis: -1 })[0]!,
  },
  { name: 'Reshape', inputs: { x: [2, 6] }, out: [3, 4], build: (o, x) => o.reshape(x.x!, [3, 4]) },
  {
    name: 'Flatten',
    inputs: { x: [2, 3, 2] },
    out: [2, 6],
    build: (o, x) => o.g.node('Flatten', [x.x!], { axis: 1 })[0]!,
  },
  {
    name: 'Split one piece used (the other gets zeros)',
    inputs: { x: [2, 5] },
    out: [2, 3],
    build: (o, x) => o.split(x.x!, [2, 3], 1)[1]!,
  },
  {
    name: 'Split both pieces used',
    inputs: { x: [2, 5] },
    out: [2, 5],
    build: (o, x) => {
      const [a, b] = o.split(x.x!, [2, 3], -1);
      return o.concat([o.exp(b!), a!], 1);
    },
  },
  {
    name: 'Transpose perm [2,0,1]',
    inputs: { x: [2, 3, 4] },
    out: [4, 2, 3],
    build: (o, x) => o.transpose(x.x!, [2, 0, 1]),
  },
  {
    name: 'Transpose default perm',
    inputs: { x: [2, 3, 4] },
    out: [4, 3, 2],
    build: (o, x) => o.g.node('Transpose', [x.x!])[0]!,
  },
  {
    name: 'Slice with steps',
    inputs: { x: [4, 5] },
    out: [2, 3],
    build: (o, x) =>
      o.g.node('Slice', [x.x!, o.i64([1, 0]), o.i64([3, 5]), o.i64([0, 1]), o.i64([1, 2])])[0]!,
  },
  {
    name: 'Slice negative step',
    inputs: { x: [5, 2] },
    out: [3, 2],
    build: (o, x) =>
      o.g.node('Slice', [x.x!, o.i64([-1]), o.i64([1]), o.i64([0]), o.i64([-1])])[0]!,
  },
  {
    name: 'Slice unit steps, end -1 (the loss on logits): Pad',
    inputs: { x: [2, 4, 3] },
    out: [2, 3, 3],
    build: (o, x) => o.slice(x.x!, [0], [-1], [1]),
  },
  {
    name: 'Slice default axes and steps, bounds clamped: Pad',
    inputs: { x: [5, 3] },
    out: [4, 2],
    build: (o, x) => o.g.node('Slice', [x.x!, o.i64([1, -10]), o.i64([100, 2])])[0]!,
  },
  {
    name: 'Slice of a symbolic dim, negative start: Pad with graph bounds',
    inputs: { x: [6, 2] },
    out: [3, 2],
    build: (o, x, ty) => {
      const v = ty(o.g.node('Identity', [x.x!])[0]!, ['n', 2]);
      return o.g.node('Slice', [v, o.i64([-4]), o.i64([5]), o.i64([0])])[0]!;
    },
  },
  {
    name: 'Concat axis -1',
    inputs: { a: [2, 3], b: [2, 2], c: [2, 1] },
    out: [2, 6],
    build: (o, x) => o.concat([x.a!, x.b!, x.c!], -1),
  },
  {
    name: 'Expand [3,1] -> [2,3,4]',
    inputs: { x: [3, 1] },
    out: [2, 3, 4],
    build: (o, x) => o.expand(x.x!, [2, 3, 4]),
  },
  {
    name: 'Unsqueeze',
    inputs: { x: [2, 3] },
    out: [2, 1, 3],
    build: (o, x) => o.unsqueeze(x.x!, [1]),
  },
  { name: 'Squeeze', inputs: { x: [2, 1, 3] }, out: [2, 3], build: (o, x) => o.squeeze(x.x!, [1]) },
  {
    name: 'Where broadcast',
    inputs: { a: [2, 3], b: [3] },
    out: [2, 3],
    build: (o, x) => o.where(o.g.constant(DataType.BOOL, [2, 3], bools(6)), x.a!, x.b!),
  },
  {
    // float32 in the middle: a larger step keeps float32 rounding out of the difference
    name: 'Cast float64 -> float32 -> float64',
    inputs: { x: [2, 3] },
    out: [2, 3],
    h: 1e-2,
    build: (o, x, ty) =>
      o.cast(
        ty(o.mul(ty(o.cast(x.x!, DataType.FLOAT), [2, 3]), o.float([3])), [2, 3]),
        DataType.DOUBLE,
      ),
  },
  {
    name: 'CastLike float32 -> like x (x lends only its dtype)',
    inputs: { x: [2, 3] },
    out: [2, 3],
    h: 1e-2,
    build: (o, x, ty) => {
      const f = ty(o.mul(ty(o.cast(x.x!, DataType.FLOAT), [2, 3]), o.float([3])), [2, 3]);
      return o.g.node('CastLike', [f, x.x!])[0]!;
    },
  },
  {
    name: 'Identity',
    inputs: { x: [3] },
    out: [3],
    build: (o, x) => o.g.node('Identity', [x.x!])[0]!,
  },
  {
    name: 'value used three times: x*x + exp(x)',
    inputs: { x: [2, 3] },
    out: [2, 3],
    build: (o, x, ty) => o.add(ty(o.mul(x.x!, x.x!), [2, 3]), ty(o.exp(x.x!), [2, 3])),
  },
  {
    name: 'chain: sigmoid(x @ w) * x, gradient stops at Shape',
    inputs: { x: [3, 3], w: [3, 3] },
    out: [3, 3],
    build: (o, x, ty) => {
      const h = ty(o.sigmoid(ty(o.matMul(x.x!, x.w!), [3, 3])), [3, 3]);
      const back = o.g.node('Reshape', [h, o.shape(o.exp(x.x!))])[0]!;
      return o.mul(ty(back, [3, 3]), x.x!);
    },
  },
];
