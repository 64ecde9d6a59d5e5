// The knockout table: per model, noisy set, measure and first knocked layer, the means of a
// measure on the clean set, the noisy set and the noisy set with the noise knocked out, over the
// items scored on all three, and the share of the noise effect the knockout recovers with a
// paired percentile bootstrap interval (items resampled jointly across the three conditions).
import {
  BASELINE_DATASET,
  DEFAULT_SEED,
  bootstrapDistributions,
  createRng,
  quantile,
} from '@exp/data';
import type { LikelihoodRecord } from './record.js';
import { MEASURES } from './summary.js';
import type { KnockoutRow } from './tables.js';

/** One knockout condition: its first knocked layer and its records (all models and sets). */
export interface KnockoutRecords {
  fromLayer: number;
  records: readonly LikelihoodRecord[];
}

export interface KnockoutSummaryOptions {
  baseline?: string;
  seed?: number;
  /** Bootstrap resamples (default 10,000). */
  resamples?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
}

/** (k − n) / (c − n), null where the noise has no effect (c = n). */
export function recoveredShare(clean: number, noisy: number, knockout: number): number | null {
  const effect = clean - noisy;
  return effect === 0 ? null : (knockout - noisy) / effect;
}

/**
 * Paired triples (clean, noisy, knockout) of one measure: the knockout records' items that have
 * the measure on all three conditions, in knockout log order.
 */
export interface Triples {
  clean: number[];
  noisy: number[];
  knockout: number[];
}

/**
 * The recovered share of the means and its percentile interval: each resample draws n item
 * indices and takes the three means over the same draws; a resample whose clean and noisy means
 * are equal has no share and is left out (the interval is over the others; null when none has
 * one).
 */
export function recoveredWithInterval(
  t: Triples,
  opts: { seed: number; label: string; resamples: number; level: number },
): Pick<KnockoutRow, 'n' | 'clean' | 'noisy' | 'knockout' | 'recovered' | 'lo' | 'hi'> {
  const n = t.clean.length;
  if (n === 0) {
    return { n, clean: null, noisy: null, knockout: null, recovered: null, lo: null, hi: null };
  }
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / n;
  const [c, y, k] = [mean(t.clean), mean(t.noisy), mean(t.knockout)];
  const share = (indices: readonly number[]) => {
    let sc = 0;
    let sy = 0;
    let sk = 0;
    for (const i of indices) {
      sc += t.clean[i]!;
      sy += t.noisy[i]!;
      sk += t.knockout[i]!;
    }
    return recoveredShare(sc / n, sy / n, sk / n);
  };
  const [dist] = bootstrapDistributions(createRng(opts.seed).fork(opts.label), n, opts.resamples, [
    share,
  ]);
  const tail = (1 - opts.level) / 2;
  const sorted = dist!.sorted;
  return {
    n,
    clean: c,
    noisy: y,
    knockout: k,
    recovered: recoveredShare(c, y, k),
    lo: sorted.length ? quantile(sorted, tail) : null,
    hi: sorted.length ? quantile(sorted, 1 - tail) : null,
  };
}

type ById = Map<string, LikelihoodRecord>;

/** records by model, then dataset, then id; models and datasets in order of first appearance. */
function index(records: readonly LikelihoodRecord[]) {
  const by = new Map<string, Map<string, ById>>();
  for (const r of records) {
    if (!by.has(r.model)) by.set(r.model, new Map());
    const m = by.get(r.model)!;
    if (!m.has(r.dataset)) m.set(r.dataset, new Map());
    m.get(r.dataset)!.set(r.id, r);
  }
  return by;
}

/**
 * The knockout table of a run's likelihood records (`plain`: clean and noisy sets, as logged
 * under likelihood/) and its knockout records (one entry per first knocked layer): a row per
 * model x knocked-out set x measure (LIKELIHOOD_MEASURES) x from_layer, in that order (layers
 * ascending). Measures that depend on the noise's numbers are taken with the noisy item's
 * noise-only numbers on all three conditions, as summarizeLikelihood's noise effects are.
 */
export function summarizeKnockout(
  plain: readonly LikelihoodRecord[],
  knockouts: readonly KnockoutRecords[],
  opts: KnockoutSummaryOptions = {},
): KnockoutRow[] {
  const baseline = opts.baseline ?? BASELINE_DATASET;
  const settings = {
    seed: opts.seed ?? DEFAULT_SEED,
    resamples: opts.resamples ?? 10_000,
    level: opts.level ?? 0.95,
  };
  const base = index(plain);
  const layers = [...knockouts].sort((a, b) => a.fromLayer - b.fromLayer);
  const knocked = layers.map((k) => ({ fromLayer: k.fromLayer, by: index(k.records) }));
  // (model, set) pairs in order of first appearance over the layers
  const cells: [string, string][] = [];
  for (const k of knocked) {
    for (const [model, sets] of k.by) {
      for (const dataset of sets.keys()) {
        if (!cells.some(([m, d]) => m === model && d === dataset)) cells.push([model, dataset]);
      }
    }
  }
  const rows: KnockoutRow[] = [];
  for (const [model, dataset] of cells) {
    const clean = base.get(model)?.get(baseline);
    const noisy = base.get(model)?.get(dataset);
    for (const [measure, of] of MEASURES) {
      for (const k of knocked) {
        const t: Triples = { clean: [], noisy: [], knockout: [] };
        for (const [id, kr] of k.by.get(model)?.get(dataset) ?? []) {
          const nr = noisy?.get(id);
          const cr = clean?.get(id);
          if (!nr || !cr) continue;
          const noise = nr.noise_numbers;
          const [c, y, x] = [of(cr, noise), of(nr, noise), of(kr, noise)];
          if (c === null || y === null || x === null) continue;
          t.clean.push(c);
          t.noisy.push(y);
          t.knockout.push(x);
        }
        rows.push({
          model,
          dataset,
          measure,
          extractor: null,
          eval_type: null,
          from_layer: k.fromLayer,
          ...recoveredWithInterval(t, {
            ...settings,
            label: `knockout/${model}/${dataset}/${measure}/from_${k.fromLayer}`,
          }),
        });
      }
    }
  }
  return rows;
}
