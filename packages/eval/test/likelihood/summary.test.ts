// summarizeLikelihood on hand-made records: means, paired noise effects, the difference of two
// models' effects with its bootstrap interval and sign-flip p, and the distractor-pull masses.
import { LikelihoodRecordSchema, type LikelihoodRecord } from '../../src/likelihood/record.js';
import { noiseOnlyNumbers } from '../../src/likelihood/numbers.js';
import { signFlipP, summarizeLikelihood } from '../../src/likelihood/summary.js';
import { holmAdjust } from '../../src/stats/holm.js';

/** A record whose sft and protocol scores are `mean` per token over 10 tokens. */
function rec(
  model: string,
  dataset: string,
  i: number,
  mean: number,
  numbers: Record<string, [number, number]> = { '57': [3226, Math.log(0.5)] },
  noise: string[] = [],
): LikelihoodRecord {
  const score = {
    prompt_tokens: 20,
    solution_tokens: 10,
    sum: 10 * mean,
    mean,
    final_tokens: 1,
    final_sum: mean,
    numbers,
  };
  return LikelihoodRecordSchema.parse({
    run: 'r',
    model,
    dataset,
    id: `q${i}`,
    index: i,
    gold: '57',
    noise_numbers: noise,
    sft: score,
    protocol: score,
    ms: 1,
  });
}

const row = (
  s: ReturnType<typeof summarizeLikelihood>,
  model: string,
  dataset: string,
  measure: string,
) => s.rows.find((r) => r.model === model && r.dataset === dataset && r.measure === measure);

test('noise effects are paired by id and differenced between models', () => {
  const records = [
    // llama: clean -1, -2, -3, -4; inf 0.5 lower on each, plus an unpaired item
    ...[1, 2, 3, 4].map((k) => rec('llama', 'clean', k, -k)),
    ...[1, 2, 3, 4].map((k) => rec('llama', 'inf', k, -k - 0.5)),
    rec('llama', 'inf', 9, -100),
    // diffllama: hurt 0.25 less on every item
    ...[1, 2, 3, 4].map((k) => rec('diffllama', 'clean', k, -k)),
    ...[1, 2, 3, 4].map((k) => rec('diffllama', 'inf', k, -k - 0.25)),
  ];
  const s = summarizeLikelihood(records, {
    pair: ['diffllama', 'llama'],
    resamples: 200,
    permutations: 2000,
  });
  expect(row(s, 'llama', 'clean', 'sft_mean')).toEqual({
    model: 'llama',
    dataset: 'clean',
    measure: 'sft_mean',
    n: 4,
    mean: -2.5,
    n_paired: 0,
    effect: null,
  });
  const inf = row(s, 'llama', 'inf', 'protocol_sum')!;
  expect(inf.n).toBe(5);
  expect(inf.n_paired).toBe(4);
  expect(inf.effect).toBeCloseTo(-5, 12);
  const pair = s.pairs.find((p) => p.dataset === 'inf' && p.measure === 'sft_mean')!;
  expect(pair.n).toBe(4);
  expect(pair.diff).toBeCloseTo(0.25, 12);
  // Every paired difference is 0.25: every resample's mean is too.
  expect(pair.lo).toBeCloseTo(0.25, 12);
  expect(pair.hi).toBeCloseTo(0.25, 12);
  // 4 equal differences: only the 2 of 16 sign patterns with all signs equal reach |mean|.
  expect(pair.p).toBeGreaterThan(0.125 - 0.02);
  expect(pair.p).toBeLessThan(0.125 + 0.02);
  // equal differences: no spread, so any difference would be detected
  expect(pair.mde).toBe(0);
  // Holm over every pair row with a p (the pull rows have none)
  const tested = s.pairs.filter((p) => p.p !== null);
  expect(tested.length).toBeGreaterThan(1);
  expect(tested.map((p) => p.p_holm)).toEqual(holmAdjust(tested.map((p) => p.p!)));
  expect(pair.p_holm).toBeGreaterThanOrEqual(pair.p!);
  expect(s.pairs.find((p) => p.measure === 'sft_noise_mass')!.p_holm).toBeNull();
  // No noise-only numbers: the pull measures are undefined on every item.
  expect(s.pairs.find((p) => p.measure === 'sft_noise_mass')!.n).toBe(0);
  // Deterministic: the same records and seed give the same summary.
  expect(
    summarizeLikelihood(records, {
      pair: ['diffllama', 'llama'],
      resamples: 200,
      permutations: 2000,
    }),
  ).toEqual(s);
});

test('distractor pull: distinct first tokens of noise-only numbers, gold token left out', () => {
  const lp = Math.log;
  // 1250 and 125 share their first token (125): counted once; 57's own token is the gold's.
  const noise = ['45', '1250', '125'];
  const clean = rec('llama', 'clean', 1, -1, {
    '57': [3226, lp(0.4)],
    '45': [1774, lp(0.1)],
    '1250': [6549, lp(0.05)],
    '125': [6549, lp(0.05)],
  });
  const noisy = rec(
    'llama',
    'inf',
    1,
    -1,
    {
      '57': [3226, lp(0.2)],
      '45': [1774, lp(0.3)],
      '1250': [6549, lp(0.1)],
      '125': [6549, lp(0.1)],
    },
    noise,
  );
  const s = summarizeLikelihood([clean, noisy]);
  expect(row(s, 'llama', 'inf', 'protocol_noise_mass')!.mean).toBeCloseTo(0.4, 12);
  expect(row(s, 'llama', 'inf', 'protocol_noise_mass')!.effect).toBeCloseTo(0.4 - 0.15, 12);
  expect(row(s, 'llama', 'inf', 'sft_gold_mass')!.effect).toBeCloseTo(0.2 - 0.4, 12);
  // The clean set has no numbers of its own: no pull rows there.
  expect(row(s, 'llama', 'clean', 'sft_noise_mass')).toBeUndefined();
  // A clean record scored without one of the numbers: that item's pull is undefined.
  const partial = rec('llama', 'clean', 1, -1, { '57': [3226, lp(0.4)], '45': [1774, lp(0.1)] });
  expect(
    row(summarizeLikelihood([partial, noisy]), 'llama', 'inf', 'sft_noise_mass')!.n_paired,
  ).toBe(0);
});

test('signFlipP: exact tail for a lopsided sample, seeded', () => {
  // 10 equal positive differences: P(all signs equal) = 2 / 1024.
  const d = new Array<number>(10).fill(1);
  const p = signFlipP(d, 20_000, 7, 'x');
  expect(p).toBeGreaterThan(0.0005);
  expect(p).toBeLessThan(0.0045);
  expect(signFlipP(d, 20_000, 7, 'x')).toBe(p);
  // Symmetric differences: the observed mean is 0, every pattern reaches it.
  expect(signFlipP([1, -1, 2, -2], 500, 7, 'y')).toBe(1);
});

test('noiseOnlyNumbers: numbers of the noise not in the clean question nor the gold', () => {
  expect(
    noiseOnlyNumbers(
      ['Her neighbour keeps 45 cats and 1,250 stamps.', 'The 12 clocks show 3.50 and 57.'],
      'A baker sells 12 muffins and 7 buns. How many in 3 days?',
      '57',
    ),
  ).toEqual(['45', '1250', '3.5']);
});
