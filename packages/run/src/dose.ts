// The run's dose-response table (dose_response.json / .csv): when its datasets hold noise-sweep
// cells (inf-k2-late, sd-k4-early, ...), eval's buildDoseResponseTable over the sample logs of
// every evaluation, with the run's seed. `exp run` writes it after zero-shot and after post-SFT
// evaluation; `exp eval rescore` recomputes it from the same logs (same order, same seed).
import path from 'node:path';
import { BASELINE_DATASET, writeFileAtomic } from '@exp/data';
import {
  buildDoseResponseTable,
  comparisonPair,
  doseResponseCsv,
  type DoseResponseRow,
  type DoseResponseTable,
  type SampleRecord,
  type SweepCell,
} from '@exp/eval';
import { noiseCellName } from '@exp/noise';
import { noiseCell } from './data.js';
import { RUN_PATHS } from './layout.js';
import type { RunManifest } from './manifest.js';
import { runSamples } from './read-run.js';

/**
 * The sweep cell a dataset is: a noise cell named with its placement (`inf-k2-late`,
 * `mix.inf.sd-k4-early`, `rcs-k1-random-indep`); the default-placement sets (`inf`) are not.
 * Its type is the noise type plus `-indep` for slots drawn per type (a different design).
 */
export function sweepCell(name: string): SweepCell | null {
  const cell = noiseCell(name);
  if (!cell || noiseCellName(cell, { explicit: true }) !== name) return null;
  const base = noiseCellName({ ...cell, sentences: 1, position: 'random', slots: 'shared' });
  const indep = cell.position === 'random' && cell.slots === 'independent';
  return {
    type: indep ? `${base}-indep` : base,
    sentences: cell.sentences,
    position: cell.position,
  };
}

/** The samples of each evaluation of a run, in the run's order (read-run's runSamples). */
export type Evaluations = { evalType: string; samples: SampleRecord[] }[];

/**
 * The dose-response rows of a run's evaluations (zero-shot first) for `extractors`, or null when
 * no dataset of the samples is a sweep cell. Seeded with the run's seed; the pair is the run's
 * DiffLlama − Llama pair.
 */
export function runDoseResponse(
  manifest: RunManifest,
  evaluations: Evaluations,
  extractors: readonly string[],
): DoseResponseRow[] | null {
  const sweep = evaluations.some(({ samples }) => samples.some((s) => sweepCell(s.dataset)));
  if (!sweep) return null;
  const pair = comparisonPair(manifest.models);
  return evaluations.flatMap(({ evalType, samples }) =>
    buildDoseResponseTable(samples, {
      extractors: [...extractors],
      seed: manifest.seeds.run,
      baseline: BASELINE_DATASET,
      evalType,
      cellOf: sweepCell,
      ...(pair ? { pair } : {}),
    }),
  );
}

/** Writes dose_response.json (DoseResponseTableSchema) and .csv into `dir`; their paths. */
export function writeDoseResponse(
  dir: string,
  rows: readonly DoseResponseRow[],
): { json: string; csv: string } {
  const json = path.join(dir, RUN_PATHS.doseResponse('json'));
  const csv = path.join(dir, RUN_PATHS.doseResponse('csv'));
  const table: DoseResponseTable = { rows: [...rows] };
  writeFileAtomic(json, JSON.stringify(table, null, 2) + '\n');
  writeFileAtomic(csv, doseResponseCsv(rows));
  return { json, csv };
}

/**
 * `exp run`'s dose-response step: the table of every sample log the run folder holds, for the
 * task's extractors, written when the run has sweep cells. `manifest` is the run's as it stands
 * (its resolved models). Returns the files written, or null.
 */
export function doseResponseStep(
  runDir: string,
  manifest: RunManifest,
): { json: string; csv: string } | null {
  const evaluations = runSamples(runDir, manifest);
  const extractors = manifest.task?.extractors ?? [];
  const rows = runDoseResponse(manifest, evaluations, extractors);
  return rows ? writeDoseResponse(runDir, rows) : null;
}
