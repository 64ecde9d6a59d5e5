// The WebAssembly kernels behind AdamW and gradient accumulation: the committed module is
// kernels.wat's, AdamW agrees with torch.optim.AdamW in float32 (fixture from
// tools/crosscheck/adamw_fixture.py), and chunking leaves no trace in the results.
import { readFileSync } from 'node:fs';
import { compileKernels, kernelsSource } from '../scripts/kernels.js';
import { GradientAccumulator, adamwStep, type AdamWHyper } from '../src/index.js';
import { adamwState } from '../src/optim/adamw.js';

const FIXTURE = new URL('./fixtures/adamw-torch.json', import.meta.url);
const GENERATED = new URL('../src/optim/kernels-wasm.ts', import.meta.url);

const fromBase64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const rand = (n: number, seed: number, scale = 0.02) =>
  Float32Array.from({ length: n }, () => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647 - 0.5) * scale;
  });

test('kernels-wasm.ts is kernels.wat compiled (pnpm -F @exp/train kernels)', async () => {
  expect(readFileSync(GENERATED, 'utf8')).toBe(kernelsSource(await compileKernels()));
});

interface TorchCase {
  name: string;
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  p0: string;
  grads: string[];
  steps: { p: string; m: string; v: string }[];
}

describe('AdamW against torch.optim.AdamW, float32 on the CPU, 3 steps of 1,027 values', () => {
  const { source, cases } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    source: string;
    cases: TorchCase[];
  };
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const hp: AdamWHyper = {
      lr: c.lr,
      beta1: c.betas[0],
      beta2: c.betas[1],
      eps: c.eps,
      weightDecay: c.weight_decay,
    };
    const p = fromBase64(c.p0);
    const state = adamwState(p.length);
    const pEqual: number[] = [];
    c.grads.forEach((g, k) => {
      const before = p.slice();
      adamwStep(p, fromBase64(g), state, hp);
      const want = c.steps[k]!;
      // lerp and addcmul are fused multiply-adds in torch's kernels and in ours: bitwise
      expect(state.m).toEqual(fromBase64(want.m));
      expect(state.v).toEqual(fromBase64(want.v));
      const wantP = fromBase64(want.p);
      pEqual.push(p.filter((x, i) => x === wantP[i]).length);
      // elsewhere a rounding of p or of its update apart, relative to the larger of the two
      const scale = (i: number) => Math.max(Math.abs(before[i]!), Math.abs(wantP[i]! - before[i]!));
      const worst = Math.max(...p.map((x, i) => Math.abs(x - wantP[i]!) / scale(i)));
      expect(worst).toBeLessThanOrEqual(2 ** -22);
    });
    console.log(`${source}, ${c.name}: p bitwise equal on ${pEqual.join(', ')} of ${p.length}`);
    // the float64 arithmetic used before matched torch's p on 279-677 of these 1,027
    for (const n of pEqual) expect(n).toBeGreaterThanOrEqual(1013);
  });
});

describe('chunks and tails leave no trace', () => {
  // 2 chunks of 16,384 values and an odd tail
  const n = 2 * 16384 + 7;
  const hp: AdamWHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

  test('AdamW over the whole array equals AdamW over pieces of it', () => {
    const p = rand(n, 1);
    const whole = { p: p.slice(), s: adamwState(n) };
    const cuts = [0, 3, 16390, 16391, n];
    const pieces = cuts.slice(1).map((end, i) => ({
      p: p.slice(cuts[i], end),
      s: adamwState(end - cuts[i]!),
    }));
    for (const seed of [2, 3, 4]) {
      const g = rand(n, seed);
      adamwStep(whole.p, g, whole.s, hp, 0.5);
      pieces.forEach((x, i) => adamwStep(x.p, g.slice(cuts[i], cuts[i + 1]), x.s, hp, 0.5));
    }
    expect(whole.p).toEqual(Float32Array.from(pieces.flatMap((x) => [...x.p])));
    expect(whole.s.v).toEqual(Float32Array.from(pieces.flatMap((x) => [...x.s.v])));
  });

  test('accumulation: float32 sums as a plain loop gives them, float64 squares (another order)', () => {
    const [g1, g2] = [rand(n, 5), rand(n, 6)];
    const acc = new GradientAccumulator();
    acc.add(new Map([['w', g1.slice()]]), 1);
    acc.add(new Map([['w', g2]]), 1, { last: true });
    const { sums, norm } = acc.take();
    const want = g1.map((x, i) => x + g2[i]!);
    expect(sums.get('w')).toEqual(want);
    let sq = 0;
    for (const x of want) sq += x * x;
    expect(Math.abs(norm - Math.sqrt(sq) / 2) / norm).toBeLessThan(1e-12);
  });
});
