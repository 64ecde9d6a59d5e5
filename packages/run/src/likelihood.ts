// The run's likelihood steps: the gold solution's likelihood of every item, set and model
// (likelihood/), the same with attention to the noise spans knocked out (likelihood_knockout/
// from_<L>/), and the tables computed from those logs alone (likelihood_results.*,
// knockout_results.*), so that `exp eval rescore` writes the same bytes from the same logs.
// The run's own models are scored (the zero-shot ones): post-SFT models are left out.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BASELINE_DATASET, firstN, loadGsm8k, writeFileAtomic } from '@exp/data';
import {
  KnockoutRowSchema,
  LikelihoodPairRowSchema,
  LikelihoodRowSchema,
  comparisonPair,
  hasWorkedSolution,
  knockoutPassRows,
  noiseOnlyNumbers,
  runEvaluation,
  readLikelihoodLogs,
  runLikelihood,
  summarizeKnockout,
  summarizeLikelihood,
  tableCsv,
  tableJson,
  type EvalModel,
  type KnockoutRecords,
  type KnockoutRow,
  type LikelihoodDataset,
  type LikelihoodRecord,
  type LikelihoodSummary,
  type SampleRecord,
} from '@exp/eval';
import { noisyRecordsOf } from './attention.js';
import type { Progress, Reporter } from './events.js';
import { RUN_PATHS } from './layout.js';
import { readSamples } from './read-run.js';
import {
  loadModels,
  loadProblems,
  needsTrain,
  evalProgress,
  evaluationSettings,
  type ModelInfo,
  type RunStepArgs,
} from './zero-shot.js';

/** The evaluation type of zero-shot sample logs (samples/, eval's default). */
const ZERO_SHOT = 'zero_shot';

/** The sets of a run as likelihood datasets: noisy ones with their noise's numbers and spans. */
export function likelihoodDatasets(args: Pick<RunStepArgs, 'plan' | 'data'>): LikelihoodDataset[] {
  return args.plan.datasets.map((name) => {
    const problems = loadProblems(name, args.data[name]!);
    const records = name === BASELINE_DATASET ? null : noisyRecordsOf(args.data[name]!.path);
    if (!records) return { name, problems };
    const noiseNumbers = new Map<string, string[]>();
    const noiseSpans = new Map<string, [number, number][]>();
    for (const r of records) {
      noiseNumbers.set(
        r.id,
        noiseOnlyNumbers(
          r.noise.map((s) => s.text),
          r.original_question,
          r.final,
        ),
      );
      // only an insertion's spans are the noise's text in the question
      if (r.noise_kind === 'insertion' && r.noise.length > 0) {
        noiseSpans.set(
          r.id,
          r.noise.map((s) => [s.start, s.end]),
        );
      }
    }
    return { name, problems, noiseNumbers, noiseSpans };
  });
}

/** A progress bar per model x set, and a line when a set starts from logged items. */
function progress(report: Reporter, step: string) {
  let bar: Progress | null = null;
  let label = '';
  const onProgress = (p: {
    model: string;
    dataset: string;
    done: number;
    total: number;
    resumed?: number;
  }) => {
    const now = `${step} ${p.model} ${p.dataset}`;
    if (now !== label) {
      bar?.stop();
      bar = report.bar(now);
      label = now;
    }
    if (p.resumed) report.out(`${now}: ${p.resumed} items already logged`);
    bar!.update(p.done, p.total);
    if (p.done === p.total) {
      bar!.stop();
      bar = null;
      label = '';
    }
  };
  return { onProgress, stop: () => (bar as Progress | null)?.stop() };
}

/** The first knocked layers a run measures: 0, or every layer with the per-layer curve. */
export const knockoutLayers = (layers: number, curve: boolean): number[] =>
  curve ? Array.from({ length: layers }, (_, l) => l) : [0];

/**
 * The models and sets of the likelihood steps, loaded once for both: `plain` scores likelihood/,
 * `knockout` likelihood_knockout/from_<L>/ for each first knocked layer.
 */
