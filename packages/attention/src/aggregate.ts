// Per-sample metric values of one model on one set turned into its ModelAttention block: the
// original's seed ratios, per layer / head grids and every metric with mean, std and a bootstrap
// interval over samples.
import { createRng } from '@exp/data';
import { aucWrong, distractorHeads, layerProfile, meanDefined } from './metrics.js';
import {
  DIFFERENTIAL_METRICS,
  HEAD_METRICS,
  VALUE_WEIGHTED_METRICS,
  type MetricName,
  type SampleValues,
} from './reduce.js';
import { mean, populationStd, summarize } from './stats.js';
import type { AttentionSettings, MetricSummary, ModelAttention, SeedRatios } from './types.js';

export interface SampleRecord {
  clean: SampleValues;
  noisy: SampleValues;
  /** The model's answer to the noisy item, when known (metric 10). */
  correct?: boolean;
}

type Grid = (number | null)[][];
type Condition = 'clean' | 'noisy';

/** Distractor heads: z-score threshold, and resamples of their stability. */
export const DISTRACTOR_Z = 2;
export const DISTRACTOR_RESAMPLES = 1000;

/** A sample's value of a metric: the mean over its defined layer x head cells. */
function sampleValue(grid: Grid | undefined): number | null {
  return grid ? meanDefined(grid.flat()) : null;
}

/** Cell-wise mean over samples of [layer][head] grids. */
function cellMeans(grids: readonly Grid[]): Grid {
  const first = grids[0]!;
  return first.map((heads, l) =>
    heads.map((_, h) => meanDefined(grids.map((g) => g[l]?.[h] ?? null))),
  );
}

const complete = <T>(xs: readonly (T | null)[]): xs is T[] => xs.every((x) => x !== null);

export interface AggregateOptions {
  settings: AttentionSettings;
  /** Seed of this (set, model): each summary draws its bootstrap from a fork of it. */
  seed: string;
  resamples: number;
}

/**
 * The block of one model on one set. A metric's per_layer / per_head grid is written only when
 * every cell is defined (the report reads numbers); its Stat is omitted where no sample has a value.
 */
