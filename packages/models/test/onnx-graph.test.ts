import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ort } from '../src/runtime/ort.js';
import { DataType } from '../src/onnx/dtype.js';
import { GraphBuilder, GraphError } from '../src/onnx/graph.js';
import { Ops } from '../src/onnx/ops.js';
import { decodeModel, encodeModel, writeModel, type ModelMeta } from '../src/onnx/serialize.js';
import { bytesOf } from './helpers/safetensors-bytes.js';

const META: ModelMeta = {
  irVersion: 10,
  opsetImports: [{ domain: '', version: 21 }],
  producerName: 'test',
  producerVersion: '0',
};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-onnx-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const W = Float32Array.from([1, -2, 0.5, 3, 0, -1]); // [3, 2]
const BIAS = Float32Array.from([0.25, -0.75]);

/** y = softmax(x @ W + b) over the last axis, x [batch, 3]. */
function tinyGraph() {
  const g = new GraphBuilder('tiny');
  const o = new Ops(g);
  const x = g.input('x', DataType.FLOAT, ['batch', 3]);
  const w = g.initializer('w', DataType.FLOAT, [3, 2], bytesOf(W));
  let loads = 0;
  const b = g.lazyInitializer('b', DataType.FLOAT, [2], () => {
    loads++;
    return bytesOf(BIAS);
  });
  const y = g.scope('head', () => o.softmax(o.add(o.matMul(x, w), b), -1));
  g.output(y, 'y', DataType.FLOAT, ['batch', 2]);
  return { g, o, y, loads: () => loads };
}

function reference(x: number[]): number[] {
  const z = [0, 1].map((j) => x.reduce((a, xi, i) => a + xi * W[i * 2 + j]!, BIAS[j]!));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  return e.map((v) => v / (e[0]! + e[1]!));
}

async function run(model: string | Uint8Array) {
  const s = await ort.InferenceSession.create(model as string);
  const x = [0.5, -1, 2, 1, 1, 1];
  const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from(x), [2, 3]) });
  await s.release();
  return {
    got: Array.from(out.y!.data as Float32Array),
    want: [...reference(x.slice(0, 3)), ...reference(x.slice(3))],
  };
}

describe('GraphBuilder + serialize', () => {
  it('output() renames a node output in place; later uses of the old handle follow', async () => {
    const { g, o, y } = tinyGraph();
    const doubled = o.add(y, y); // built after y became the output 'y'
    g.output(doubled, 'z', DataType.FLOAT, ['batch', 2]);
    g.output(g.inputs[0]!, 'x_copy', DataType.FLOAT, ['batch', 3]); // an input needs an Identity
    g.output(doubled, 'z2', DataType.FLOAT, ['batch', 2]); // so does a second name
    const m = decodeModel(encodeModel(g, META));
    expect(
      m
        .graph!.node!.map((n) => `${n.opType}(${n.input!.join(',')})->${n.output!.join(',')}`)
        .slice(2),
    ).toEqual([
      `Softmax(${m.graph!.node![1]!.output![0]})->y`,
      'Add(y,y)->z',
      'Identity(x)->x_copy',
      'Identity(z)->z2',
    ]);
    const s = await ort.InferenceSession.create(encodeModel(g, META));
    const out = await s.run({
      x: new ort.Tensor('float32', Float32Array.from([0.5, -1, 2]), [1, 3]),
    });
    await s.release();
    const want = reference([0.5, -1, 2]);
    Array.from(out.z!.data as Float32Array).forEach((v, i) =>
      expect(v).toBeCloseTo(2 * want[i]!, 6),
    );
    expect(Array.from(out.z2!.data as Float32Array)).toEqual(
      Array.from(out.z!.data as Float32Array),
    );
    expect(Array.from(out.x_copy!.data as Float32Array)).toEqual([0.5, -1, 2]);
  });

  it('encodes a graph that onnxruntime runs', async () => {
    const { g, loads } = tinyGraph();
    const bytes = encodeModel(g, META);
    expect(loads()).toBe(1);
    const { got, want } = await run(bytes);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    const m = decodeModel(bytes);
    // output() names the Softmax output 'y' itself: no Identity (a copy per run) before it
    expect(m.graph!.node!.map((n) => n.opType)).toEqual(['MatMul', 'Add', 'Softmax']);
    expect(m.graph!.node![2]!.output).toEqual(['y']);
    expect(m.graph!.node![0]!.output![0]).toMatch(/^\/head\/MatMul_\d+$/);
    expect(m.graph!.input![0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('batch');
  });

  it('writes external data that onnxruntime loads from the model path', async () => {
    const { g } = tinyGraph();
    const file = path.join(tmp, 'ext.onnx');
    const w = writeModel(g, META, file, { externalDataThreshold: 0, inlineBelowBytes: 0 });
    expect(w.dataPath).toBe(`${file}.data`);
    const m = decodeModel(readFileSync(file));
    const ext = m.graph!.initializer!.map((t) =>
      Object.fromEntries(t.externalData!.map((e) => [e.key, e.value])),
    );
    expect(ext).toEqual([
      { location: 'ext.onnx.data', offset: '0', length: '24' },
      { location: 'ext.onnx.data', offset: '32', length: '8' }, // 16-byte aligned
    ]);
    const { got, want } = await run(file);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
  });

  it('stores shared constants once', () => {
    const { g, o } = tinyGraph();
    const before = g.initializers.length;
    const a = o.i64([0, 1]);
    expect(o.i64([0, 1])).toBe(a);
    expect(o.i64([0, 1], false)).toBe(a);
    expect(o.i64([1, 0])).not.toBe(a);
    expect(o.float([0.5], DataType.FLOAT16)).not.toBe(o.float([0.5]));
    expect(g.initializers.length).toBe(before + 4);
  });

  it('rejects duplicate names, non-integer int attributes and wrong initializer sizes', () => {
    const { g, o, y } = tinyGraph();
    expect(() => g.input('x', DataType.FLOAT, [1])).toThrow(
      new GraphError("duplicate value name 'x'"),
    );
    expect(() => g.node('Softmax', [y], { axis: 0.5 })).toThrow(
      "Softmax attribute 'axis': 0.5 is not an integer (use { f })",
    );
    expect(() => g.initializer('z', DataType.FLOAT, [3], new Uint8Array(8))).toThrow(
      "initializer 'z': 8 bytes given, dims [3] need 12",
    );
    g.lazyInitializer('lazy', DataType.FLOAT16, [2, 2], () => new Uint8Array(4));
    expect(() => encodeModel(g, META)).toThrow(
      "initializer 'lazy': loader gave 4 bytes, dims [2, 2] need 8",
    );
    expect(o).toBeDefined();
  });
});
