// `exp eval rescore`: a run's results table recomputed from its sample logs with one extractor,
// without generating, written to rescored/<extractor>/ in the run folder, with the likelihood and
// knockout tables recomputed from their logs beside it.
import path from 'node:path';
import { DataError, BASELINE_DATASET } from '@exp/data';
import {
  buildResultsTable,
  ciMethods,
  comparisonPair,
  writeResults,
  type CiMethods,
  type Extractor,
  type ResultFiles,
  type ResultRow,
  type SampleRecord,
} from '@exp/eval';
import { RUN_PATHS } from './layout.js';
import { writeLikelihoodTables, type LikelihoodTables } from './likelihood.js';
import { readRunManifest, type RunManifest } from './manifest.js';
import { readSamples } from './read-run.js';

export interface RescoreResult {
  rows: ResultRow[];
  files: ResultFiles;
  /** Samples rescored, in all and per evaluation (zero_shot, post_sft, ...). */
  samples: number;
  counts: { evalType: string; samples: number }[];
  methods: CiMethods;
  /** likelihood_results.* and knockout_results.* recomputed from the likelihood logs, when any. */
  likelihood: LikelihoodTables;
}

/**
 * Every sample log of a run folder, per evaluation, each in the order the run tabulated them: its
 * models (resolved names, else --models) and datasets in the run's order, items by index. Logs
 * are in completion order (it depends on the batch size), and the bootstrap draws depend on the
 * order of the items.
 */
function runSamples(
  dir: string,
  manifest: RunManifest,
): { evalType: string; samples: SampleRecord[] }[] {
  const logged = readSamples(dir);
  if (logged.length === 0) {
    throw new DataError(`${path.join(dir, 'samples')}: no sample logs (is ${dir} a run folder?)`);
  }
  const rank = (order: readonly string[] | undefined, name: string) => {
    const i = order?.indexOf(name) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const { options } = manifest;
  const resolved = Object.keys(manifest.models);
  const models = resolved.length ? resolved : options.models;
  const evalTypes = [...new Set(logged.map((l) => l.evalType))];
  return evalTypes.map((evalType) => ({
    evalType,
    samples: logged
      .filter((l) => l.evalType === evalType)
      .map((l) => l.record)
      .sort(
        (a, b) =>
          rank(models, a.model) - rank(models, b.model) ||
          rank(options.datasets, a.dataset) - rank(options.datasets, b.dataset) ||
          a.index - b.index,
      ),
  }));
}

/**
 * A run's results table recomputed with one extractor: a table per evaluation the run logged
 * (zero-shot, then post-SFT, ...), concatenated as `exp run` writes experiment_results, with the
 * interval method and bootstrap seed the run recorded.
 */
export function rescoreRun(dir: string, extractor: Extractor): RescoreResult {
  const manifest = readRunManifest(dir);
  const evaluations = runSamples(dir, manifest).map(({ evalType, samples }) => ({
    evalType,
    samples: samples.map((s): SampleRecord => {
      const answer = extractor.extract(s.completion);
      return {
        ...s,
        answers: { ...s.answers, [extractor.name]: answer },
        correct_by: { ...s.correct_by, [extractor.name]: extractor.isCorrect(answer, s.gold) },
      };
    }),
  }));
  const methods = ciMethods({ ciMethod: manifest.options.ciMethod });
  // post-SFT models keep their names, so one pair serves every evaluation
  const pair = comparisonPair(manifest.models);
  const rows = evaluations.flatMap(({ evalType, samples }) =>
    buildResultsTable(samples, {
      extractors: [extractor.name],
      seed: manifest.seeds.run,
      evalType,
      baseline: BASELINE_DATASET,
      pair,
      ciMethod: methods.ci,
    }),
  );
  const out = path.join(dir, RUN_PATHS.rescored(extractor.name));
  const files = writeResults(out, rows);
  const counts = evaluations.map((e) => ({ evalType: e.evalType, samples: e.samples.length }));
  const samples = counts.reduce((n, c) => n + c.samples, 0);
  // the same tables as the run wrote, from the same logs (byte for byte)
  const likelihood = writeLikelihoodTables(dir, out, {
    models: manifest.models,
    seed: manifest.seeds.run,
  });
  return { rows, files, samples, counts, methods, likelihood };
}
