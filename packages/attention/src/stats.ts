// Aggregation of per-sample values: mean, population std (the original's) and a seeded 95%
// percentile bootstrap interval of the mean (drawn by @exp/data's bootstrap).
import { bootstrapDistributions, drawnMean, quantile, type Rng } from '@exp/data';
import type { Stat } from './types.js';

/** Bootstrap resamples of every interval, unless a caller asks for another count. */
export const BOOTSTRAP_RESAMPLES = 2000;

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('mean: no values');
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Standard deviation with divisor n (numpy's default, which the original used). */
export function populationStd(xs: readonly number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / xs.length);
}

/**
 * Percentile bootstrap interval of the mean: `resamples` means of n values drawn with
 * replacement by `rng`, and their (1 - level) / 2 and (1 + level) / 2 quantiles.
 */
export function bootstrapCi(
  xs: readonly number[],
  rng: Rng,
  resamples = BOOTSTRAP_RESAMPLES,
  level = 0.95,
): [number, number] {
  if (xs.length === 0) throw new RangeError('bootstrapCi: no values');
  // @exp/data's bootstrap, with this analysis's defaults (2,000 resamples, the caller's stream).
  const [{ sorted }] = bootstrapDistributions(rng, xs.length, resamples, [drawnMean(xs)]);
  return [quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2)];
}

/** Mean, population std and bootstrap interval of per-sample values (null when there are none). */
export function summarize(
  xs: readonly number[],
  rng: Rng,
  resamples = BOOTSTRAP_RESAMPLES,
): Stat | null {
  if (xs.length === 0) return null;
  const [low, high] = bootstrapCi(xs, rng, resamples);
  return { mean: mean(xs), std: populationStd(xs), ci_low: low, ci_high: high, n: xs.length };
}
