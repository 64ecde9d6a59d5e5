// The likelihood summary, computed from the per-item logs alone (so a rescore of a run folder
// gives the same numbers): per model and set the mean of each measure and its noise effect
// (noisy − clean, paired by item id), and per noisy set the difference of two models' noise
// effects with a paired percentile bootstrap interval, a sign-flip permutation p-value, its Holm
// adjustment over the summary's comparisons and the minimum detectable effect at its n.
import {
  BASELINE_DATASET,
  DEFAULT_SEED,
  bootstrapDistributions,
  createRng,
  drawnMean,
  quantile,
} from '@exp/data';
import { holmAdjust } from '../stats/holm.js';
import { pairedDifferencesMde } from '../stats/power.js';
import type { FormatScore, LikelihoodRecord } from './record.js';
import type { LikelihoodPairRow, LikelihoodRow, LikelihoodSummary } from './tables.js';

type Format = 'sft' | 'protocol';

/**
 * A measure of one record; `noise` is the noisy set's noise-only numbers of the item (for a
 * clean record, those of the noisy set it is compared with). Null where undefined.
 */
export type Measure = (rec: LikelihoodRecord, noise: readonly string[]) => number | null;

/** Probability of the gold answer's first token at the answer position. */
function goldMass(f: FormatScore, gold: string): number | null {
  const g = f.numbers[gold];
  return g ? Math.exp(g[1]) : null;
}

/**
 * Probability mass on the distractors at the answer position: Σ exp(log p) over the distinct
 * first tokens of the noise-only numbers, leaving out the gold answer's first token. Null when
 * the item has no noise-only number (nothing to be pulled to) or a number was not scored.
 */
function noiseMass(f: FormatScore, gold: string, noise: readonly string[]): number | null {
  if (noise.length === 0) return null;
  const goldId = f.numbers[gold]?.[0];
  const seen = new Map<number, number>();
  for (const n of noise) {
    const s = f.numbers[n];
    if (!s) return null;
    if (s[0] !== goldId) seen.set(s[0], Math.exp(s[1]));
  }
  let total = 0;
  for (const p of seen.values()) total += p;
  return total;
}

const perFormat = (format: Format): [string, Measure][] => [
  [`${format}_mean`, (r) => r[format].mean],
  [`${format}_sum`, (r) => r[format].sum],
  [`${format}_final`, (r) => r[format].final_sum],
  [`${format}_gold_mass`, (r, noise) => (noise.length ? goldMass(r[format], r.gold) : null)],
  [`${format}_noise_mass`, (r, noise) => noiseMass(r[format], r.gold, noise)],
];

export const MEASURES: ReadonlyMap<string, Measure> = new Map([
  ...perFormat('sft'),
  ...perFormat('protocol'),
]);

/** The measures of the summary, in order (README, "Likelihood of the gold solution"). */
export const LIKELIHOOD_MEASURES: readonly string[] = [...MEASURES.keys()];

export interface LikelihoodSummaryOptions {
  /** [a, b]: difference a − b of noise effects (e.g. ['diffllama', 'llama']). */
  pair?: readonly [string, string];
  baseline?: string;
  seed?: number;
  /** Bootstrap resamples (default 10,000). */
  resamples?: number;
  /** Sign-flip permutations (default 10,000). */
  permutations?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
}

export const DEFAULT_PERMUTATIONS = 10_000;

const mean = (xs: readonly number[]) =>
  xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;

/**
 * Sign-flip permutation test of mean(d) = 0: under the null each paired difference is as likely
 * negated, so p = (1 + #{|mean(s·d)| >= |mean(d)|}) / (1 + permutations) over random signs s
 * (two-sided; the +1 counts the observed signs, so p > 0).
 */
export function signFlipP(
  d: readonly number[],
  permutations: number,
  seed: number,
  label: string,
): number {
  const rng = createRng(seed).fork(label);
  const observed = Math.abs(d.reduce((s, x) => s + x, 0));
  // Sums equal up to rounding count as reaching the observed one.
  const tol = 1e-12 * d.reduce((s, x) => s + Math.abs(x), 0);
  let hits = 0;
  for (let k = 0; k < permutations; k++) {
    let s = 0;
    for (const x of d) s += rng.next() < 0.5 ? -x : x;
    if (Math.abs(s) >= observed - tol) hits++;
  }
  return (1 + hits) / (1 + permutations);
}