export function likelihoodSession(args: RunStepArgs) {
  const { plan, options, task, report } = args;
  let loaded: { models: EvalModel[]; info: Record<string, ModelInfo> } | null = null;
  const datasets = likelihoodDatasets(args);
  const fewshot = needsTrain(task) ? loadGsm8k('train') : undefined;
  const settings = {
    task,
    outDir: args.runDir,
    runId: args.runId,
    maxSamples: plan.evalSamples,
    seed: plan.seed,
    fewshot,
    signal: args.signal,
  };
  const models = async () =>
    (loaded ??= await loadModels(plan, options, report, {
      // one forward per text: no decode graph
      decoder: 'present',
      ...(plan.steps.knockout ? { exportKnockout: true } : {}),
    }));
  return {
    models,
    async plain(): Promise<void> {
      const { models: lms } = await models();
      for (const d of datasets) {
        const items = firstN(d.problems, plan.evalSamples);
        const bare = items.filter((q) => !hasWorkedSolution(q.answer)).length;
        if (bare > 0) {
          report.out(
            `likelihood: ${d.name}: ${bare} of ${items.length} items have no worked solution ending in '#### <answer>'; not scored`,
          );
        }
      }
      const p = progress(report, 'likelihood');
      let records: LikelihoodRecord[];
      try {
        records = await runLikelihood({
          ...settings,
          models: lms,
          datasets,
          onProgress: p.onProgress,
        });
      } finally {
        p.stop();
      }
      for (const m of lms) {
        for (const d of datasets) {
          const texts = records
            .filter((r) => r.model === m.name && r.dataset === d.name)
            .flatMap((r) => [r.sft, r.protocol]);
          const cut = texts.filter((t) => t.truncated_tokens !== undefined).length;
          if (cut > 0) {
            report.out(
              `likelihood: ${m.name} ${d.name}: ${cut} of ${texts.length} texts cut from the left to fit the model's context (as lm-eval cuts loglikelihood requests)`,
            );
          }
        }
      }
    },
    /** Returns the sets knocked out (those with noise spans). */
    async knockout(curve: boolean): Promise<string[]> {
      const { models: lms } = await models();
      const knocked = datasets.filter((d) => (d.noiseSpans?.size ?? 0) > 0);
      if (knocked.length === 0) return [];
      const p = progress(report, 'knockout');
      try {
        for (const m of lms) {
          for (const fromLayer of knockoutLayers(m.lm.config.numLayers, curve)) {
            if (args.signal.aborted) return knocked.map((d) => d.name);
            await runLikelihood({
              ...settings,
              models: [m],
              datasets: knocked,
              knockout: { fromLayer },
              logDir: path.join(args.runDir, RUN_PATHS.likelihoodKnockoutRoot(fromLayer)),
              onProgress: (e) => p.onProgress({ ...e, model: `${e.model} from_${fromLayer}` }),
            });
          }
        }
      } finally {
        p.stop();
      }
      return knocked.map((d) => d.name);
    },
    async dispose(): Promise<void> {
      for (const m of loaded?.models ?? []) await m.lm.dispose();
    },
  };
}

/**
 * --knockout-generate: zero-shot evaluation of the noisy sets' items with noise spans, with the
 * spans knocked out in every layer, logged under knockout_generate/ (not a results table of its
 * own: its Pass@1 rows join knockout_results). Returns the sets evaluated and whether it stopped.
 */
export async function knockoutGenerateStep(
  args: RunStepArgs,
): Promise<{ sets: string[]; aborted: boolean }> {
  const { plan, options, report } = args;
  const datasets = likelihoodDatasets(args).filter((d) => (d.noiseSpans?.size ?? 0) > 0);
  if (datasets.length === 0) return { sets: [], aborted: false };
  // the decode graph with the knockout inputs, the export with them for its prefill
  const { models } = await loadModels(plan, options, report, {
    knockout: true,
    exportKnockout: true,
  });
  const fewshot = needsTrain(args.task) ? loadGsm8k('train') : undefined;
  const progress = evalProgress(report, 'knockout-generate');
  try {
    const result = await runEvaluation({
      ...evaluationSettings(args),
      models,
      datasets,
      fewshot,
      outDir: path.join(args.runDir, RUN_PATHS.knockoutGenerateRoot),
      knockout: { fromLayer: 0 },
      onProgress: progress.onProgress,
    });
    return { sets: datasets.map((d) => d.name), aborted: result.aborted };
  } finally {
    progress.stop();
    for (const m of models) await m.lm.dispose();
  }
}

