// GraphBuilder.typeOf: dtype and shape inference for the ops the decoders emit (src/onnx/infer.ts),
// unit by unit, over the whole golden decoder graphs, and against the shapes onnxruntime computes.
import path from 'node:path';
import { buildDecoderGraph, type DecoderExportOptions } from '../src/arch/decoder.js';
import { Checkpoint } from '../src/checkpoint.js';
import { DataType } from '../src/onnx/dtype.js';
import { GraphBuilder, GraphError, type Dim } from '../src/onnx/graph.js';
import { Ops } from '../src/onnx/ops.js';
import { encodeModel } from '../src/onnx/serialize.js';
import { ort } from '../src/runtime/ort.js';
import { createSession } from '../src/runtime/session.js';
import { readSafetensors } from '../src/safetensors/read.js';
import { FUSED_EXTERNAL, TEST_META } from './helpers/graph-variants.js';
import { goldenDir, type GoldenModel } from './helpers/shared.js';

const F = DataType.FLOAT;
const I64 = DataType.INT64;
const B = 'batch_size';
const S = 'sequence_length';

function setup() {
  const g = new GraphBuilder('t');
  return { g, o: new Ops(g) };
}

describe('typeOf: inputs, initializers, constants', () => {
  it('knows them by handle and by name', () => {
    const { g, o } = setup();
    const x = g.input('x', F, [B, 3]);
    const w = g.initializer('w', F, [3, 2], new Uint8Array(24));
    expect(g.typeOf(x)).toEqual({ dtype: F, shape: [B, 3] });
    expect(g.typeOf('w')).toEqual({ dtype: F, shape: [3, 2] });
    expect(g.typeOf(o.i64([1, 2]))).toEqual({ dtype: I64, shape: [2] });
    expect(g.typeOf(o.float([2]))).toEqual({ dtype: F, shape: [] });
    expect(g.typeOf(w.name + 'x')).toBeUndefined();
  });

  it('follows a node output renamed by output()', () => {
    const { g, o } = setup();
    const y = o.neg(g.input('x', F, [B, 3]));
    g.output(y, 'y', F, [B, 3]);
    expect(g.typeOf(y)).toEqual({ dtype: F, shape: [B, 3] });
    expect(g.typeOf('y')).toEqual({ dtype: F, shape: [B, 3] });
  });
});

