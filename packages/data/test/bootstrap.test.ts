// The one quantile and bootstrap of exp (eval's degradation CIs, attention's metric CIs).
import {
  bootstrapDistributions,
  createRng,
  drawnMean,
  quantile,
  type Statistic,
} from '../src/index.js';

describe('quantile (type 7)', () => {
  test('interpolates between order statistics like numpy.quantile', () => {
    // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; 0.5 -> 2.5; 1 -> 4
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 15);
    expect(quantile(Float64Array.from([1, 2, 3, 4]), 0.25)).toBe(1.75);
  });

  test('an empty list has no quantile', () => {
    expect(() => quantile([], 0.5)).toThrow('quantile: no values');
  });
});

describe('bootstrapDistributions', () => {
  test('draws n indices per resample in order from the rng, shared by every statistic', () => {
    const seen: number[][] = [];
    const record: Statistic = (idx) => (seen.push([...idx]), idx.length);
    const [dist] = bootstrapDistributions(createRng(9), 3, 2, [record]);
    const rng = createRng(9);
    const expected = [0, 1].map(() => [0, 1, 2].map(() => rng.int(3)));
    expect(seen).toEqual(expected);
    expect(Array.from(dist.sorted)).toEqual([3, 3]);
    expect(dist.skipped).toBe(0);
  });

  test('sorted ascending; null values are skipped and counted', () => {
    const xs = [1, 2, 3, 4, 10];
    const [means, odd] = bootstrapDistributions(createRng(7), xs.length, 50, [
      drawnMean(xs),
      (idx) => (idx[0] % 2 === 0 ? null : idx[0]),
    ]);
    expect(means.sorted.length).toBe(50);
    expect(Array.from(means.sorted)).toEqual(Array.from(means.sorted).sort((a, b) => a - b));
    expect(odd.sorted.length + odd.skipped).toBe(50);
    expect(odd.skipped).toBeGreaterThan(0);
    expect(Array.from(odd.sorted).every((v) => v % 2 === 1)).toBe(true);
  });
});
