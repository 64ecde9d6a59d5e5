// Closed-form confidence intervals of a proportion. The beta and normal quantiles come from
// stdlib (ports of Boost's inverse incomplete beta and of the inverse error function, accurate to
// a few ulps) rather than hand-written: an exact interval is only as good as its quantile.
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

export interface Interval {
  lo: number;
  hi: number;
}

/** Coverage of every interval unless asked otherwise. */
export const DEFAULT_LEVEL = 0.95;

/** Intervals of a single Pass@1: Wilson's score interval (default) or Clopper-Pearson's exact one. */
export const CI_METHODS = ['wilson', 'clopper-pearson'] as const;
export type CiMethod = (typeof CI_METHODS)[number];
export const DEFAULT_CI_METHOD: CiMethod = 'wilson';

export function checkLevel(level: number, where: string): void {
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`${where}: level: expected a number in (0, 1), got ${level}`);
  }
}

function checkCounts(x: number, n: number, where: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${where}: n: expected a positive integer, got ${n}`);
  }
  if (!Number.isInteger(x) || x < 0 || x > n) {
    throw new RangeError(`${where}: x: expected an integer in [0, ${n}], got ${x}`);
  }
}

/** z with P(Z > z) = (1 - level) / 2, from the small tail (1 - tail would round first). */
export function twoSidedZ(level: number): number {
  return -normalQuantile((1 - level) / 2, 0, 1);
}

/**
 * Wilson's score interval of x successes in n trials: the p whose score test at `level` does not
 * reject. Unlike a percentile bootstrap it does not collapse at x = 0 or x = n (0/20 gives
 * [0, 16.1%] at 95%, not [0, 0]). Written as statsmodels' proportion_confint(method='wilson'),
 * with the limit at an edge set exactly (x = 0: lo = 0; x = n: hi = 1) instead of 1e-17 off.
 */
export function wilsonInterval(x: number, n: number, level: number = DEFAULT_LEVEL): Interval {
  checkCounts(x, n, 'wilsonInterval');
  checkLevel(level, 'wilsonInterval');
  const z = twoSidedZ(level);
  const p = x / n;
  const denom = 1 + (z * z) / n;
  const center = (p + (z * z) / (2 * n)) / denom;
  const dist = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { lo: x === 0 ? 0 : center - dist, hi: x === n ? 1 : center + dist };
}

/**
 * Clopper-Pearson's exact interval: each limit is the p at which the binomial tail beyond x has
 * probability (1 - level) / 2, i.e. a beta quantile; lo = 0 at x = 0 and hi = 1 at x = n.
 */
export function clopperPearsonInterval(
  x: number,
  n: number,
  level: number = DEFAULT_LEVEL,
): Interval {
  checkCounts(x, n, 'clopperPearsonInterval');
  checkLevel(level, 'clopperPearsonInterval');
  const tail = (1 - level) / 2;
  return {
    lo: x === 0 ? 0 : betaQuantile(tail, x, n - x + 1),
    hi: x === n ? 1 : betaQuantile(1 - tail, x + 1, n - x),
  };
}

/** The interval of x / n by `method` (see CI_METHODS). */
export function proportionInterval(
  x: number,
  n: number,
  method: CiMethod = DEFAULT_CI_METHOD,
  level: number = DEFAULT_LEVEL,
): Interval {
  return method === 'wilson' ? wilsonInterval(x, n, level) : clopperPearsonInterval(x, n, level);
}
