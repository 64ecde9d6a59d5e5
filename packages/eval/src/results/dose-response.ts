// Dose-response of a run that holds noise-sweep cells: per extractor, model, noise type and
// position, the pooled Pass@1 of the cells, the pooled noise effect and the change per added
// noise sentence, with cluster-bootstrap intervals over base problems (stats/cluster-bootstrap).
import { z } from 'zod';
import { BASELINE_DATASET } from '@exp/data';
import { doseResponse, type DoseObservation } from '../stats/cluster-bootstrap.js';
import type { SampleRecord } from '../samples/record.js';
import { csvText } from './write.js';

/**
 * Where a dataset sits in a sweep: its noise type (anything that tells apart sets differing in
 * more than dose and position, e.g. `mix.inf.sd` or an `-indep` variant), its number of noise
 * sentences and its position. @exp/noise's parseNoiseCell reads these from a cell's name; the
 * caller passes it in, since this package does not depend on @exp/noise.
 */
export interface SweepCell {
  type: string;
  sentences: number;
  position: string;
}

export interface DoseResponseOptions {
  extractors: string[];
  /** Seed of the cluster resampling plan (the same plan for every group). */
  seed: number;
  resamples?: number;
  level?: number;
  /** The dose-0 set every group shares; default 'clean'. */
  baseline?: string;
  /** [model, reference]: adds `model − reference` rows, paired by base problem. */
  pair?: [string, string];
  /** The evaluation the samples come from, recorded in each row (default 'zero_shot'). */
  evalType?: string;
  /** The sweep cell of a dataset, null for a set that is not one (it is left out). */
  cellOf: (dataset: string) => SweepCell | null;
}

const count = z.number().int().nonnegative();
/** A cluster-bootstrap estimate (stats/cluster-bootstrap's ClusterEstimate). */
const EstimateSchema = z.object({
  value: z.number().nullable(),
  lo: z.number().nullable(),
  hi: z.number().nullable(),
  /** Resamples where the statistic was undefined. */
  skipped: count,
});

/**
 * One row of dose_response.json: a model (or, with `vs`, the difference model − vs) over one
 * evaluation × extractor × noise type × position. The file's one definition: the run writes it,
 * readRun and the report read it with this schema.
 */
export const DoseResponseRowSchema = z.object({
  extractor: z.string().min(1),
  eval_type: z.string().min(1),
  model: z.string().min(1),
  /** Null on a model's row; the reference on a difference row. */
  vs: z.string().min(1).nullable(),
  type: z.string().min(1),
  position: z.string().min(1),
  /** The doses present, ascending, 0 being the baseline. */
  doses: z.array(count),
  /** Base problems (clusters) and observations (problem × cell) behind the estimates. */
  clusters: count,
  observations: count,
  /** Pass@1 over the noisy cells, the pooled noise effect (noisy − clean), change per sentence. */
  pooled: EstimateSchema,
  effect: EstimateSchema,
  slope: EstimateSchema,
});
export type DoseResponseRow = z.infer<typeof DoseResponseRowSchema>;

/** dose_response.json: the rows of every evaluation of a run, zero-shot first. */
export const DoseResponseTableSchema = z.object({ rows: z.array(DoseResponseRowSchema) });
export type DoseResponseTable = z.infer<typeof DoseResponseTableSchema>;

const ESTIMATES = ['pooled', 'effect', 'slope'] as const;

/** Columns of dose_response.csv: each estimate flattened to value, _lo, _hi; doses as `0;1;2`. */
export const DOSE_RESPONSE_COLUMNS: readonly string[] = [
  'extractor',
  'eval_type',
  'model',
  'vs',
  'type',
  'position',
  'doses',
  'clusters',
  'observations',
  ...ESTIMATES.flatMap((e) => [e, `${e}_lo`, `${e}_hi`]),
];

