// The one percentile-bootstrap machinery of exp: the eval's degradation intervals and the
// attention analysis's metric intervals both draw here, each passing its own resamples, level
// and seed stream (their defaults differ), so both keep their exact outputs. It lives in
// @exp/data, next to the Rng it draws from, because eval and attention may not import each other.
// Hand-written: a quantile and a resampling loop are a few lines, and their exact arithmetic is
// part of the published intervals.
import type { Rng } from './rng.js';

/**
 * The q-quantile of sorted values, linearly interpolated between order statistics (numpy's and
 * R's default, type 7), so that results can be checked against either.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile: no values');
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}

/** A statistic of one resample (the drawn item indices); null where it is undefined there. */
export type Statistic = (indices: readonly number[]) => number | null;

/** The resampled values of one statistic, ascending, and how many resamples it skipped. */
export interface BootstrapDistribution {
  sorted: Float64Array;
  skipped: number;
}

/**
 * Bootstrap distributions of several statistics of the same `n` items: `resamples` times, draws
 * n item indices with replacement (`rng.int(n)`, in order) and evaluates every statistic on
 * them; a statistic that is undefined on a resample (null) skips it. The statistics share the
 * draws, so each distribution is what a bootstrap of that statistic alone gives from `rng`.
 */
export function bootstrapDistributions(
  rng: Rng,
  n: number,
  resamples: number,
  statistics: readonly Statistic[],
): BootstrapDistribution[] {
  const indices: number[] = new Array<number>(n).fill(0);
  const values = statistics.map(() => new Float64Array(resamples));
  const kept = statistics.map(() => 0);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n);
    statistics.forEach((statistic, s) => {
      const v = statistic(indices);
      if (v !== null) values[s][kept[s]++] = v;
    });
  }
  return values.map((v, s) => ({
    sorted: v.subarray(0, kept[s]).sort(),
    skipped: resamples - kept[s],
  }));
}

/** The mean of the drawn values of `xs` (summed in draw order), as a bootstrap statistic. */
export function drawnMean(xs: readonly number[]): Statistic {
  return (indices) => {
    let s = 0;
    for (const i of indices) s += xs[i];
    return s / indices.length;
  };
}
