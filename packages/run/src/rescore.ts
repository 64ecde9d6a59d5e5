// `exp eval rescore`: a run's results table (and its dose-response and evidence tables)
// recomputed from its logs with one extractor, without generating, written to
// rescored/<extractor>/ in the run folder, with the likelihood and knockout tables recomputed
// from their logs beside it.
import path from 'node:path';
import { BASELINE_DATASET } from '@exp/data';
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
import { runDoseResponse, writeDoseResponse } from './dose.js';
import { evidenceStep } from './evidence.js';
import { RUN_PATHS } from './layout.js';
import { writeLikelihoodTables, type LikelihoodTables } from './likelihood.js';
import { readRunManifest } from './manifest.js';
import { runSamples } from './read-run.js';

export interface RescoreResult {
  rows: ResultRow[];
  files: ResultFiles;
  /** Samples rescored, in all and per evaluation (zero_shot, post_sft, ...). */
  samples: number;
  counts: { evalType: string; samples: number }[];
  methods: CiMethods;
  /** dose_response.json/.csv written beside the table (null: no sweep cells). */
  doseResponse: { json: string; csv: string } | null;
  /** evidence.json/.csv written beside the table (null: no DiffLlama/Llama pair). */
  evidence: { json: string; csv: string } | null;
  /** likelihood_results.* and knockout_results.* recomputed from the likelihood logs, when any. */
  likelihood: LikelihoodTables;
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
  const outDir = path.join(dir, RUN_PATHS.rescored(extractor.name));
  const files = writeResults(outDir, rows);
  // the run's other tables of the samples, with this extractor (the run's own when it is primary)
  const dose = runDoseResponse(manifest, evaluations, [extractor.name]);
  const doseFiles = dose ? writeDoseResponse(outDir, dose) : null;
  // the same tables as the run wrote, from the same logs (byte for byte)
  const likelihood = writeLikelihoodTables(dir, outDir, {
    models: manifest.models,
    seed: manifest.seeds.run,
  });
  const evidence = evidenceStep(dir, {
    manifest,
    evaluations,
    extractor: extractor.name,
    outDir,
    likelihood: likelihood.summary,
  });
  const counts = evaluations.map((e) => ({ evalType: e.evalType, samples: e.samples.length }));
  const samples = counts.reduce((n, c) => n + c.samples, 0);
  return { rows, files, samples, counts, methods, doseResponse: doseFiles, evidence, likelihood };
}
