// Cluster bootstrap for nested designs: a noise sweep evaluates the same base problems in every
// cell (type × sentences × position), so the cells' outcomes are not independent. Resampling
// base problems (clusters) with replacement and keeping all their cells gives intervals that
// respect that nesting; resampling observations would treat them as independent and be too
// narrow. Hand-written on @exp/data's Rng and quantile, like bootstrap.ts: the loop is short and
// its arithmetic is part of the published intervals.
import { createRng, quantile } from '@exp/data';
import { DEFAULT_RESAMPLES } from './bootstrap.js';
import { checkLevel, DEFAULT_LEVEL } from './intervals.js';

/** The stream every seeded cluster plan is drawn from: createRng(seed).fork(this). */
const PLAN_LABEL = 'cluster-bootstrap';

/**
 * A cluster resampling plan drawn from `seed`: `resamples` rows of `clusters` cluster indices
 * (row-major), each drawn with replacement from createRng(seed).fork('cluster-bootstrap'), row
 * by row. The bootstraps below draw the same indices lazily when given a seed and no plan; a
 * plan written out (or made elsewhere, as the crosscheck fixture's) replays exactly.
 */
export function clusterPlan(clusters: number, resamples: number, seed: number): Int32Array {
  checkPlanSize(clusters, resamples, 'clusterPlan');
  const rng = createRng(seed).fork(PLAN_LABEL);
  const out = new Int32Array(clusters * resamples);
  for (let i = 0; i < out.length; i++) out[i] = rng.int(clusters);
  return out;
}

function checkPlanSize(clusters: number, resamples: number, where: string): void {
  if (!Number.isInteger(clusters) || clusters < 1) {
    throw new RangeError(`${where}: clusters: expected a positive integer, got ${clusters}`);
  }
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`${where}: resamples: expected a positive integer, got ${resamples}`);
  }
}

export interface ClusterBootstrapOptions {
  /** Seed of the plan (clusterPlan) when none is given. */
  seed: number;
  /** Number of resamples (default 10,000); a given plan's length must be resamples × clusters. */
  resamples?: number;
  /** Coverage of the percentile intervals (default 0.95). */
  level?: number;
  /** An explicit plan (row-major resamples × clusters cluster indices) instead of the seed's. */
  plan?: Int32Array;
}

/**
 * Statistics of one resample, from each cluster's multiplicity in it (one function for all, so
 * they can share work such as weighted sums); null where one is undefined. Same length each call.
 */
export type ClusterStatistics = (weights: Float64Array) => readonly (number | null)[];

/** A point estimate with its percentile interval; `skipped`: resamples where it was undefined. */
export interface ClusterEstimate {
  value: number | null;
  lo: number | null;
  hi: number | null;
  skipped: number;
}

/**
 * Percentile cluster bootstraps of several statistics over `clusters` clusters, on one plan:
 * for each resample the statistics see each cluster's multiplicity (0, 1, 2, …), so a drawn
 * cluster brings all its observations. The point estimates are the statistics at weights all 1.
 */
export function clusterBootstrap(
  clusters: number,
  statistics: ClusterStatistics,
  opts: ClusterBootstrapOptions,
): ClusterEstimate[] {
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const level = opts.level ?? DEFAULT_LEVEL;
  checkPlanSize(clusters, resamples, 'clusterBootstrap');
  checkLevel(level, 'clusterBootstrap');
  const plan = opts.plan;
  if (plan && plan.length !== clusters * resamples) {
    throw new RangeError(
      `clusterBootstrap: plan: expected ${resamples} x ${clusters} = ${clusters * resamples} indices, got ${plan.length}`,
    );
  }
  const rng = plan ? null : createRng(opts.seed).fork(PLAN_LABEL);
  const ones = new Float64Array(clusters).fill(1);
  const point = statistics(ones);
  const weights = new Float64Array(clusters);
  const values = point.map(() => new Float64Array(resamples));
  const kept = point.map(() => 0);
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    for (let i = 0; i < clusters; i++) {
      const k = plan ? plan[r * clusters + i] : rng!.int(clusters);
      if (!(k >= 0 && k < clusters)) {
        throw new RangeError(`clusterBootstrap: plan[${r * clusters + i}]: ${k} is not a cluster`);
      }
      weights[k]++;
    }
    statistics(weights).forEach((v, j) => {
      if (v !== null) values[j][kept[j]++] = v;
    });
  }
  const tail = (1 - level) / 2;
  return point.map((value, j) => {
    const sorted = values[j].subarray(0, kept[j]).sort();
    const some = sorted.length > 0;
    return {
      value,
      lo: some ? quantile(sorted, tail) : null,
      hi: some ? quantile(sorted, 1 - tail) : null,
      skipped: resamples - kept[j],
    };
  });
}

