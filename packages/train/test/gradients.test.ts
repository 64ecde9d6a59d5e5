import { DataType, GraphBuilder, Ops, type Dim, type Value } from '@exp/models/onnx';
import { GradientError, gradients } from '../src/index.js';
import { feeds, session } from './fd.js';

const doubles = (vs: readonly Value[], shape: readonly Dim[]) =>
  new Map(vs.map((v) => [v.name, { dtype: DataType.DOUBLE, shape }]));

function graph() {
  const g = new GraphBuilder('walk');
  const o = new Ops(g);
  const x = g.input('x', DataType.DOUBLE, [3]);
  const z = g.input('z', DataType.DOUBLE, [3]);
  return { g, o, x, z };
}

describe('gradients', () => {
  test('a unit-step Slice (the loss on logits) is differentiated by a Pad, not a scatter', () => {
    const g = new GraphBuilder('slice');
    const o = new Ops(g);
    const x = g.input('x', DataType.DOUBLE, [2, 'S', 5]);
    const y = o.slice(x, [0], [-1], [1]);
    const loss = g.node('ReduceSum', [y], { keepdims: 0 })[0]!;
    const before = g.nodes.length;
    gradients(g, loss, [x], { types: doubles([y], [2, 'S-1', 5]) });
    const ops = g.nodes.slice(before).map((n) => n.opType);
    expect(ops).toContain('Pad');
    expect(ops).not.toContain('ScatterElements');
    expect(ops).not.toContain('Range');
  });

  test('a Slice with steps keeps the flat-index scatter', () => {
    const { g, o, x } = graph();
    const y = g.node('Slice', [x, o.i64([0]), o.i64([3]), o.i64([0]), o.i64([2])])[0]!;
    const loss = g.node('ReduceSum', [y], { keepdims: 0 })[0]!;
    const before = g.nodes.length;
    gradients(g, loss, [x], { types: doubles([y], [2]) });
    const ops = g.nodes.slice(before).map((n) => n.opType);
    expect(ops).toContain('ScatterElements');
    expect(ops).not.toContain('Pad');
  });

  test('an op without a rule on the path is an error naming it', () => {
    const { g, o, x } = graph();
    const loss = g.node('ReduceSum', [o.cos(x)], { keepdims: 0 })[0]!;
    expect(() => gradients(g, loss, [x])).toThrow(GradientError);
    expect(() => gradients(g, loss, [x])).toThrow(
      /no gradient rule for Cos \(node '\/Cos_node_\d+'\)/,
    );
  });

  test('ops off the path need no rule; an unreached wrt gets zeros', async () => {
    const { g, o, x, z } = graph();
    const table = o.cos(o.cast(o.float([0.25, 0.5, 1]), DataType.DOUBLE));
    const prod = o.mul(x, table);
    const loss = g.node('ReduceSum', [prod], { keepdims: 0 })[0]!;
    const [dx, dz] = gradients(g, loss, [x, z], { types: doubles([table, prod], [3]) });
    g.output(dx!, 'dx', DataType.DOUBLE, [3]);
    g.output(dz!, 'dz', DataType.DOUBLE, [3]);
    const s = await session(g);
    const host = { type: 'float64' as const, dims: [3], data: Float64Array.of(1, 2, 3) };
    const r = await s.run(feeds({ x: host, z: host }));
    // d/dx sum(x * cos(c)) = cos(c), with c the float32 constants
    const c = Float32Array.of(0.25, 0.5, 1);
    // (onnxruntime's cos and Math.cos may differ in the last bit)
    [...c].forEach((ci, i) => expect(r.dx!.data[i]).toBeCloseTo(Math.cos(ci), 15));
    expect([...(r.dz!.data as Float64Array)]).toEqual([0, 0, 0]);
    await s.release();
  });

  test('broadcast reduction with a symbolic dim: d/db sum(a * b) sums a over the batch', async () => {
    const g = new GraphBuilder('sym');
    const o = new Ops(g);
    const a = g.input('a', DataType.DOUBLE, ['batch', 3]);
    const b = g.input('b', DataType.DOUBLE, [1, 3]);
    const y = o.mul(a, b);
    const loss = g.node('ReduceSum', [y], { keepdims: 0 })[0]!;
    const [da, db] = gradients(g, loss, [a, b], { types: doubles([y], ['batch', 3]) });
    g.output(da!, 'da', DataType.DOUBLE, ['batch', 3]);
    g.output(db!, 'db', DataType.DOUBLE, [1, 3]);
    const s = await session(g);
    const r = await s.run(
      feeds({
        a: { type: 'float64', dims: [2, 3], data: Float64Array.of(1, 2, 3, 10, 20, 30) },
        b: { type: 'float64', dims: [1, 3], data: Float64Array.of(0.5, 0.25, 2) },
      }),
    );
    expect(r.db!.dims).toEqual([1, 3]);
    expect([...(r.db!.data as Float64Array)]).toEqual([11, 22, 33]);
    expect([...(r.da!.data as Float64Array)]).toEqual([0.5, 0.25, 2, 0.5, 0.25, 2]);
    await s.release();
  });

  test('a gradient asked through the exponent of Pow is an error', () => {
    const { g, o, x, z } = graph();
    const loss = g.node('ReduceSum', [o.pow(x, z)], { keepdims: 0 })[0]!;
    const types = doubles([loss], []);
    expect(() => gradients(g, loss, [z], { types })).toThrow(/Pow: only a constant exponent/);
  });

  test('a shape the rules need but cannot find is an error naming the value', () => {
    const { g, o, x, z } = graph();
    // a data-dependent target shape: no inference can tell the Reshape's shape
    const r = o.g.node('Reshape', [x, o.cast(z, DataType.INT64)])[0]!;
    const loss = g.node('ReduceSum', [o.mul(r, z)], { keepdims: 0 })[0]!;
    expect(() => gradients(g, loss, [x])).toThrow(/shape of '\/(Mul|Reshape)_\d+' is unknown/);
  });
});
