import { readFileSync } from 'node:fs';
import {
  clopperPearsonInterval,
  proportionInterval,
  wilsonInterval,
} from '../../src/stats/intervals.js';
import { newcombePairedInterval, pairedDifference } from '../../src/stats/paired.js';

// Computed once by tools/crosscheck/intervals_fixture.py (statsmodels' proportion_confint for
// Wilson and Clopper-Pearson; Newcombe's paired interval written out there from statsmodels'
// Wilson limits and checked against a published example).
const FIXTURE = JSON.parse(
  readFileSync(new URL('./fixtures/intervals.json', import.meta.url), 'utf8'),
) as {
  published: { table: number[]; level: number; estimate: number; lo: number; hi: number };
  single: { x: number; n: number; level: number; wilson: number[]; clopper_pearson: number[] }[];
  paired: {
    a: number;
    b: number;
    c: number;
    d: number;
    level: number;
    diff: number;
    lo: number;
    hi: number;
  }[];
};

// Absolute tolerance. The limits are O(1) sums of a few double operations on the same formula;
// what differs from scipy is only the normal/beta quantile implementation (both within a few ulps)
// and the order of operations, so agreement to ~1e-15 is expected (1.1e-15 is the largest
// difference over the fixture with statsmodels 0.15.0 / scipy 1.17.1). 1e-12 leaves margin for the
// cancellation in sqrt((p-l)^2 - 2 phi ...) and still catches any slip in a formula, which moves
// a limit by 1e-4 or more.
const TOL = 1e-12;

const outcomes = (k: number, n: number) => Array.from({ length: n }, (_, i) => i < k);

describe('wilsonInterval and clopperPearsonInterval against statsmodels', () => {
  test.each(FIXTURE.single.map((c) => [`${c.x}/${c.n} at ${c.level}`, c] as const))(
    '%s',
    (_, c) => {
      const w = wilsonInterval(c.x, c.n, c.level);
      const cp = clopperPearsonInterval(c.x, c.n, c.level);
      expect(Math.abs(w.lo - c.wilson[0])).toBeLessThan(TOL);
      expect(Math.abs(w.hi - c.wilson[1])).toBeLessThan(TOL);
      expect(Math.abs(cp.lo - c.clopper_pearson[0])).toBeLessThan(TOL);
      expect(Math.abs(cp.hi - c.clopper_pearson[1])).toBeLessThan(TOL);
    },
  );

  test('the fixture covers 0/n, n/n, n = 1 and both levels', () => {
    const has = (f: (c: (typeof FIXTURE.single)[number]) => boolean) => FIXTURE.single.some(f);
    expect(has((c) => c.x === 0 && c.n > 1)).toBe(true);
    expect(has((c) => c.x === c.n && c.n > 1)).toBe(true);
    expect(has((c) => c.n === 1 && c.x === 0) && has((c) => c.n === 1 && c.x === 1)).toBe(true);
    expect(new Set(FIXTURE.single.map((c) => c.level))).toEqual(new Set([0.95, 0.9]));
  });

  test('0 of 20 is not [0, 0]: Wilson [0, 16.11%], exact [0, 16.84%]', () => {
    expect(wilsonInterval(0, 20)).toEqual({ lo: 0, hi: expect.closeTo(0.161125158, 9) });
    expect(clopperPearsonInterval(0, 20)).toEqual({ lo: 0, hi: expect.closeTo(0.168433471, 9) });
  });

  test('edges are exact: lo = 0 at x = 0, hi = 1 at x = n', () => {
    for (const n of [1, 2, 20, 1319]) {
      for (const f of [wilsonInterval, clopperPearsonInterval]) {
        expect(f(0, n).lo).toBe(0);
        expect(f(n, n).hi).toBe(1);
      }
    }
    // the exact interval of one trial: the two-sided tails are (1 - level) / 2 each
    expect(clopperPearsonInterval(1, 1, 0.9)).toEqual({ lo: expect.closeTo(0.05, 15), hi: 1 });
  });

  test('proportionInterval picks the method', () => {
    expect(proportionInterval(3, 9)).toEqual(wilsonInterval(3, 9));
    expect(proportionInterval(3, 9, 'clopper-pearson', 0.9)).toEqual(
      clopperPearsonInterval(3, 9, 0.9),
    );
  });

  test('bad input: one line naming the argument', () => {
    expect(() => wilsonInterval(3, 0)).toThrow(
      'wilsonInterval: n: expected a positive integer, got 0',
    );
    expect(() => clopperPearsonInterval(5, 4)).toThrow(
      'clopperPearsonInterval: x: expected an integer in [0, 4], got 5',
    );
    expect(() => wilsonInterval(1, 2, 1)).toThrow(
      'wilsonInterval: level: expected a number in (0, 1), got 1',
    );
  });
});

