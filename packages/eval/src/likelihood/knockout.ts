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
import type { SampleRecord } from '../samples/record.js';
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

export interface KnockoutPassOptions extends KnockoutSummaryOptions {
  /** The extractors whose correctness (SampleRecord.correct_by) is compared, in order. */
  extractors: readonly string[];
  /** First knocked layer of the knockout samples (default 0). */
  fromLayer?: number;
  /** eval_type of the samples compared (default 'zero_shot'). */
  evalType?: string;
}

/**
 * Pass@1 rows of the knockout table: per model, knocked-out set and extractor, the Pass@1 of the
 * clean set, the noisy set and the noisy set generated with the noise knocked out, over the items
 * with all three samples, and the recovered share with its bootstrap interval (as
 * summarizeKnockout). `samples` are the evaluation's own (clean and noisy), `knocked` the
 * knockout evaluation's.
 */
export function knockoutPassRows(
  samples: readonly SampleRecord[],
  knocked: readonly SampleRecord[],
  opts: KnockoutPassOptions,
): KnockoutRow[] {
  const baseline = opts.baseline ?? BASELINE_DATASET;
  const fromLayer = opts.fromLayer ?? 0;
  const settings = {
    seed: opts.seed ?? DEFAULT_SEED,
    resamples: opts.resamples ?? 10_000,
    level: opts.level ?? 0.95,
  };
  const key = (s: SampleRecord) => `${s.model}\u0000${s.dataset}\u0000${s.id}`;
  const plain = new Map(samples.map((s) => [key(s), s]));
  const cells: [string, string][] = [];
  for (const s of knocked) {
    if (!cells.some(([m, d]) => m === s.model && d === s.dataset)) cells.push([s.model, s.dataset]);
  }
  const rows: KnockoutRow[] = [];
  for (const [model, dataset] of cells) {
    const items = knocked
      .filter((s) => s.model === model && s.dataset === dataset)
      .flatMap((k) => {
        const n = plain.get(key(k));
        const c = plain.get(key({ ...k, dataset: baseline }));
        return n && c ? [{ c, n, k }] : [];
      });
    for (const extractor of opts.extractors) {
      const of = (s: SampleRecord) => (s.correct_by[extractor] ? 1 : 0);
      const t: Triples = {
        clean: items.map((x) => of(x.c)),
        noisy: items.map((x) => of(x.n)),
        knockout: items.map((x) => of(x.k)),
      };
      rows.push({
        model,
        dataset,
        measure: 'pass@1',
        extractor,
        eval_type: opts.evalType ?? 'zero_shot',
        from_layer: fromLayer,
        ...recoveredWithInterval(t, {
          ...settings,
          label: `knockout/${model}/${dataset}/pass@1/${extractor}/from_${fromLayer}`,
        }),
      });
    }
  }
  return rows;
}