export function aggregateModel(
  samples: readonly SampleRecord[],
  opts: AggregateOptions,
): ModelAttention {
  if (samples.length === 0) throw new RangeError('aggregateModel: no samples');
  const root = createRng(opts.seed);
  const grids = (cond: Condition, name: MetricName): Grid[] =>
    samples.flatMap((s) => (s[cond].has(name) ? [s[cond].get(name)!] : []));
  const values = (cond: Condition, name: MetricName): number[] =>
    samples.map((s) => sampleValue(s[cond].get(name))).filter((v): v is number => v !== null);

  const summary = (name: MetricName, conds: readonly Condition[]): MetricSummary => {
    const out: MetricSummary = {};
    for (const cond of conds) {
      const stat = summarize(values(cond, name), root.fork(`${name}/${cond}`), opts.resamples);
      if (stat) out[cond] = stat;
    }
    for (const cond of conds) {
      const g = grids(cond, name);
      if (g.length === 0) continue;
      const perHead = cellMeans(g);
      const perLayer = perHead.map((heads) => meanDefined(heads));
      if (complete(perLayer)) (out.per_layer ??= {})[cond] = perLayer;
    }
    for (const cond of conds) {
      const g = grids(cond, name);
      const perHead = g.length ? cellMeans(g) : null;
      if (perHead?.every((heads) => complete(heads)))
        (out.per_head ??= {})[cond] = perHead as number[][];
    }
    return out;
  };

  const metrics: Record<string, MetricSummary> = {};
  for (const name of [...HEAD_METRICS, ...DIFFERENTIAL_METRICS]) {
    if (grids('clean', name).length || grids('noisy', name).length)
      metrics[name] = summary(name, ['clean', 'noisy']);
  }
  // Metric 6 is one paired value per sample (noisy minus clean), so it goes in `value`.
  const { noisy: paired, ...grids6 } = summary('distraction', ['noisy']);
  metrics.distraction = { value: paired ?? null, ...grids6 };

  // Metric 9: where NI attention peaks across layers, and which heads stand out.
  const liftNi = grids('noisy', 'lift_ni');
  const profile = liftNi.length ? layerProfile(cellMeans(liftNi)) : { profile: [], peak: null };
  metrics.layer_profile = {
    value: profile.peak,
    ...(complete(profile.profile) && profile.profile.length
      ? { per_layer: { noisy: profile.profile } }
      : {}),
    extra: { of: 'lift_ni', peak_layer: profile.peak },
  };
  const heads = distractorHeads(liftNi, root.fork('distractor_heads'), {
    resamples: DISTRACTOR_RESAMPLES,
    threshold: DISTRACTOR_Z,
  });
  metrics.distractor_heads = {
    value: heads.length,
    extra: { of: 'lift_ni', z_threshold: DISTRACTOR_Z, resamples: DISTRACTOR_RESAMPLES, heads },
  };

  // Metric 10: does NI mass tell wrong answers from right ones?
  const known = samples.flatMap((s) => {
    const v = sampleValue(s.noisy.get('mass_ni'));
    return s.correct === undefined || v === null ? [] : [{ v, correct: s.correct }];
  });
  metrics.auc_wrong_ni = {
    value: aucWrong(
      known.map((k) => k.v),
      known.map((k) => k.correct),
    ),
    extra: {
      of: 'mass_ni',
      n_wrong: known.filter((k) => !k.correct).length,
      n_right: known.filter((k) => k.correct).length,
    },
  };

  // Value-weighted shares, after every metric above, so files without value norms keep their bytes.
  for (const name of VALUE_WEIGHTED_METRICS) {
    if (grids('clean', name).length || grids('noisy', name).length)
      metrics[name] = summary(name, ['clean', 'noisy']);
  }

  type SeedNames =
    | readonly ['seed_kmi', 'seed_ni', 'seed_oc']
    | readonly ['vw_seed_kmi', 'vw_seed_ni', 'vw_seed_oc'];
  const SEED: SeedNames = ['seed_kmi', 'seed_ni', 'seed_oc'];
  const VW: SeedNames = ['vw_seed_kmi', 'vw_seed_ni', 'vw_seed_oc'];
  const seedRatios = (cond: Condition, names: SeedNames = SEED): SeedRatios => {
    const [kmi, ni, oc] = names.map((n) => values(cond, n));
    return {
      kmi_mean: mean(kmi!),
      kmi_std: populationStd(kmi!),
      ni_mean: mean(ni!),
      ni_std: populationStd(ni!),
      oc_mean: mean(oc!),
      oc_std: populationStd(oc!),
    };
  };
  // Seed ratios never have undefined cells, so their grids are always written.
  const seedLayer = (cond: Condition, [kmi, ni, oc]: SeedNames = SEED) => ({
    kmi: metrics[kmi]!.per_layer![cond]!,
    ni: metrics[ni]!.per_layer![cond]!,
    oc: metrics[oc]!.per_layer![cond]!,
  });
  const seedHead = (cond: Condition, [kmi, ni, oc]: SeedNames = SEED) => ({
    kmi: metrics[kmi]!.per_head![cond]!,
    ni: metrics[ni]!.per_head![cond]!,
    oc: metrics[oc]!.per_head![cond]!,
  });
  // every sample has value norms or none does (one export per model)
  const weighted = samples.every((s) => s.clean.has('vw_seed_kmi') && s.noisy.has('vw_seed_kmi'));
  return {
    clean: seedRatios('clean'),
    noisy: seedRatios('noisy'),
    per_layer: { clean: seedLayer('clean'), noisy: seedLayer('noisy') },
    per_head: { clean: seedHead('clean'), noisy: seedHead('noisy') },
    metrics,
    settings: opts.settings,
    ...(weighted
      ? {
          value_weighted: {
            clean: seedRatios('clean', VW),
            noisy: seedRatios('noisy', VW),
            per_layer: { clean: seedLayer('clean', VW), noisy: seedLayer('noisy', VW) },
            per_head: { clean: seedHead('clean', VW), noisy: seedHead('noisy', VW) },
          },
        }
      : {}),
  };
}
