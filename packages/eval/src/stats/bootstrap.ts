import { createRng, type Rng } from '@exp/data';
import { checkOutcomes, countTrue } from './pass-at-1.js';

/** Options of every bootstrap here. */
export interface BootstrapOptions {
  /** Seed of the resampling stream: the same seed gives the same interval. */
  seed: number;
  /** Number of resamples (default 10,000, the usual choice for percentile intervals). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

export interface Interval {
  lo: number;
  hi: number;
}

export const DEFAULT_RESAMPLES = 10_000;
export const DEFAULT_LEVEL = 0.95;

function checkOptions(opts: BootstrapOptions): { resamples: number; level: number } {
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const level = opts.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`bootstrap: resamples: expected a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`bootstrap: level: expected a number in (0, 1), got ${level}`);
  }
  return { resamples, level };
}

/**
 * The q-quantile of sorted values, linearly interpolated between order statistics (numpy's and
 * R's default, type 7), so that results can be checked against either.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  const frac = h - i;
  return frac === 0 ? sorted[i] : sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

/**
 * A percentile bootstrap: `resamples` times, draws n item indices with replacement from a
 * stream forked from (seed, label) and evaluates `statistic` on them; a statistic that is
 * undefined on a resample (null) skips it. Returns the equal-tailed percentile interval of the
 * kept values (null when none was kept) and how many resamples were skipped.
 */
export function percentileBootstrap(
  n: number,
  opts: BootstrapOptions,
  label: string,
  statistic: (indices: readonly number[]) => number | null,
): { interval: Interval | null; skipped: number } {
  const { resamples, level } = checkOptions(opts);
  // A fork per statistic: the CI of Pass@1 and that of a difference do not share draws.
  const rng: Rng = createRng(opts.seed).fork(label);
  const indices: number[] = new Array<number>(n).fill(0);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n);
    const v = statistic(indices);
    if (v !== null) values.push(v);
  }
  const skipped = resamples - values.length;
  if (values.length === 0) return { interval: null, skipped };
  values.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return { interval: { lo: quantile(values, tail), hi: quantile(values, 1 - tail) }, skipped };
}

/** The count of correct items among the drawn indices. */
export function drawnCount(correct: readonly boolean[], indices: readonly number[]): number {
  let k = 0;
  for (const i of indices) if (correct[i]) k++;
  return k;
}

/** Percentile bootstrap CI (default 95%, 10,000 resamples) of Pass@1; deterministic per seed. */
export function bootstrapCI(correct: readonly boolean[], opts: BootstrapOptions): Interval {
  checkOutcomes(correct, 'bootstrapCI');
  const n = correct.length;
  // With every item right (or wrong) every resample is too: skip the draws.
  const k = countTrue(correct);
  if (k === 0 || k === n) {
    checkOptions(opts);
    return { lo: k / n, hi: k / n };
  }
  const { interval } = percentileBootstrap(
    n,
    opts,
    'pass@1',
    (idx) => drawnCount(correct, idx) / n,
  );
  return interval!;
}
