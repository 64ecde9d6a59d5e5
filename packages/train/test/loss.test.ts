import { createRng } from '@exp/data';
import { DataType, GraphBuilder } from '@exp/models/onnx';
import { IGNORE_INDEX, causalLmLoss, causalLmLossWithGrad, gradients } from '../src/index.js';
import { checkGradients, feeds, randomDoubles, session } from './fd.js';

const [B, S, V] = [2, 5, 7];
// -100 at position 0 is dropped by the shift anyway; row 1 ends with an ignored label
const LABELS = [IGNORE_INDEX, 3, IGNORE_INDEX, 6, 0, 2, 1, 5, 4, IGNORE_INDEX];

/** transformers' ForCausalLMLoss in plain JS: loss and d(loss)/d(logits). */
function reference(logits: Float64Array, labels: readonly number[]) {
  const grad = new Float64Array(logits.length);
  let total = 0;
  let count = 0;
  const rows: [number, number][] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t + 1 < S; t++) {
      const y = labels[b * S + t + 1]!;
      if (y === IGNORE_INDEX) continue;
      const row = (b * S + t) * V;
      const z = logits.subarray(row, row + V);
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
      total += lse - z[y]!;
      count++;
      rows.push([row, y]);
      z.forEach((v, k) => (grad[row + k] = Math.exp(v - lse)));
      grad[row + y]! -= 1;
    }
  }
  for (const [row] of rows) for (let k = 0; k < V; k++) grad[row + k]! /= count;
  return { loss: total / count, grad };
}

describe('causalLmLossWithGrad (the training step loss, backward written by hand)', () => {
  test('loss and d(loss)/d(logits) match the JS reference (float64, to 1e-12 relative)', async () => {
    const g = new GraphBuilder('loss');
    const logits = g.input('logits', DataType.DOUBLE, [B, S, V]);
    const labels = g.input('labels', DataType.INT64, [B, S]);
    const { loss, dlogits } = causalLmLossWithGrad(g, logits, labels);
    g.output(loss, 'loss', DataType.DOUBLE, []);
    g.output(dlogits, 'grad', DataType.DOUBLE, [B, S, V]);
    const s = await session(g);
    const data = randomDoubles(createRng('loss'), [B, S, V]).map((v) => 4 * v);
    const r = await s.run(
      feeds({
        logits: { type: 'float64', dims: [B, S, V], data },
        labels: { type: 'int64', dims: [B, S], data: BigInt64Array.from(LABELS.map(BigInt)) },
      }),
    );
    const ref = reference(data, LABELS);
    expect(Math.abs(Number(r.loss!.data[0]) - ref.loss) / ref.loss).toBeLessThan(1e-12);
    const dg = r.grad!.data as Float64Array;
    const maxGrad = Math.max(...ref.grad.map(Math.abs));
    const maxErr = Math.max(...dg.map((v, i) => Math.abs(v - ref.grad[i]!)));
    expect(maxErr / maxGrad).toBeLessThan(1e-12);
    for (const t of [4, 1]) expect([...dg.subarray(t * V, t * V + V)]).toEqual(Array(V).fill(0));
  });
});

describe('causalLmLoss', () => {
  test('loss and gradient match a JS reference (float64, to 1e-12 relative)', async () => {
    const g = new GraphBuilder('loss');
    const logits = g.input('logits', DataType.DOUBLE, [B, S, V]);
    const labels = g.input('labels', DataType.INT64, [B, S]);
    const loss = causalLmLoss(g, logits, labels);
    const [d] = gradients(g, loss, [logits]);
    g.output(loss, 'loss', DataType.DOUBLE, []);
    g.output(d!, 'grad', DataType.DOUBLE, [B, S, V]);
    const s = await session(g);
    const data = randomDoubles(createRng('loss'), [B, S, V]).map((v) => 4 * v);
    const r = await s.run(
      feeds({
        logits: { type: 'float64', dims: [B, S, V], data },
        labels: { type: 'int64', dims: [B, S], data: BigInt64Array.from(LABELS.map(BigInt)) },
      }),
    );
    const ref = reference(data, LABELS);
    const got = Number(r.loss!.data[0]);
    expect(Math.abs(got - ref.loss) / ref.loss).toBeLessThan(1e-12);
    const dg = r.grad!.data as Float64Array;
    const maxGrad = Math.max(...ref.grad.map(Math.abs));
    const maxErr = Math.max(...dg.map((v, i) => Math.abs(v - ref.grad[i]!)));
    expect(maxErr / maxGrad).toBeLessThan(1e-12);
    // the last position and positions before an ignored label get exactly zero
    for (const t of [4, 1]) expect([...dg.subarray(t * V, t * V + V)]).toEqual(Array(V).fill(0));
    await s.release();
  });

  test('gradient matches finite differences (float64, <= 1e-7 relative)', async () => {
    const { maxRelErr } = await checkGradients({
      name: 'causalLmLoss',
      inputs: { logits: [B, S, V] },
      ints: { labels: { dims: [B, S], data: LABELS } },
      out: [],
      build: (o, x) => causalLmLoss(o.g, x.logits!, x.labels!),
    });
    console.log(`causalLmLoss FD max relative error: ${maxRelErr.toExponential(1)}`);
    expect(maxRelErr).toBeLessThanOrEqual(1e-7);
  });

  test('logits of unknown type are an error', () => {
    const g = new GraphBuilder('loss');
    const l = g.node('Identity', [g.input('x', DataType.FLOAT, [2, 3])])[0]!;
    expect(() => causalLmLoss(g, l, l)).toThrow(/need a known \[B, S, V\] type/);
  });
});