describe("newcombePairedInterval (Newcombe 1998's method 10)", () => {
  test('reproduces the published Cavo et al. (2012) interval, -0.1186 to -0.0046', () => {
    const [a, b, c, d] = FIXTURE.published.table;
    const r = newcombePairedInterval({ a, b, c, d }, FIXTURE.published.level);
    expect(r.lo.toFixed(4)).toBe(FIXTURE.published.lo.toFixed(4));
    expect(r.hi.toFixed(4)).toBe(FIXTURE.published.hi.toFixed(4));
    expect(((b - c) / (a + b + c + d)).toFixed(4)).toBe(FIXTURE.published.estimate.toFixed(4));
  });

  test.each(
    FIXTURE.paired.map((t) => [`(${t.a}, ${t.b}, ${t.c}, ${t.d}) at ${t.level}`, t] as const),
  )('%s matches the cross-check', (_, t) => {
    const r = newcombePairedInterval(t, t.level);
    expect(Math.abs(r.lo - t.lo)).toBeLessThan(TOL);
    expect(Math.abs(r.hi - t.hi)).toBeLessThan(TOL);
    // the same through outcome lists: a, b, c, d items in that order
    const n = t.a + t.b + t.c + t.d;
    const first = Array.from({ length: n }, (_, i) => i < t.a + t.b);
    const second = Array.from(
      { length: n },
      (_, i) => i < t.a || (i >= t.a + t.b && i < t.a + t.b + t.c),
    );
    const pd = pairedDifference(first, second, t.level);
    expect(pd.diff).toBe(t.diff);
    expect([pd.lo, pd.hi]).toEqual([r.lo, r.hi]);
  });

  test('no discordant item: an interval around 0, not [0, 0]', () => {
    const r = pairedDifference(outcomes(7, 20), outcomes(7, 20));
    expect(r.diff).toBe(0);
    expect(r.p).toBe(1);
    expect(r.lo).toBeLessThan(-0.05);
    expect(r.hi).toBeGreaterThan(0.05);
  });

  test('all discordant one way: diff 1, hi exactly 1, lo below 1', () => {
    const r = pairedDifference(outcomes(20, 20), outcomes(0, 20));
    expect(r.diff).toBe(1);
    expect(r.hi).toBe(1);
    // phi = 0 (a margin is empty) and the margins' Wilson intervals mirror each other:
    // lo = 1 - sqrt(2) * (Wilson upper limit of 0/20)
    expect(r.lo).toBeCloseTo(1 - Math.SQRT2 * wilsonInterval(0, 20).hi, 15);
    expect(r.p).toBeCloseTo(2 / 2 ** 20, 18);
  });

  test('bad input is refused', () => {
    expect(() => newcombePairedInterval({ a: 0, b: 0, c: 0, d: 0 })).toThrow(
      'newcombePairedInterval: expected counts that are non-negative integers with a positive sum, got {"a":0,"b":0,"c":0,"d":0}',
    );
    expect(() => pairedDifference([true], [true, false])).toThrow(
      'pairedDifference: expected outcomes of the same items, got 1 and 2',
    );
  });
});
