// Shared by the tests: the fixture run folder (a real `exp run --quick-test` with trimmed sample
// logs, plus hand-made attention and SFT files, see fixtures/README.md) and small builders.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@jest/globals';
import { loadGsm8kFile, toJsonl } from '@exp/data';
import {
  buildResultsTable,
  KnockoutTableSchema,
  LikelihoodRecordSchema,
  ResultRowSchema,
  summarizeLikelihood,
  writeResults,
  type KnockoutRow,
  type ResultRow,
} from '@exp/eval';
import { buildEvidence, runDoseResponse, writeDoseResponse, writeEvidence } from '@exp/run';
// internals of @exp/run: the run's manifest and its samples in the run's order
import { readRunManifest } from '../../run/src/manifest.js';
import { runSamples } from '../../run/src/read-run.js';
import { getNoise, noisyRecords } from '@exp/noise';
import { SampleMapSchema, type SampleMap } from '@exp/attention';
import { writeSampleMaps } from './fixtures/make-attention-fixture.mjs';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const GSM8K_TEST = path.resolve(FIXTURES, '../../../../../shared/data/gsm8k/test.jsonl');

/**
 * The fixture run with its GSM8K text put back from ../shared (GSM8K is never copied into the
 * repository): the run's noisy sets (its 4 problems, seed 42, as the run generated them), the
 * sample logs' prompts (the bare template: the question itself) and the sample maps.
 */
function materialise(): { run: string; data: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'exp-report-fixture-'));
  const data = path.join(root, 'data');
  const run = path.join(root, 'run-q');
  mkdirSync(data);
  const problems = loadGsm8kFile(GSM8K_TEST, 'gsm8k-test').slice(0, 4);
  const questions: Record<string, Map<string, string>> = {
    clean: new Map(problems.map((p) => [p.id, p.question])),
  };
  for (const type of ['inf', 'rcs', 'sd']) {
    const records = noisyRecords(problems, getNoise(type), 42);
    writeFileSync(path.join(data, `gsm8k_${type}_test.jsonl`), toJsonl(records));
    questions[type] = new Map(records.map((r) => [r.id, r.question]));
  }
  cpSync(path.join(FIXTURES, 'run-q'), run, { recursive: true });
  for (const model of readdirSync(path.join(run, 'samples'))) {
    for (const file of readdirSync(path.join(run, 'samples', model))) {
      const f = path.join(run, 'samples', model, file);
      const dataset = file.replace(/\.jsonl$/u, '');
      const lines = readFileSync(f, 'utf8').trim().split('\n');
      const filled = lines.map((l) => {
        const r = JSON.parse(l) as { id: string; prompt: string };
        return { ...r, prompt: questions[dataset]!.get(r.id)! };
      });
      writeFileSync(f, toJsonl(filled));
    }
  }
  writeSampleMaps(data, run);
  return { run, data };
}

const FIXTURE = materialise();
export const RUN = FIXTURE.run;
export const DATA = FIXTURE.data;

/** A fresh copy of the fixture run folder in a temp dir (buildReport writes into it). */
/** readRun's note on the fixture: its results predate recorded ci_methods (all bootstraps). */
export const LEGACY_CI_NOTE =
  'the manifest does not record ci_methods: the results were written by an older exp, whose intervals are all percentile bootstraps';

/**
 * The fixture's results as today's table computes them from its logs: every cell is 0/4, whose
 * Wilson 95% interval is [0, 0.4898908364545973] (statsmodels 0.15.0 proportion_confint(0, 4,
 * method='wilson')), and each diff is 0 over (a, b, c, d) = (0, 0, 0, 4), whose Newcombe interval
 * is the same half-width either side (phi = 0: tools/crosscheck/intervals_fixture.py). The
 * columns added since (at the end): no discordant item and no correct clean item leave both MDEs
 * null; each McNemar p is 1, and so is its Holm adjustment.
 */
export function withClosedFormIntervals(rows: ResultRow[]): ResultRow[] {
  const hi = 0.4898908364545973;
  return rows.map((r) => ({
    ...r,
    ci_high: r.correct === 0 && r.total === 4 ? hi : NaN,
    ...(r.diff === null ? {} : { diff_ci_low: -hi, diff_ci_high: hi }),
    diff_mde: null,
    p_holm: r.mcnemar_p === null ? null : 1,
    degradation_mde: null,
  }));
}

/** Rows equal but for numbers, which may differ by 1e-12 (another library's last digit). */
export function expectRowsClose(actual: ResultRow[], expected: ResultRow[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, i) => {
    const want = expected[i] as unknown as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(Object.keys(want));
    for (const [k, v] of Object.entries(row)) {
      if (typeof v === 'number' && typeof want[k] === 'number') {
        expect(Math.abs(v - (want[k] as number))).toBeLessThan(1e-12);
      } else expect(v).toEqual(want[k]);
    }
  });
}

