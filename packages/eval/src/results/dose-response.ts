// Dose-response of a run that holds noise-sweep cells: per extractor, model, noise type and
// position, the pooled Pass@1 of the cells, the pooled noise effect and the change per added
// noise sentence, with cluster-bootstrap intervals over base problems (stats/cluster-bootstrap).
import { BASELINE_DATASET } from '@exp/data';
import {
  doseResponse,
  type ClusterEstimate,
  type DoseObservation,
} from '../stats/cluster-bootstrap.js';
import type { SampleRecord } from '../samples/record.js';

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
  /** The sweep cell of a dataset, null for a set that is not one (it is left out). */
  cellOf: (dataset: string) => SweepCell | null;
}

/** One row: a model (or, with `vs`, the difference model − vs) over one type × position. */
export interface DoseResponseRow {
  extractor: string;
  model: string;
  /** Null on a model's row; the reference on a difference row. */
  vs: string | null;
  type: string;
  position: string;
  /** The doses present, ascending, 0 being the baseline. */
  doses: number[];
  /** Base problems (clusters) and observations (problem × cell) behind the estimates. */
  clusters: number;
  observations: number;
  /** Pass@1 over the noisy cells, the pooled noise effect (noisy − clean), change per sentence. */
  pooled: ClusterEstimate;
  effect: ClusterEstimate;
  slope: ClusterEstimate;
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
      const common = { extractor, type, position };
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