describe('broadcasting', () => {
  const add = (a: Dim[], b: Dim[]) => {
    const { g, o } = setup();
    return g.typeOf(o.add(g.input('a', F, a), g.input('b', F, b)))?.shape;
  };

  it('numpy rules: right-aligned, 1 stretches', () => {
    expect(add([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(add([4], [])).toEqual([4]);
    expect(add([1], [5, 1, 1])).toEqual([5, 1, 1]);
  });

  it('symbolic dims', () => {
    expect(add([B, S, 64], [64])).toEqual([B, S, 64]);
    expect(add([B, 1, S], [S, 1])).toEqual([B, S, S]);
    expect(add([B, 1], [1, 'other'])).toEqual([B, 'other']);
    // 'a' with 'b', or 'a' with 4, holds only if one is 1 at run time: left unknown
    expect(add([B, S], [B, 'other'])).toBeUndefined();
    expect(add([S], [4])).toBeUndefined();
  });

  it('a mismatch is a GraphError naming the node, and the node is not added', () => {
    const { g, o } = setup();
    const a = g.input('a', F, [B, 2, 3]);
    const b = g.input('b', F, [4]);
    expect(() => o.add(a, b)).toThrow(
      new GraphError(
        "Add '/Add_node_1': cannot broadcast [batch_size, 2, 3] with [4]: 3 vs 4 at axis -1",
      ),
    );
    expect(g.nodes).toEqual([]);
    expect(() => o.mul(a, g.input('c', I64, [3]))).toThrow(
      new GraphError("Mul '/Mul_node_3': inputs have different element types 1 and 7"),
    );
  });

  it('comparisons and logic give BOOL; Where broadcasts all three', () => {
    const { g, o } = setup();
    const a = g.input('a', I64, [1, 'T']);
    const b = g.input('b', I64, [S, 1]);
    const le = o.lessOrEqual(a, b);
    expect(g.typeOf(le)).toEqual({ dtype: DataType.BOOL, shape: [S, 'T'] });
    const keep = g.input('k', DataType.BOOL, [B, 1, 1, 'T']);
    const both = o.and(le, keep);
    expect(g.typeOf(both)).toEqual({ dtype: DataType.BOOL, shape: [B, 1, S, 'T'] });
    expect(g.typeOf(o.where(both, o.float([0]), o.float([1])))).toEqual({
      dtype: F,
      shape: [B, 1, S, 'T'],
    });
    expect(g.typeOf(o.cast(both, F))).toEqual({ dtype: F, shape: [B, 1, S, 'T'] });
  });
});

describe('shape ops', () => {
  it('MatMul with batch broadcast and 1-D operands', () => {
    const { g, o } = setup();
    const a = g.input('a', F, [B, 1, S, 16]);
    const b = g.input('b', F, [4, 16, 8]);
    expect(g.typeOf(o.matMul(a, b))?.shape).toEqual([B, 4, S, 8]);
    expect(g.typeOf(o.matMul(g.input('v', F, [16]), b))?.shape).toEqual([4, 8]);
    expect(g.typeOf(o.matMul(a, g.input('u', F, [16])))?.shape).toEqual([B, 1, S]);
    expect(() => o.matMul(a, g.input('c', F, [8, 4]))).toThrow(
      /cannot multiply \[batch_size, 1, sequence_length, 16\] by \[8, 4\]: inner dims 16 vs 8$/,
    );
  });

  it('Reshape with 0 and -1, symbolic factors cancelled', () => {
    const { g, o } = setup();
    const x = g.input('x', F, [B, S, 64]);
    expect(g.typeOf(o.reshape(x, [0, 0, 4, -1]))?.shape).toEqual([B, S, 4, 16]);
    expect(g.typeOf(o.reshape(x, [-1, 64]))?.shape).toEqual(['batch_size*sequence_length', 64]);
    expect(g.typeOf(o.reshape(x, [0, 32, -1]))?.shape).toEqual([B, 32, `2*${S}`]);
    const y = o.reshape(g.input('y', F, [B, 2, `2*${S}`, 16]), [0, 4, -1, 0]);
    expect(g.typeOf(y)?.shape).toEqual([B, 4, S, 16]);
    // B*S*6 / 4 is not a polynomial with integer coefficients: a fresh symbol for the output
    const z = o.reshape(g.input('z', F, [B, S, 6]), [4, -1]);
    expect(g.typeOf(z)?.shape).toEqual([4, `${z.name}:1`]);
    expect(() => o.reshape(x, [-1, -1])).toThrow(/more than one -1 in the shape$/);
  });

  it('Transpose, Unsqueeze, Squeeze, Expand, Tile, Gather, Split', () => {
    const { g, o } = setup();
    const x = g.input('x', F, [B, S, 4, 16]);
    expect(g.typeOf(o.transpose(x, [0, 2, 1, 3]))?.shape).toEqual([B, 4, S, 16]);
    const u = o.unsqueeze(x, [2, -1]);
    expect(g.typeOf(u)?.shape).toEqual([B, S, 1, 4, 16, 1]);
    expect(g.typeOf(o.squeeze(u, [2]))?.shape).toEqual([B, S, 4, 16, 1]);
    expect(() => o.squeeze(x, [2])).toThrow(/cannot squeeze axis 2 of .* \(size 4\)$/);
    // no axes: a symbolic dim might be 1 at run time
    expect(g.typeOf(o.squeeze(u))).toBeUndefined();
    expect(g.typeOf(o.expand(o.unsqueeze(x, [2]), [1, 1, 3, 1, 1]))?.shape).toEqual([
      B,
      S,
      3,
      4,
      16,
    ]);
    expect(g.typeOf(o.tile(x, [1, 2, 1, 1]))?.shape).toEqual([B, `2*${S}`, 4, 16]);
    const emb = g.input('emb', F, [512, 64]);
    expect(g.typeOf(o.gather(emb, g.input('ids', I64, [B, S])))?.shape).toEqual([B, S, 64]);
    const [a, b] = o.split(x, [6, 10], -1);
    expect([g.typeOf(a!)?.shape, g.typeOf(b!)?.shape]).toEqual([
      [B, S, 4, 6],
      [B, S, 4, 10],
    ]);
  });

  it('Slice with constant starts/ends/axes', () => {
    const { g, o } = setup();
    const x = g.input('x', F, [10, S]);
    expect(g.typeOf(o.slice(x, [2], [2 ** 62], [0]))?.shape).toEqual([8, S]);
    expect(g.typeOf(o.slice(x, [-3, 1], [2 ** 62, 2 ** 62], [0, 1]))?.shape).toEqual([
      3,
      `${S} - 1`,
    ]);
    expect(g.typeOf(o.slice(x, [0], [20], [0]))?.shape).toEqual([10, S]);
    // the last position of a symbolic dim is 1 only if the dim is not 0: unknown
    expect(g.typeOf(o.slice(x, [-1], [2 ** 62], [1]))).toBeUndefined();
  });

  it('Concat sums the axis; aliases relate dims', () => {
    const { g, o } = setup();
    g.defineDim('total', 'past + seq');
    const past = g.input('past', F, [B, 2, 'past', 16]);
    const cat = o.concat([past, g.input('new', F, [B, 2, 'seq', 16])], 2);
    expect(g.typeOf(cat)?.shape).toEqual([B, 2, 'total', 16]);
    const mask = g.input('mask', F, [B, 1, 'seq', 'total']);
    const scores = o.matMul(g.input('q', F, [B, 2, 'seq', 16]), o.transpose(cat, [0, 1, 3, 2]));
    expect(g.typeOf(o.add(scores, mask))?.shape).toEqual([B, 2, 'seq', 'total']);
    expect(() => o.concat([past, g.input('bad', F, [B, 3, 'past', 16])], 2)).toThrow(
      /cannot concatenate \[batch_size, 2, past, 16\] and \[batch_size, 3, past, 16\] on axis 2: 2 vs 3 at axis 1$/,
    );
  });

  it('Shape, Range with symbolic lengths, Sub of known scalars', () => {
    const { g, o } = setup();
    g.defineDim('T', 'P + S');
    const mask = g.input('mask', I64, [B, 'T']);
    const ids = g.input('ids', I64, [B, 'S']);
    const shape = o.shape(mask, 1, 2);
    expect(g.typeOf(shape)).toEqual({ dtype: I64, shape: [1] });
    expect(g.knownValues(shape)).toEqual(['T']);
    const total = o.squeeze(shape);
    const past = o.sub(total, o.squeeze(o.shape(ids, 1, 2)));
    expect(g.knownValues(past)).toEqual(['P']);
    const one = o.i64([1], true);
    expect(g.typeOf(o.range(o.i64([0], true), total, one))).toEqual({ dtype: I64, shape: ['T'] });
    expect(g.typeOf(o.range(past, total, one))?.shape).toEqual(['S']);
    expect(g.typeOf(o.range(o.i64([1], true), o.i64([8], true), o.i64([3], true)))?.shape).toEqual([
      3,
    ]);
    // a length from run-time values: a fresh symbol
    const r = o.range(one, g.input('n', I64, []), one);
    expect(g.typeOf(r)?.shape).toEqual([`${r.name}:0`]);
  });

  it('reductions, Softmax, ArgMax', () => {
    const { g, o } = setup();
    const x = g.input('x', F, [B, S, 64]);
    expect(g.typeOf(o.reduceMean(x, [-1]))?.shape).toEqual([B, S, 1]);
    expect(g.typeOf(o.reduceSum(x, [0, 2], false))?.shape).toEqual([S]);
    expect(g.typeOf(o.softmax(x))?.shape).toEqual([B, S, 64]);
    expect(g.typeOf(o.argMax(x, -1))).toEqual({ dtype: I64, shape: [B, S] });
    expect(g.typeOf(o.argMax(x, -1, true))).toEqual({ dtype: I64, shape: [B, S, 1] });
  });

  it('inference never changes what is serialized', () => {
    const { g, o } = setup();
    o.add(g.input('x', F, [B, 3]), o.float([1]));
    expect(g.valueInfos).toEqual([]);
  });
});

// In the decoder graphs every value is typed except (asserted below):
// - SkipSimplifiedLayerNormalization outputs 1-2 (fused kernels): mean / inv std dev statistics,
//   unused, whose shape the contrib op does not document;
// - with lastTokenLogits, the Slice [-1:] of sequence_length (1 only if the dim is not 0) and what
//   follows it: the final norm, the LM head, argmax (and the penalized argmax path).

/** The node outputs without a type, as 'OpType:output index'. */
function untyped(g: GraphBuilder, nodes = g.nodes): string[] {
  return nodes.flatMap((n) =>
    n.outputs.filter((o) => !g.typeOf(o)).map((o) => `${n.opType}:${n.outputs.indexOf(o)}`),
  );
}

describe.each(['tiny-llama', 'tiny-diffllama'] as const)('%s decoder graph', (model) => {
  const ckpt = Checkpoint.open(goldenDir(model));
  afterAll(() => ckpt.close());
  // weights are read lazily when a graph is encoded, so the checkpoint stays open
  const build = (opts: DecoderExportOptions) => buildDecoderGraph(ckpt, ckpt.config, opts);

  const cases: [string, DecoderExportOptions][] = [
    ['export fp32', { attentions: true }],
    ['export fp16', { dtype: 'fp16', attentions: true }],
    ['grouped', { attention: 'grouped' }],
    ['fused, external cache', FUSED_EXTERNAL],
  ];
  it.each(cases)('%s: every value typed, outputs as declared', (_, opts) => {
    const g = build(opts);
    // fused: SkipSimplifiedLayerNormalization's mean / inv std dev outputs (1, 2) are unused
    // statistics whose shape the contrib op does not document
    const skips = g.nodes.filter((n) => n.opType === 'SkipSimplifiedLayerNormalization').length;
    expect(untyped(g)).toEqual(
      Array.from({ length: skips }, () => [
        'SkipSimplifiedLayerNormalization:1',
        'SkipSimplifiedLayerNormalization:2',
      ]).flat(),
    );
    for (const out of g.outputs) {
      const t = g.typeOf(out.name)!;
      expect([out.name, t.dtype, t.shape.length]).toEqual([out.name, out.dtype, out.shape.length]);
      t.shape.forEach((d, i) =>
        expect([out.name, i, g.dims.equal(d, out.shape[i]!)]).toEqual([out.name, i, true]),
      );
    }
  });

  it('runtime graph with last-token logits: the Slice of a symbolic dim and what follows stay undefined', () => {
    const g = build({ ...FUSED_EXTERNAL, lastTokenLogits: true, argmax: true });
    // Slice [-1:] of sequence_length is 1 only when the dim is not 0, which inference cannot know:
    // the two Slices before the final norm, the norm, the LM head and the argmax (TopK k=1, its
    // values and indices, then the Squeeze of the indices) stay undefined
    const sliced = g.nodes.findIndex((n) => n.opType === 'Slice');
    const before = untyped(g, g.nodes.slice(0, sliced)).length;
    expect(before).toBe(
      2 *
        g.nodes.slice(0, sliced).filter((n) => n.opType === 'SkipSimplifiedLayerNormalization')
          .length,
    );
    expect(
      g.nodes
        .slice(sliced)
        .map((n) => `${n.opType}:${n.outputs.filter((o) => !g.typeOf(o)).length}`),
    ).toEqual([
      'Slice:1',
      'Slice:1',
      'SkipSimplifiedLayerNormalization:4',
      'MatMul:1',
      'TopK:2',
      'Squeeze:1',
    ]);
  });

  it.each(cases.filter(([name]) => name !== 'export fp16'))(
    '%s: inferred shapes of every intermediate match onnxruntime (past 3, sequence 16, batch 2)',
    async (_, opts) => {
      const g = build(opts);
      const golden = readSafetensors(
        path.join(goldenDir(model as GoldenModel), 'golden.safetensors'),
      );
      const ids = golden.get('case_b.input_ids')!;
      const [batch, seq] = ids.shape as [number, number];
      const past = 3;
      const sizes: Record<string, number> = {
        batch_size: batch,
        sequence_length: seq,
        past_sequence_length: past,
        cache_slots: past,
      };
      const resolve = (d: Dim) => {
        const p = g.dims.expand(d)!;
        let v = 0;
        for (const [key, c] of p)
          v += c * (key ? key.split('*').reduce((a, s) => a * sizes[s]!, 1) : 1);
        return v;
      };
      // every node output becomes a graph output (a test copy: output() renames in place)
      const declared = new Map(g.outputs.map((o) => [o.name, o]));
      const expected = new Map<string, number[]>();
      let untypedCount = 0;
      for (const n of g.nodes.slice()) {
        for (const o of n.outputs) {
          const t = g.typeOf(o);
          if (!t) {
            untypedCount++; // the fused norm's statistics (see above)
            continue;
          }
          const name = declared.has(o) ? o : `check_${expected.size}`;
          expected.set(name, t.shape.map(resolve));
          if (!declared.has(o)) g.output({ name: o }, name, t.dtype, t.shape);
        }
      }
      const session = await createSession(encodeModel(g, TEST_META));
      try {
        const i64 = (data: BigInt64Array, dims: number[]) => new ort.Tensor('int64', data, dims);
        const feeds: Record<string, ort.Tensor> = {
          input_ids: i64(ids.data as BigInt64Array, [batch, seq]),
          attention_mask: i64(new BigInt64Array(batch * (past + seq)).fill(1n), [
            batch,
            past + seq,
          ]),
          position_ids: i64(
            BigInt64Array.from({ length: batch * seq }, (_, i) => BigInt(past + (i % seq))),
            [batch, seq],
          ),
        };
        for (const inp of g.inputs.filter((i) => !(i.name in feeds))) {
          const dims = inp.shape.map(resolve);
          feeds[inp.name] = new ort.Tensor(
            'float32',
            new Float32Array(dims.reduce((a, b) => a * b, 1)),
            dims,
          );
        }
        const out = await session.run(feeds);
        const got = new Map([...expected.keys()].map((k) => [k, [...out[k]!.dims]]));
        expect(got).toEqual(expected);
        expect(expected.size + untypedCount).toBe(
          g.nodes.reduce((a, n) => a + n.outputs.length, 0),
        );
        expect(untypedCount).toBe(untyped(g).length);
      } finally {
        await session.release();
      }
    },
  );
});