export function copyRun(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-report-'));
  const run = path.join(dir, 'q');
  cpSync(RUN, run, { recursive: true });
  return run;
}

export function fixtureMap(
  dataset: string,
  model: string,
  condition: 'clean' | 'noisy',
): SampleMap {
  const file = path.join(
    RUN,
    'attention_samples',
    dataset,
    model,
    `gsm8k-test-1.${condition}.json`,
  );
  return SampleMapSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** A results row with the comparison columns empty unless given. */
export function row(
  r: Partial<ResultRow> & Pick<ResultRow, 'model' | 'dataset' | 'accuracy'>,
): ResultRow {
  return {
    correct: 0,
    total: 200,
    eval_type: 'zero_shot',
    extractor: 'strict',
    ci_low: r.accuracy,
    ci_high: r.accuracy,
    degradation: null,
    degradation_ci_low: null,
    degradation_ci_high: null,
    diff_vs: null,
    diff: null,
    diff_ci_low: null,
    diff_ci_high: null,
    mcnemar_p: null,
    ...r,
  };
}

/**
 * A small results table (extractor strict, plus one seed row): two models on clean and inf, with
 * the pair difference on diffllama's rows and the degradation on the inf rows.
 */
export const RESULTS: ResultRow[] = [
  row({ model: 'llama', dataset: 'clean', accuracy: 0.15, ci_low: 0.1, ci_high: 0.2, correct: 30 }),
  row({
    model: 'llama',
    dataset: 'inf',
    accuracy: 0.12,
    ci_low: 0.08,
    ci_high: 0.17,
    correct: 24,
    degradation: 0.2,
    degradation_ci_low: -0.1,
    degradation_ci_high: 0.45,
  }),
  row({
    model: 'diffllama',
    dataset: 'clean',
    accuracy: 0.17,
    ci_low: 0.12,
    ci_high: 0.225,
    correct: 34,
    diff_vs: 'llama',
    diff: 0.02,
    diff_ci_low: -0.01,
    diff_ci_high: 0.05,
    mcnemar_p: 0.375,
  }),
  row({
    model: 'diffllama',
    dataset: 'inf',
    accuracy: 0.16,
    ci_low: 0.11,
    ci_high: 0.21,
    correct: 32,
    degradation: 1 / 17,
    degradation_ci_low: -0.25,
    degradation_ci_high: 0.3,
    diff_vs: 'llama',
    diff: 0.04,
    diff_ci_low: 0.01,
    diff_ci_high: 0.07,
    mcnemar_p: 0.0004,
  }),
  row({ model: 'llama', dataset: 'clean', accuracy: 0.5, extractor: 'seed' }),
];

/** The charts buildReport draws for the fixture run folder, in order. */
export const FIXTURE_CHARTS = [
  'model_comparison',
  'attention_ratios',
  'ni_lift_by_layer',
  'head_map_lift_ni',
  'head_map_mass_ni',
  'head_map_distraction',
  'head_map_cancellation_ni',
  'sft_loss',
];

/**
 * Adds a post-SFT evaluation to a run folder as `exp run` writes it (samples_post_sft/, the
 * same models and sets): a copy of its zero-shot logs where each set's item 0 is answered right
 * by every extractor, so each post-SFT cell is 1 of 4.
 */
export function addPostSft(dir: string): void {
  const root = path.join(dir, 'samples_post_sft');
  cpSync(path.join(dir, 'samples'), root, { recursive: true });
  for (const model of readdirSync(root)) {
    for (const file of readdirSync(path.join(root, model))) {
      const f = path.join(root, model, file);
      const lines = readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown> & { index: number; gold: string });
      for (const l of lines) {
        if (l.index !== 0) continue;
        l.completion = `The answer is ${l.gold}.\n#### ${l.gold}`;
        l.answers = { seed: l.gold, strict: l.gold };
        l.correct_by = { seed: true, strict: true };
        Object.assign(l, { predicted: l.gold, predicted_strict: l.gold });
        Object.assign(l, { correct: true, correct_strict: true });
      }
      writeFileSync(f, toJsonl(lines));
    }
  }
}

/** The charts of the section "Does differential attention help?" on a folder with addEvidence. */
export const EVIDENCE_CHARTS = [
  'likelihood_effect',
  'knockout_recovery',
  'knockout_layers',
  'dose_response',
];

const MODELS = ['tiny-llama', 'tiny-diffllama'];

