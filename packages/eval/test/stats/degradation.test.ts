import { alignById, relativeDegradation } from '../../src/stats/degradation.js';

describe('relativeDegradation', () => {
  test('clean 4/4, noisy 2/4 -> (1 - 0.5) / 1 = 0.5', () => {
    const r = relativeDegradation([true, true, true, true], [true, true, false, false], {
      seed: 1,
    });
    expect(r.value).toBe(0.5);
    expect(r.n).toBe(4);
    expect(r.skipped).toBe(0); // clean is all right, so no resample has clean accuracy 0
    // Each resample is the share of drawn noisy failures: within [0, 1], around 0.5.
    expect(r.lo).toBeGreaterThanOrEqual(0);
    expect(r.hi).toBeLessThanOrEqual(1);
  });

  test('no loss -> 0 with CI [0, 0]; resamples drawing only the wrong item are skipped', () => {
    const xs = [true, false, true];
    const r = relativeDegradation(xs, [...xs], { seed: 1 });
    expect([r.value, r.lo, r.hi, r.n]).toEqual([0, 0, 0, 3]);
    // P(all 3 draws hit item 1) = 1/27: ~370 of 10,000 (sd ~19).
    expect(r.skipped).toBeGreaterThan(300);
    expect(r.skipped).toBeLessThan(440);
  });

  test('clean accuracy 0 -> null', () => {
    expect(relativeDegradation([false, false], [true, false], { seed: 1 })).toEqual({
      value: null,
      lo: null,
      hi: null,
      n: 2,
      skipped: 0,
    });
  });

  test('resamples with clean accuracy 0 are skipped', () => {
    // clean [T, F], noisy [F, F]: a resample drawing item 1 twice (p = 1/4) has clean 0 and is
    // skipped; every other resample has degradation exactly 1.
    const r = relativeDegradation([true, false], [false, false], { seed: 11 });
    expect(r.value).toBe(1);
    expect(r.lo).toBe(1);
    expect(r.hi).toBe(1);
    // 10,000 * 1/4 = 2,500 expected, sd sqrt(10000 * 3/16) ~ 43.
    expect(r.skipped).toBeGreaterThan(2300);
    expect(r.skipped).toBeLessThan(2700);
  });

  test('noisy better than clean gives a negative degradation', () => {
    const r = relativeDegradation([true, false, false, false], [true, true, false, false], {
      seed: 1,
    });
    expect(r.value).toBe(-1); // (1 - 2) / 1
  });
});

describe('alignById', () => {
  test('keeps the items present in both, in the order of clean', () => {
    const clean = new Map([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
    const noisy = new Map([
      ['c', false],
      ['a', true],
      ['z', true],
    ]);
    expect(alignById(clean, noisy)).toEqual({
      ids: ['a', 'c'],
      clean: [true, true],
      noisy: [true, false],
    });
  });
});
