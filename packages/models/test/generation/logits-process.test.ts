import {
  LogitsProcessorList,
  RepetitionPenaltyLogitsProcessor,
  TemperatureLogitsWarper,
  TopKLogitsWarper,
  TopPLogitsWarper,
  kthLargest,
  softmax,
} from '../../src/generation/logits-process.js';

describe('RepetitionPenaltyLogitsProcessor (HF semantics)', () => {
  it('divides positive and multiplies negative scores of seen ids, once per distinct id', () => {
    const scores = Float32Array.from([2.0, -1.0, 0.5, 3.0, -0.25, 0.0]);
    new RepetitionPenaltyLogitsProcessor(2).process([0, 1, 1, 4, 5, 0], scores);
    // id 0: 2.0 / 2; id 1: -1.0 * 2 (twice in ids, penalised once); id 4: -0.25 * 2;
    // id 5: 0.0 stays 0 (not < 0, 0 / 2 = 0); ids 2 and 3 unseen
    expect(Array.from(scores)).toEqual([1.0, -2.0, 0.5, 3.0, -0.5, 0.0]);
  });

  it('with penalty < 1 encourages repeats (HF formula unchanged)', () => {
    const scores = Float32Array.from([1.5, -3.0]);
    new RepetitionPenaltyLogitsProcessor(0.5).process([0, 1], scores);
    expect(Array.from(scores)).toEqual([3.0, -1.5]);
  });

  it('matches torch float32 arithmetic for a non-power-of-two penalty', () => {
    const scores = Float32Array.from([1.3, -0.7]);
    new RepetitionPenaltyLogitsProcessor(1.2).process([0, 1], scores);
    // torch: tensor(f32) op python-float computes in float32, the penalty rounded to float32
    expect(scores[0]).toBe(Math.fround(Math.fround(1.3) / Math.fround(1.2)));
    expect(scores[1]).toBe(Math.fround(Math.fround(-0.7) * Math.fround(1.2)));
  });

  it('rounds the penalty to float32 first, where float64 would differ by one ulp', () => {
    // 0.001 / 1.1 and -0.001 * 1.1 with the float64 penalty round to a neighbouring float32
    const scores = Float32Array.from([0.001, -0.001]);
    new RepetitionPenaltyLogitsProcessor(1.1).process([0, 1], scores);
    expect(scores[0]).toBe(0.0009090909152291715);
    expect(scores[1]).toBe(-0.0011000001104548573);
    expect(scores[0]).not.toBe(Math.fround(Math.fround(0.001) / 1.1));
    expect(scores[1]).not.toBe(Math.fround(Math.fround(-0.001) * 1.1));
  });

  it('rejects a penalty <= 0', () => {
    expect(() => new RepetitionPenaltyLogitsProcessor(0)).toThrow('repetitionPenalty must be > 0');
  });
});

describe('warpers', () => {
  it('temperature divides every score', () => {
    const s = Float32Array.from([1, -2, 0.5]);
    new TemperatureLogitsWarper(0.5).process([], s);
    expect(Array.from(s)).toEqual([2, -4, 1]);
  });

  it('top-k keeps the k largest and ties with the k-th', () => {
    const s = Float32Array.from([0.1, 5, 3, 3, -1, 4]);
    new TopKLogitsWarper(3).process([], s);
    expect(Array.from(s)).toEqual([-Infinity, 5, 3, 3, -Infinity, 4]);
  });

  it('top-p drops the low tail whose mass is <= 1 - p, keeps the best token', () => {
    // probabilities 0.5, 0.25, 0.125, 0.125
    const logp = [0.5, 0.25, 0.125, 0.125].map(Math.log);
    const s = Float32Array.from(logp);
    new TopPLogitsWarper(0.7).process([], s);
    // ascending cumsum: 0.125, 0.25 (<= 0.3, removed), 0.5 (> 0.3, kept)
    expect(Array.from(s).map((x) => x === -Infinity)).toEqual([false, false, true, true]);
    const one = Float32Array.from([1, 2, 3]);
    new TopPLogitsWarper(1e-9).process([], one);
    expect(Array.from(one)).toEqual([-Infinity, -Infinity, 3]);
  });

  it('a list runs its processors in order', () => {
    const s = Float32Array.from([2, -2]);
    new LogitsProcessorList([
      new RepetitionPenaltyLogitsProcessor(2),
      new TemperatureLogitsWarper(4),
    ]).process([0, 1], s);
    expect(Array.from(s)).toEqual([0.25, -1]);
  });
});

it('kthLargest agrees with a sort', () => {
  const v = Float32Array.from({ length: 1000 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 7);
  const sorted = Array.from(v).sort((a, b) => b - a);
  for (const k of [1, 2, 50, 500, 1000]) expect(kthLargest(v, k)).toBe(sorted[k - 1]);
});

it('softmax sums to one and handles -Infinity', () => {
  const p = softmax(Float32Array.from([1, 2, -Infinity, 3]));
  expect(p[2]).toBe(0);
  expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  expect(p[3]! / p[2 - 1]!).toBeCloseTo(Math.E, 10);
});