/** A likelihood record of the fixture's items: `mean` nats/token, pull on the distractor '7'. */
function likelihoodRecord(model: string, dataset: string, i: number, mean: number, pull: number) {
  const score = {
    prompt_tokens: 30,
    solution_tokens: 40,
    sum: 40 * mean,
    mean,
    final_tokens: 2,
    final_sum: 2 * mean,
    numbers: { '18': [1000, Math.log(0.4)], '7': [1001, Math.log(pull)] },
  };
  return LikelihoodRecordSchema.parse({
    run: 'q',
    model,
    dataset,
    id: `gsm8k-test-${i}`,
    index: i,
    gold: '18',
    noise_numbers: dataset === 'clean' ? [] : ['7'],
    sft: score,
    protocol: score,
    ms: 1,
  });
}

/**
 * Adds to a run folder what the likelihood, knockout and sweep steps write, computed by their
 * code from hand-made inputs (the fixture run predates them): likelihood logs where noise costs
 * tiny-llama 0.4 + 0.1·i nats/token and tiny-diffllama 0.1 (likelihood_results.json is their
 * summary), knockout_results.json from layers 0 and 1, two sweep cells of inf (copies of the inf
 * samples, item 0 right at one sentence) with their results rows and dose_response.json, and
 * last the evidence table of it all (evidence.json).
 */
export function addEvidence(dir: string): void {
  const records = MODELS.flatMap((model) =>
    ['clean', 'inf', 'rcs', 'sd'].flatMap((dataset) =>
      [0, 1, 2, 3].map((i) => {
        const cost = dataset === 'clean' ? 0 : model === 'tiny-llama' ? 0.4 + 0.1 * i : 0.1;
        const pull = dataset === 'clean' ? 0.05 : model === 'tiny-llama' ? 0.3 : 0.06;
        return likelihoodRecord(model, dataset, i, -2 - 0.05 * i - cost, pull);
      }),
    ),
  );
  for (const model of MODELS) {
    for (const dataset of ['clean', 'inf', 'rcs', 'sd']) {
      const mine = records.filter((r) => r.model === model && r.dataset === dataset);
      mkdirSync(path.join(dir, 'likelihood', model), { recursive: true });
      writeFileSync(path.join(dir, 'likelihood', model, `${dataset}.jsonl`), toJsonl(mine));
    }
  }
  const pair: [string, string] = ['tiny-diffllama', 'tiny-llama'];
  const summary = summarizeLikelihood(records, { pair, seed: 42, resamples: 500 });
  writeFileSync(path.join(dir, 'likelihood_results.json'), JSON.stringify(summary, null, 2));
  const knockout: KnockoutRow[] = MODELS.flatMap((model, m) =>
    ['inf', 'sd'].flatMap((dataset, d) =>
      [0, 1].map((from_layer) => {
        const recovered = 0.6 - 0.25 * from_layer - 0.2 * m - 0.1 * d;
        return {
          model,
          dataset,
          measure: 'protocol_mean',
          extractor: null,
          eval_type: null,
          from_layer,
          n: 4,
          clean: -2.1,
          noisy: -2.6,
          knockout: -2.6 + 0.5 * recovered,
          recovered,
          lo: recovered - 0.2,
          hi: recovered + 0.15,
        };
      }),
    ),
  );
  writeFileSync(
    path.join(dir, 'knockout_results.json'),
    JSON.stringify(KnockoutTableSchema.parse({ rows: knockout }), null, 2),
  );
  // sweep cells: inf's samples at one (item 0 right) and two sentences late
  const manifest = readRunManifest(dir);
  const [zeroShot] = runSamples(dir, manifest);
  const sweep = zeroShot.samples
    .filter((s) => s.dataset === 'inf')
    .flatMap((s) =>
      ['inf-k1-late', 'inf-k2-late'].map((dataset) => {
        const ok = dataset === 'inf-k1-late' && s.index === 0;
        return {
          ...s,
          dataset,
          answers: { seed: ok ? s.gold : 'x', strict: ok ? s.gold : null },
          correct_by: { seed: ok, strict: ok },
        };
      }),
    );
  const samples = [...zeroShot.samples, ...sweep];
  const extractors = manifest.task!.extractors;
  const results = ResultRowSchema.array().parse(
    JSON.parse(readFileSync(path.join(dir, 'experiment_results.json'), 'utf8')),
  );
  const swept = buildResultsTable(samples, {
    extractors,
    seed: 42,
    evalType: 'zero_shot',
    pair,
  }).filter((r) => r.dataset.includes('-k'));
  writeResults(dir, [...results, ...swept]);
  writeDoseResponse(
    dir,
    runDoseResponse(manifest, [{ evalType: 'zero_shot', samples }], extractors)!,
  );
  writeEvidence(dir, buildEvidence(dir, { manifest, resamples: 500, permutations: 2000 }));
}
