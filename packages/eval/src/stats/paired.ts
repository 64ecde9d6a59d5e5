import { checkLevel, DEFAULT_LEVEL, wilsonInterval, type Interval } from './intervals.js';
import { mcnemarExact } from './mcnemar.js';
import { checkPaired } from './pass-at-1.js';

/** Pass@1 of A minus Pass@1 of B, Newcombe's paired score CI and McNemar's exact p. */
export interface PairedDifference {
  diff: number;
  lo: number;
  hi: number;
  p: number;
}

/**
 * The paired 2x2 table of two outcome lists over the same items: a = both right, b = only the
 * first right, c = only the second right, d = both wrong.
 */
export interface PairedTable {
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * Newcombe's hybrid score interval for p1 - p2 = (b - c) / n of a paired table (Newcombe 1998,
 * Statistics in Medicine 17:2635-2650, method 10): the Wilson intervals [l1, u1] of p1 = (a+b)/n
 * and [l2, u2] of p2 = (a+c)/n, combined as
 *   lo = diff - sqrt((p1-l1)^2 - 2 phi (p1-l1)(u2-p2) + (u2-p2)^2)
 *   hi = diff + sqrt((p2-l2)^2 - 2 phi (p2-l2)(u1-p1) + (u1-p1)^2)
 * where phi is the correlation of the two outcomes, (ad - bc) / sqrt((a+b)(c+d)(a+c)(b+d)), 0
 * when a margin is empty, and, as Newcombe recommends, with a positive ad - bc shrunk by n/2
 * (not below 0) so that a correlation from a few items does not narrow the interval. It stays
 * inside [-1, 1] and does not collapse when no item is discordant (unlike a paired bootstrap).
 * Reproduces the published Cavo et al. (2012) example: see tools/crosscheck/intervals_fixture.py.
 */
export function newcombePairedInterval(
  { a, b, c, d }: PairedTable,
  level: number = DEFAULT_LEVEL,
): Interval {
  checkLevel(level, 'newcombePairedInterval');
  const n = a + b + c + d;
  if (![a, b, c, d].every((v) => Number.isInteger(v) && v >= 0) || n < 1) {
    throw new RangeError(
      `newcombePairedInterval: expected counts that are non-negative integers with a positive sum, got ${JSON.stringify({ a, b, c, d })}`,
    );
  }
  const [p1, p2] = [(a + b) / n, (a + c) / n];
  const w1 = wilsonInterval(a + b, n, level);
  const w2 = wilsonInterval(a + c, n, level);
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  let phi = 0;
  if (margins > 0) {
    const cross = a * d - b * c;
    phi = (cross > 0 ? Math.max(cross - n / 2, 0) : cross) / Math.sqrt(margins);
  }
  // Counts are subtracted before dividing, so equal accuracies give exactly 0.
  const diff = (b - c) / n;
  const [dl1, du1, dl2, du2] = [p1 - w1.lo, w1.hi - p1, p2 - w2.lo, w2.hi - p2];
  return {
    lo: diff - Math.sqrt(dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2),
    hi: diff + Math.sqrt(dl2 * dl2 - 2 * phi * dl2 * du1 + du1 * du1),
  };
}

/** The paired 2x2 table of `a` and `b` (same items, same order). */
export function pairedTable(a: readonly boolean[], b: readonly boolean[]): PairedTable {
  const t = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < a.length; i++) {
    if (a[i]) {
      if (b[i]) t.a++;
      else t.b++;
    } else if (b[i]) t.c++;
    else t.d++;
  }
  return t;
}

/**
 * Pass@1 of A minus Pass@1 of B on the same items (e.g. DiffLlama - Llama), with Newcombe's
 * paired score CI at `level` (default 0.95) and McNemar's exact p.
 */
export function pairedDifference(
  a: readonly boolean[],
  b: readonly boolean[],
  level: number = DEFAULT_LEVEL,
): PairedDifference {
  checkPaired(a, b, 'pairedDifference');
  const table = pairedTable(a, b);
  const { lo, hi } = newcombePairedInterval(table, level);
  const { p } = mcnemarExact(a, b);
  return { diff: (table.b - table.c) / a.length, lo, hi, p };
}
