import { newcombePairedInterval, pairedDifference, pairedTable } from '../../src/stats/paired.js';

describe('pairedDifference', () => {
  test('A right on 3 of 4, B on 1 of 4, B right only where A is: diff 0.5, b=2, c=0', () => {
    const a = [true, true, true, false];
    const b = [true, false, false, false];
    expect(pairedTable(a, b)).toEqual({ a: 1, b: 2, c: 0, d: 1 });
    const r = pairedDifference(a, b);
    expect(r.diff).toBe(0.5);
    // p = 2 * C(2,0) / 2^2 = 0.5
    expect(r.p).toBe(0.5);
    expect([r.lo, r.hi]).toEqual(Object.values(newcombePairedInterval({ a: 1, b: 2, c: 0, d: 1 })));
    expect(r.lo).toBeLessThan(0.5);
    expect(r.hi).toBeGreaterThan(0.5);
    expect(r.lo).toBeGreaterThanOrEqual(-1);
    expect(r.hi).toBeLessThanOrEqual(1);
  });

  test('swapping the models mirrors the interval', () => {
    const a = [true, false, true, false, true, true];
    const b = [false, true, true, false, false, true];
    const ab = pairedDifference(a, b);
    const ba = pairedDifference(b, a);
    expect(ba.diff).toBe(-ab.diff);
    expect(ba.lo).toBeCloseTo(-ab.hi, 15);
    expect(ba.hi).toBeCloseTo(-ab.lo, 15);
    expect(ba.p).toBe(ab.p);
  });

  test('pairing narrows the CI compared with independent samples', () => {
    // 100 items; B = A except 10 items A gets right that B does not.
    const a = Array.from({ length: 100 }, (_, i) => i < 50);
    const b = a.map((x, i) => x && i >= 10);
    const r = pairedDifference(a, b);
    expect(r.diff).toBeCloseTo(0.1, 12);
    // Newcombe's interval for independent samples of 50/100 and 40/100 (phi = 0) is
    // [-0.0373, 0.2321]; the correlation of the pairs (phi = 0.796 after Newcombe's n/2
    // shrinkage) narrows it to [0.0380, 0.1599] (tools/crosscheck/intervals_fixture.py's
    // newcombe_paired(40, 10, 0, 50, 0.95)).
    expect(r.lo).toBeCloseTo(0.037976962225003116, 12);
    expect(r.hi).toBeCloseTo(0.15986946896055892, 12);
    expect(r.p).toBeCloseTo(2 / 1024, 12); // b=10, c=0
  });

  test('a narrower level gives a narrower interval', () => {
    const a = [true, false, true, false, true, true, false, false];
    const b = [false, true, true, false, false, true, false, true];
    const wide = pairedDifference(a, b, 0.95);
    const narrow = pairedDifference(a, b, 0.5);
    expect(narrow.lo).toBeGreaterThan(wide.lo);
    expect(narrow.hi).toBeLessThan(wide.hi);
  });
});