/** One observation of a dose-response design: a base problem's outcome in one cell. */
export interface DoseObservation {
  /** Base problem id: the cluster. */
  cluster: string;
  /** Noise sentences added (0 for the clean set). */
  dose: number;
  /** Outcome: 1/0 for Pass@1, or a continuous measure. */
  y: number;
}

/** Pooled estimates and the dose-response slope of one group of observations. */
export interface DoseEstimates {
  /** Mean outcome over the noisy observations (dose > 0). */
  pooled: ClusterEstimate;
  /** Pooled noisy mean minus the clean (dose 0) mean: the pooled noise effect. */
  effect: ClusterEstimate;
  /** Least-squares slope of the outcome on the dose over all observations: change per sentence. */
  slope: ClusterEstimate;
}

// Per-cluster sums, so a resample's statistic is a weighted sum over clusters (O(clusters)).
const N = 0;
const SX = 1;
const SY = 2;
const SXX = 3;
const SXY = 4;
const N0 = 5;
const SY0 = 6;
const N1 = 7;
const SY1 = 8;
const WIDTH = 9;

function clusterSums(obs: readonly DoseObservation[], index: Map<string, number>): Float64Array {
  const sums = new Float64Array(index.size * WIDTH);
  for (const { cluster, dose, y } of obs) {
    if (!(dose >= 0) || !Number.isFinite(y)) {
      throw new RangeError(
        `doseResponse: cluster ${JSON.stringify(cluster)}: expected a dose >= 0 and a finite outcome, got ${dose} and ${y}`,
      );
    }
    const o = index.get(cluster)! * WIDTH;
    sums[o + N]++;
    sums[o + SX] += dose;
    sums[o + SY] += y;
    sums[o + SXX] += dose * dose;
    sums[o + SXY] += dose * y;
    if (dose === 0) {
      sums[o + N0]++;
      sums[o + SY0] += y;
    } else {
      sums[o + N1]++;
      sums[o + SY1] += y;
    }
  }
  return sums;
}

function weighted(sums: Float64Array, w: Float64Array): Float64Array {
  const t = new Float64Array(WIDTH);
  for (let k = 0; k < w.length; k++) {
    const wk = w[k];
    if (wk === 0) continue;
    for (let j = 0; j < WIDTH; j++) t[j] += wk * sums[k * WIDTH + j];
  }
  return t;
}

const pooledOf = (t: Float64Array): number | null => (t[N1] > 0 ? t[SY1] / t[N1] : null);
const effectOf = (t: Float64Array): number | null =>
  t[N1] > 0 && t[N0] > 0 ? t[SY1] / t[N1] - t[SY0] / t[N0] : null;
function slopeOf(t: Float64Array): number | null {
  const den = t[N] * t[SXX] - t[SX] * t[SX];
  return den > 0 ? (t[N] * t[SXY] - t[SX] * t[SY]) / den : null;
}
const READERS = [pooledOf, effectOf, slopeOf];

const minus = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : a - b;

/**
 * Pooled estimates and dose-response slopes of each group (e.g. one model's outcomes over the
 * clean set and the sweep cells of one noise type and position), with cluster-bootstrap
 * intervals over base problems. Every group is resampled on the same plan (clusters indexed in
 * order of first appearance across the groups), so with two groups `difference` (first minus
 * second, e.g. DiffLlama − Llama) is paired by base problem; otherwise it is null.
 */
export function doseResponse(
  groups: readonly (readonly DoseObservation[])[],
  opts: ClusterBootstrapOptions,
): { clusters: string[]; groups: DoseEstimates[]; difference: DoseEstimates | null } {
  const index = new Map<string, number>();
  for (const g of groups)
    for (const o of g) if (!index.has(o.cluster)) index.set(o.cluster, index.size);
  if (index.size === 0) throw new RangeError('doseResponse: expected observations, got none');
  const sums = groups.map((g) => clusterSums(g, index));
  const est = clusterBootstrap(
    index.size,
    (w) => {
      const each = sums.map((s) => {
        const t = weighted(s, w);
        return READERS.map((read) => read(t));
      });
      const out = each.flat();
      if (each.length === 2) out.push(...each[0].map((a, j) => minus(a, each[1][j])));
      return out;
    },
    opts,
  );
  const at = (i: number): DoseEstimates => ({
    pooled: est[i * 3],
    effect: est[i * 3 + 1],
    slope: est[i * 3 + 2],
  });
  return {
    clusters: [...index.keys()],
    groups: groups.map((_, i) => at(i)),
    difference: groups.length === 2 ? at(2) : null,
  };
}