/** The first knocked layers a run folder holds logs of (likelihood_knockout/from_<L>/). */
function knockoutLogLayers(dir: string): number[] {
  const root = path.join(dir, path.dirname(RUN_PATHS.likelihoodKnockoutRoot(0)));
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((f) => /^from_(\d+)$/.exec(f))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/**
 * The Pass@1 rows of the knockout table: the run's zero-shot samples of the clean and noisy sets
 * against knockout_generate/'s, per extractor the samples scored (in their order), from layer 0.
 * Samples sorted by model, set and index: the bootstrap draws depend on the order of the items.
 */
function knockoutPass(runDir: string, seed: number): KnockoutRow[] {
  const root = path.join(runDir, RUN_PATHS.knockoutGenerateRoot);
  if (!existsSync(root)) return [];
  const order = (a: SampleRecord, b: SampleRecord) =>
    a.model.localeCompare(b.model) || a.dataset.localeCompare(b.dataset) || a.index - b.index;
  const knocked = readSamples(root)
    .filter((l) => l.evalType === ZERO_SHOT)
    .map((l) => l.record)
    .sort(order);
  if (knocked.length === 0) return [];
  const samples = readSamples(runDir)
    .filter((l) => l.evalType === ZERO_SHOT)
    .map((l) => l.record);
  const extractors = Object.keys(knocked[0]!.correct_by);
  return knockoutPassRows(samples, knocked, { extractors, seed, fromLayer: 0 });
}

export interface LikelihoodTables {
  summary: LikelihoodSummary | null;
  knockout: KnockoutRow[] | null;
  files: string[];
}

/**
 * likelihood_results.{json,csv}, likelihood_pairs.csv and knockout_results.{json,csv} of a run
 * folder's logs, written into `outDir` (the run folder, or rescore's folder): the pair is the
 * run's DiffLlama / Llama models (comparisonPair of `models`), the bootstrap seeded with `seed`.
 * The knockout table holds the likelihood rows, then the Pass@1 rows of --knockout-generate.
 * Files whose logs are missing are not written.
 */
export function writeLikelihoodTables(
  runDir: string,
  outDir: string,
  o: { models: Readonly<Record<string, { modelType?: string }>>; seed: number },
): LikelihoodTables {
  const extra = knockoutPass(runDir, o.seed);
  const plain = readLikelihoodLogs(runDir);
  const files: string[] = [];
  const write = (rel: string, text: string) => {
    const file = path.join(outDir, rel);
    writeFileAtomic(file, text);
    files.push(file);
  };
  let summary: LikelihoodSummary | null = null;
  if (plain.length > 0) {
    const pair = comparisonPair(o.models);
    summary = summarizeLikelihood(plain, { seed: o.seed, ...(pair ? { pair } : {}) });
    write(RUN_PATHS.likelihoodResults('json'), tableJson(summary));
    write(RUN_PATHS.likelihoodResults('csv'), tableCsv(LikelihoodRowSchema, summary.rows));
    write(RUN_PATHS.likelihoodPairs, tableCsv(LikelihoodPairRowSchema, summary.pairs));
  }
  const knockouts: KnockoutRecords[] = knockoutLogLayers(runDir).map((fromLayer) => ({
    fromLayer,
    records: readLikelihoodLogs(
      runDir,
      path.join(runDir, RUN_PATHS.likelihoodKnockoutRoot(fromLayer)),
    ),
  }));
  let knockout: KnockoutRow[] | null = null;
  if (knockouts.length > 0 || extra.length > 0) {
    knockout = [...summarizeKnockout(plain, knockouts, { seed: o.seed }), ...extra];
    write(RUN_PATHS.knockoutResults('json'), tableJson({ rows: knockout }));
    write(RUN_PATHS.knockoutResults('csv'), tableCsv(KnockoutRowSchema, knockout));
  }
  return { summary, knockout, files };
}