/** The summary of likelihood records (several models and sets, from their logs). */
export function summarizeLikelihood(
  records: readonly LikelihoodRecord[],
  opts: LikelihoodSummaryOptions = {},
): LikelihoodSummary {
  const baseline = opts.baseline ?? BASELINE_DATASET;
  const seed = opts.seed ?? DEFAULT_SEED;
  const resamples = opts.resamples ?? 10_000;
  const permutations = opts.permutations ?? DEFAULT_PERMUTATIONS;
  const tail = (1 - (opts.level ?? 0.95)) / 2;
  const by = new Map<string, Map<string, Map<string, LikelihoodRecord>>>();
  const models: string[] = [];
  const datasets: string[] = [];
  for (const r of records) {
    if (!by.has(r.model)) {
      by.set(r.model, new Map());
      models.push(r.model);
    }
    if (!datasets.includes(r.dataset)) datasets.push(r.dataset);
    const m = by.get(r.model)!;
    if (!m.has(r.dataset)) m.set(r.dataset, new Map());
    m.get(r.dataset)!.set(r.id, r);
  }
  /** Per item id of a noisy set: noisy − clean of a measure for one model. */
  const effects = (model: string, dataset: string, measure: Measure): Map<string, number> => {
    const out = new Map<string, number>();
    const clean = by.get(model)?.get(baseline);
    for (const [id, r] of by.get(model)?.get(dataset) ?? []) {
      const c = clean?.get(id);
      const x = measure(r, r.noise_numbers);
      const y = c ? measure(c, r.noise_numbers) : null;
      if (x !== null && y !== null) out.set(id, x - y);
    }
    return out;
  };
  const rows: LikelihoodRow[] = [];
  for (const model of models) {
    for (const dataset of datasets) {
      const recs = [...(by.get(model)!.get(dataset)?.values() ?? [])];
      if (recs.length === 0) continue;
      for (const [name, measure] of MEASURES) {
        const values = recs.map((r) => measure(r, r.noise_numbers)).filter((v) => v !== null);
        const eff = dataset === baseline ? [] : [...effects(model, dataset, measure).values()];
        if (values.length === 0 && dataset === baseline && name.endsWith('_mass')) continue;
        rows.push({
          model,
          dataset,
          measure: name,
          n: values.length,
          mean: mean(values),
          n_paired: eff.length,
          effect: dataset === baseline ? null : mean(eff),
        });
      }
    }
  }
  const pairs: LikelihoodPairRow[] = [];
  const [a, b] = opts.pair ?? [];
  if (a !== undefined && b !== undefined && by.has(a) && by.has(b)) {
    for (const dataset of datasets) {
      if (dataset === baseline) continue;
      for (const [name, measure] of MEASURES) {
        const ea = effects(a, dataset, measure);
        const eb = effects(b, dataset, measure);
        const d = [...ea].filter(([id]) => eb.has(id)).map(([id, x]) => x - eb.get(id)!);
        const label = `likelihood/${dataset}/${name}`;
        let lo: number | null = null;
        let hi: number | null = null;
        if (d.length > 0) {
          const [dist] = bootstrapDistributions(createRng(seed).fork(label), d.length, resamples, [
            drawnMean(d),
          ]);
          lo = quantile(dist!.sorted, tail);
          hi = quantile(dist!.sorted, 1 - tail);
        }
        pairs.push({
          dataset,
          measure: name,
          a,
          b,
          n: d.length,
          diff: mean(d),
          lo,
          hi,
          p: d.length ? signFlipP(d, permutations, seed, `${label}/permutation`) : null,
          p_holm: null,
          mde: pairedDifferencesMde(d),
        });
      }
    }
  }
  const tested = pairs.filter((r) => r.p !== null);
  holmAdjust(tested.map((r) => r.p!)).forEach((p, i) => (tested[i].p_holm = p));
  return { rows, pairs };
}
