import { percentileBootstraps, type Statistic } from '../../src/stats/bootstrap.js';
import { passAt1 } from '../../src/stats/pass-at-1.js';

const outcomes = (k: number, n: number) => Array.from({ length: n }, (_, i) => i < k);

/** A percentile bootstrap of Pass@1: the machinery the degradation CI uses, on the simplest statistic. */
function passAt1Bootstrap(
  correct: boolean[],
  opts: { seed: number; resamples?: number; level?: number },
) {
  const statistic: Statistic = (idx) => idx.filter((i) => correct[i]).length / correct.length;
  return percentileBootstraps(opts, 'pass@1', [{ n: correct.length, statistic }])[0].interval!;
}

describe('passAt1', () => {
  test('share correct', () => {
    expect(passAt1([true, false, true, true])).toBe(0.75);
    expect(passAt1([false])).toBe(0);
  });
  test('no items is an error, not NaN', () => {
    expect(() => passAt1([])).toThrow('passAt1: expected at least one item, got none');
  });
});

describe('percentileBootstraps', () => {
  test('two items, one right: resample means 0, 0.5, 1 w.p. 1/4, 1/2, 1/4 -> [0, 1]', () => {
    // The 2.5% and 97.5% points fall inside the 25% masses at 0 and 1.
    expect(passAt1Bootstrap([true, false], { seed: 7 })).toEqual({ lo: 0, hi: 1 });
  });

  test('deterministic per seed, different across seeds', () => {
    // Few resamples, so that the interpolated ends fall between grid points and tell seeds apart
    // (with 10,000 both ends are usually the same multiples of 1/n for any seed).
    const xs = outcomes(90, 201);
    const a = passAt1Bootstrap(xs, { seed: 42, resamples: 20 });
    expect(passAt1Bootstrap(xs, { seed: 42, resamples: 20 })).toEqual(a);
    expect(passAt1Bootstrap(xs, { seed: 43, resamples: 20 })).not.toEqual(a);
    expect(a.lo).toBeLessThan(90 / 201);
    expect(a.hi).toBeGreaterThan(90 / 201);
  });

  test('matches the normal approximation for n = 400, p = 0.5', () => {
    // sd = sqrt(0.25 / 400) = 0.025, so about [0.451, 0.549]; the grid is 1/400 wide.
    const { lo, hi } = passAt1Bootstrap(outcomes(200, 400), { seed: 3, resamples: 4000 });
    expect(Math.abs(lo - 0.451)).toBeLessThan(0.006);
    expect(Math.abs(hi - 0.549)).toBeLessThan(0.006);
  });

  test('a narrower level gives a narrower interval', () => {
    const xs = outcomes(10, 40);
    const wide = passAt1Bootstrap(xs, { seed: 5, resamples: 2000 });
    const narrow = passAt1Bootstrap(xs, { seed: 5, resamples: 2000, level: 0.5 });
    expect(narrow.lo).toBeGreaterThan(wide.lo);
    expect(narrow.hi).toBeLessThan(wide.hi);
  });

  test('bad options are refused', () => {
    expect(() => passAt1Bootstrap([true, false], { seed: 1, resamples: 0 })).toThrow(
      'bootstrap: resamples: expected a positive integer, got 0',
    );
    expect(() => passAt1Bootstrap([true, false], { seed: 1, level: 1 })).toThrow(
      'bootstrap: level: expected a number in (0, 1), got 1',
    );
  });
});
