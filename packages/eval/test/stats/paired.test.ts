import { pairedDifference } from '../../src/stats/paired.js';

describe('pairedDifference', () => {
  test('A right on 3 of 4, B on 1 of 4, B right only where A is: diff 0.5, b=2, c=0', () => {
    const a = [true, true, true, false];
    const b = [true, false, false, false];
    const r = pairedDifference(a, b, { seed: 1 });
    expect(r.diff).toBe(0.5);
    // p = 2 * C(2,0) / 2^2 = 0.5
    expect(r.p).toBe(0.5);
    // Per item the difference is 0 or +1 (never -1), so every resample mean is in [0, 1].
    expect(r.lo).toBeGreaterThanOrEqual(0);
    expect(r.hi).toBeLessThanOrEqual(1);
    expect(r.lo).toBeLessThan(0.5);
    expect(r.hi).toBeGreaterThan(0.5);
  });

  test('identical outcomes: diff 0, CI [0, 0], p 1', () => {
    const a = [true, false, true];
    expect(pairedDifference(a, [...a], { seed: 1 })).toEqual({ diff: 0, lo: 0, hi: 0, p: 1 });
  });

  test('A always right where B is wrong and vice versa never: CI is [d, d] for constant d', () => {
    // Every item has per-item difference +1: all resample means are 1.
    expect(pairedDifference([true, true], [false, false], { seed: 2 })).toEqual({
      diff: 1,
      lo: 1,
      hi: 1,
      p: 0.5, // b=2, c=0: 2 * 1/4
    });
  });

  test('pairing narrows the CI compared with independent samples', () => {
    // 100 items; B = A except 10 items A gets right that B does not.
    const a = Array.from({ length: 100 }, (_, i) => i < 50);
    const b = a.map((x, i) => x && i >= 10);
    const r = pairedDifference(a, b, { seed: 9, resamples: 4000 });
    expect(r.diff).toBeCloseTo(0.1, 12);
    // Paired sd = sqrt(0.1 * 0.9 / 100) = 0.03, so about [0.04, 0.16]; unpaired would be ~±0.13.
    expect(r.lo).toBeGreaterThan(0.03);
    expect(r.hi).toBeLessThan(0.17);
    expect(r.p).toBeCloseTo(2 / 1024, 12); // b=10, c=0
  });

  test('deterministic per seed', () => {
    const a = [true, false, true, false, true];
    const b = [false, true, true, false, false];
    expect(pairedDifference(a, b, { seed: 4 })).toEqual(pairedDifference(a, b, { seed: 4 }));
  });
});