/** dose_response.csv's text: one line per row, numbers unrounded, nulls empty. */
export function doseResponseCsv(rows: readonly DoseResponseRow[]): string {
  return csvText(
    DOSE_RESPONSE_COLUMNS,
    rows.map((r) => ({
      ...r,
      doses: r.doses.join(';'),
      ...Object.fromEntries(
        ESTIMATES.flatMap((e) => [
          [e, r[e].value],
          [`${e}_lo`, r[e].lo],
          [`${e}_hi`, r[e].hi],
        ]),
      ),
    })),
  );
}

/**
 * The dose-response table of the samples: for each extractor × noise type × position with at
 * least one sweep cell, a row per model (the baseline set as dose 0 plus the cells of that type
 * and position, outcomes 1/0) and, for the pair, a difference row on the same resamples.
 */
export function buildDoseResponseTable(
  samples: readonly SampleRecord[],
  opts: DoseResponseOptions,
): DoseResponseRow[] {
  const baseline = opts.baseline ?? BASELINE_DATASET;
  const models: string[] = [];
  const groups = new Map<string, { type: string; position: string; datasets: Set<string> }>();
  const cells = new Map<string, SweepCell | null>();
  for (const s of samples) {
    if (!models.includes(s.model)) models.push(s.model);
    if (s.dataset === baseline || cells.has(s.dataset)) continue;
    const cell = opts.cellOf(s.dataset);
    cells.set(s.dataset, cell);
    if (!cell) continue;
    const key = JSON.stringify([cell.type, cell.position]);
    let g = groups.get(key);
    if (!g)
      groups.set(key, (g = { type: cell.type, position: cell.position, datasets: new Set() }));
    g.datasets.add(s.dataset);
  }
  const rows: DoseResponseRow[] = [];
  for (const extractor of opts.extractors) {
    for (const { type, position, datasets } of groups.values()) {
      const obsOf = (model: string): DoseObservation[] =>
        samples.flatMap((s) => {
          if (s.model !== model) return [];
          const dose =
            s.dataset === baseline
              ? 0
              : datasets.has(s.dataset)
                ? cells.get(s.dataset)!.sentences
                : null;
          if (dose === null) return [];
          const ok = s.correct_by[extractor];
          if (ok === undefined) {
            throw new Error(
              `dose-response: ${s.model}/${s.dataset} sample ${JSON.stringify(s.id)} has no answer from extractor "${extractor}"`,
            );
          }
          return [{ cluster: s.id, dose, y: ok ? 1 : 0 }];
        });
      const common = { extractor, eval_type: opts.evalType ?? 'zero_shot', type, position };
      const boot = { seed: opts.seed, resamples: opts.resamples, level: opts.level };
      const describe = (obs: DoseObservation[]) => ({
        doses: [...new Set(obs.map((o) => o.dose))].sort((a, b) => a - b),
        clusters: new Set(obs.map((o) => o.cluster)).size,
        observations: obs.length,
      });
      for (const model of models) {
        const obs = obsOf(model);
        if (!obs.some((o) => o.dose > 0)) continue;
        const [est] = doseResponse([obs], boot).groups;
        rows.push({ ...common, model, vs: null, ...describe(obs), ...est });
      }
      const [a, b] = opts.pair ?? ['diffllama', 'llama'];
      if (a !== b && models.includes(a) && models.includes(b)) {
        // Paired by base problem: only the problems both models answered in both sets.
        const [oa, ob] = [obsOf(a), obsOf(b)];
        const key = (o: DoseObservation) => `${o.cluster}\u0000${o.dose}`;
        const inB = new Set(ob.map(key));
        const inA = new Set(oa.map(key));
        const [pa, pb] = [oa.filter((o) => inB.has(key(o))), ob.filter((o) => inA.has(key(o)))];
        if (pa.some((o) => o.dose > 0)) {
          const { difference } = doseResponse([pa, pb], boot);
          rows.push({ ...common, model: a, vs: b, ...describe(pa), ...difference! });
        }
      }
    }
  }
  return rows;
}
