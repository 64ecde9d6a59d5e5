// The run's likelihood and knockout steps on both tiny presets (clean and INF, 4 items): the logs
// and tables they write, `exp eval rescore`'s byte-identical tables, a rerun that scores only
// what a log lacks, a clean stop, the per-layer curve and the --skip-* flags. One run folder
// serves the first three tests; the others are single-model runs without generation.
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  KnockoutTableSchema,
  LIKELIHOOD_MEASURES,
  LikelihoodSummarySchema,
  getExtractor,
} from '@exp/eval';
import { RunOptionsSchema, planRun, runExperiment, type RunEvent } from '../src/index.js';
import { RUN_PATHS } from '../src/layout.js';
import { readRunManifest } from '../src/manifest.js';
import { rescoreRun } from '../src/rescore.js';
import { useRunRoot } from './run-root.js';

const MODELS = ['tiny-llama', 'tiny-diffllama'];
const env = useRunRoot('exp-run-likelihood-', 4);

const options = (o: Record<string, unknown>) =>
  RunOptionsSchema.parse({
    models: MODELS.join(','),
    datasets: 'clean,inf',
    maxSamples: 4,
    skipSft: true,
    skipAttention: true,
    task: path.join(env.root, 'task.json'),
    threads: 1,
    ...o,
  });

const gist = (e: RunEvent) => (e.type === 'step' ? `${e.step} ${e.status}` : null);
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const dirOf = (id: string) => path.join(env.root, 'results', id);
const plainLog = (id: string, model: string, set: string) =>
  path.join(dirOf(id), RUN_PATHS.likelihoodRoot, model, `${set}.jsonl`);
const knockoutLog = (id: string, model: string, set: string, layer = 0) =>
  path.join(dirOf(id), RUN_PATHS.likelihoodKnockoutRoot(layer), model, `${set}.jsonl`);
const TABLES = [
  RUN_PATHS.likelihoodResults('json'),
  RUN_PATHS.likelihoodResults('csv'),
  RUN_PATHS.likelihoodPairs,
  RUN_PATHS.knockoutResults('json'),
  RUN_PATHS.knockoutResults('csv'),
];

/** Ids among the first `n` INF records whose noise is an insertion with spans (knocked out). */
function knockedIds(n: number): string[] {
  return lines(path.join(env.root, 'data', 'gsm8k_inf_test.jsonl'))
    .slice(0, n)
    .map((l) => JSON.parse(l) as { id: string; noise: unknown[]; noise_kind?: string })
    .filter((r) => (r.noise_kind ?? 'insertion') === 'insertion' && r.noise.length > 0)
    .map((r) => r.id);
}

test('the plan: likelihood and knockout on by default, the opt-in ones refused without them', () => {
  expect(planRun(options({})).steps).toMatchObject({
    likelihood: true,
    knockout: true,
    knockoutLayers: false,
    knockoutGenerate: false,
  });
  expect(planRun(options({ skipLikelihood: true })).steps).toMatchObject({
    likelihood: false,
    knockout: false,
  });
  expect(() => planRun(options({ knockoutLayers: true, skipKnockout: true }))).toThrow(
    '--knockout-layers and --skip-knockout contradict each other; pass one',
  );
  expect(() => planRun(options({ knockoutGenerate: true, skipZeroShot: true }))).toThrow(
    '--knockout-generate and --skip-zero-shot contradict each other (it compares zero-shot Pass@1 with the noise knocked out); pass one',
  );
  expect(() => planRun(options({ knockoutGenerate: true, skipLikelihood: true }))).toThrow(
    /^--knockout-generate and --skip-likelihood contradict/,
  );
});

describe('likelihood and knockout steps', () => {
  test('score every model x set, knock the noise out, and write the tables', async () => {
    const events: RunEvent[] = [];
    const run = await runExperiment(options({ runId: 'lik' }), {
      onEvent: (e) => events.push(e),
    });
    expect(run.status).toBe('finished');
    expect(events.map(gist).filter(Boolean)).toEqual([
      'data-gen started',
      'data-gen finished',
      'zero-shot started',
      'zero-shot finished',
      'sft skipped',
      'likelihood started',
      'likelihood finished',
      'knockout started',
      'knockout finished',
      'attention skipped',
    ]);
    const knocked = knockedIds(4);
    expect(knocked.length).toBeGreaterThan(0);
    for (const m of MODELS) {
      for (const set of ['clean', 'inf']) expect(lines(plainLog('lik', m, set))).toHaveLength(4);
      const ko = lines(knockoutLog('lik', m, 'inf')).map((l) => JSON.parse(l) as { id: string });
      expect(ko.map((r) => r.id)).toEqual(knocked);
      expect(existsSync(knockoutLog('lik', m, 'clean'))).toBe(false);
    }
    // a knocked-out item scores otherwise than the plain noisy one, on the same tokens
    const plain = JSON.parse(lines(plainLog('lik', 'tiny-llama', 'inf'))[0]!) as {
      id: string;
      sft: { sum: number; solution_tokens: number };
    };
    const ko = lines(knockoutLog('lik', 'tiny-llama', 'inf'))
      .map((l) => JSON.parse(l) as typeof plain)
      .find((r) => r.id === plain.id)!;
    expect(ko.sft.solution_tokens).toBe(plain.sft.solution_tokens);
    expect(ko.sft.sum).not.toBe(plain.sft.sum);

    const dir = run.dir;
    const summary = LikelihoodSummarySchema.parse(
      JSON.parse(readFileSync(path.join(dir, RUN_PATHS.likelihoodResults('json')), 'utf8')),
    );
    // per model: clean without the two mass measures per format, INF with all of them
    const measures = LIKELIHOOD_MEASURES.length;
    expect(summary.rows).toHaveLength(2 * (measures - 4 + measures));
    expect(summary.pairs).toHaveLength(measures);
    expect(summary.pairs[0]).toMatchObject({ a: 'tiny-diffllama', b: 'tiny-llama', n: 4 });
    expect(lines(path.join(dir, RUN_PATHS.likelihoodResults('csv')))).toHaveLength(
      summary.rows.length + 1,
    );
    expect(lines(path.join(dir, RUN_PATHS.likelihoodPairs))[0]).toBe(
      'dataset,measure,a,b,n,diff,lo,hi,p,p_holm,mde',
    );
    const table = KnockoutTableSchema.parse(
      JSON.parse(readFileSync(path.join(dir, RUN_PATHS.knockoutResults('json')), 'utf8')),
    );
    expect(table.rows).toHaveLength(2 * measures);
    const mean = table.rows.find((r) => r.model === 'tiny-llama' && r.measure === 'sft_mean')!;
    expect(mean).toMatchObject({ dataset: 'inf', from_layer: 0, n: knocked.length });
    expect(mean.recovered).toBeCloseTo(
      (mean.knockout! - mean.noisy!) / (mean.clean! - mean.noisy!),
    );
    expect(lines(path.join(dir, RUN_PATHS.knockoutResults('csv')))[0]).toBe(
      'model,dataset,measure,extractor,eval_type,from_layer,n,clean,noisy,knockout,recovered,lo,hi',
    );
    const manifest = readRunManifest(dir);
    expect(Object.keys(manifest.timings!)).toEqual([
      'data_ms',
      'zero_shot_ms',
      'likelihood_ms',
      'knockout_ms',
    ]);
    // the defaults are recorded as unset: a run folder from before these options is the same
    expect(manifest.options).not.toHaveProperty('skipLikelihood');
  }, 300_000);

  test('rescore recomputes the tables byte for byte from the logs', () => {
    const dir = dirOf('lik');
    const r = rescoreRun(dir, getExtractor('seed'));
    const out = path.join(dir, RUN_PATHS.rescored('seed'));
    expect(r.likelihood.files).toEqual(TABLES.map((f) => path.join(out, f)));
    for (const f of TABLES) {
      expect(readFileSync(path.join(out, f), 'utf8')).toBe(readFileSync(path.join(dir, f), 'utf8'));
    }
  }, 120_000);

  test('a rerun scores only the items its logs lack', async () => {
    const plain = plainLog('lik', 'tiny-llama', 'inf');
    const ko = knockoutLog('lik', 'tiny-diffllama', 'inf');
    const [before, koBefore] = [lines(plain), lines(ko)];
    // a kill mid-chunk: two lines committed, a third torn
    writeFileSync(plain, before.slice(0, 2).join('\n') + '\n' + before[2]!.slice(0, 20));
    writeFileSync(ko, koBefore.slice(0, 1).join('\n') + '\n');
    const said: string[] = [];
    const again = await runExperiment(options({ runId: 'lik' }), {
      onEvent: (e) => e.type === 'info' && said.push(e.text),
    });
    expect(again.status).toBe('finished');
    expect(said).toContain('likelihood tiny-llama inf: 2 items already logged');
    expect(said).toContain('knockout tiny-diffllama from_0 inf: 1 items already logged');
    expect(said.filter((l) => / items already logged$/.test(l))).toHaveLength(2);
    const after = lines(plain);
    expect(after).toHaveLength(4);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(
      before.map((l) => (JSON.parse(l) as { id: string }).id),
    );
    expect(lines(ko)).toHaveLength(koBefore.length);
    expect(lines(ko)[0]).toBe(koBefore[0]);
  }, 300_000);

  test('an abort stops between sets; the rerun scores the rest', async () => {
    const ctl = new AbortController();
    const first = await runExperiment(
      options({ runId: 'stop', models: 'tiny-llama', skipZeroShot: true }),
      {
        signal: ctl.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.label === 'likelihood tiny-llama clean') ctl.abort();
        },
      },
    );
    expect(first.status).toBe('interrupted');
    expect(lines(plainLog('stop', 'tiny-llama', 'clean'))).toHaveLength(4);
    expect(existsSync(plainLog('stop', 'tiny-llama', 'inf'))).toBe(false);
    expect(existsSync(path.join(first.dir, RUN_PATHS.likelihoodResults('json')))).toBe(false);
    const clean = readFileSync(plainLog('stop', 'tiny-llama', 'clean'), 'utf8');
    const again = await runExperiment(
      options({ runId: 'stop', models: 'tiny-llama', skipZeroShot: true }),
    );
    expect(again.status).toBe('finished');
    expect(readFileSync(plainLog('stop', 'tiny-llama', 'clean'), 'utf8')).toBe(clean);
    expect(lines(plainLog('stop', 'tiny-llama', 'inf'))).toHaveLength(4);
    // without zero-shot evaluation, the likelihood step records the models
    expect(readRunManifest(again.dir).models['tiny-llama']).toMatchObject({ modelType: 'llama' });
    for (const f of TABLES) expect(existsSync(path.join(again.dir, f))).toBe(true);
  }, 300_000);

  test('--knockout-layers: one row per measure and first knocked layer', async () => {
    const run = await runExperiment(
      options({
        runId: 'layers',
        models: 'tiny-diffllama',
        maxSamples: 2,
        skipZeroShot: true,
        knockoutLayers: true,
      }),
    );
    const { rows } = KnockoutTableSchema.parse(
      JSON.parse(readFileSync(path.join(run.dir, RUN_PATHS.knockoutResults('json')), 'utf8')),
    );
    // tiny-diffllama has 2 layers
    expect(rows.map((r) => `${r.measure}@${r.from_layer}`)).toEqual(
      LIKELIHOOD_MEASURES.flatMap((m) => [`${m}@0`, `${m}@1`]),
    );
    expect(lines(knockoutLog('layers', 'tiny-diffllama', 'inf', 1))).toHaveLength(
      knockedIds(2).length,
    );
  }, 300_000);

  test('--knockout-generate: Pass@1 rows from generation with the noise knocked out', async () => {
    const run = await runExperiment(
      options({ runId: 'gen', models: 'tiny-llama', maxSamples: 2, knockoutGenerate: true }),
    );
    expect(run.status).toBe('finished');
    const knocked = knockedIds(2);
    const log = path.join(run.dir, RUN_PATHS.knockoutSampleLog('tiny-llama', 'inf'));
    const samples = lines(log).map((l) => JSON.parse(l) as { id: string; prompt_tokens: number });
    expect(samples.map((s) => s.id).sort()).toEqual([...knocked].sort());
    // the same prompts as zero-shot evaluation's
    const zeroShot = lines(path.join(run.dir, RUN_PATHS.sampleLog('tiny-llama', 'inf'))).map(
      (l) => JSON.parse(l) as { id: string; prompt_tokens: number },
    );
    for (const s of samples) {
      expect(s.prompt_tokens).toBe(zeroShot.find((z) => z.id === s.id)!.prompt_tokens);
    }
    const { rows } = KnockoutTableSchema.parse(
      JSON.parse(readFileSync(path.join(run.dir, RUN_PATHS.knockoutResults('json')), 'utf8')),
    );
    const pass = rows.filter((r) => r.measure === 'pass@1');
    expect(pass.map((r) => [r.extractor, r.eval_type, r.from_layer, r.n])).toEqual([
      ['seed', 'zero_shot', 0, knocked.length],
      ['strict', 'zero_shot', 0, knocked.length],
    ]);
    expect(rows).toHaveLength(LIKELIHOOD_MEASURES.length + 2);
    const r = rescoreRun(run.dir, getExtractor('strict'));
    for (const f of TABLES) {
      const out = path.join(run.dir, RUN_PATHS.rescored('strict'), f);
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(run.dir, f), 'utf8'));
    }
    expect(r.likelihood.knockout).toHaveLength(rows.length);
  }, 300_000);

  test('--skip-likelihood and --skip-knockout skip their steps with a line', async () => {
    const run = async (o: Record<string, unknown>) => {
      const events: RunEvent[] = [];
      const r = await runExperiment(
        options({ models: 'tiny-llama', maxSamples: 1, skipZeroShot: true, ...o }),
        { onEvent: (e) => events.push(e) },
      );
      const said = events.flatMap((e) => (e.type === 'info' ? [e.text] : []));
      return { dir: r.dir, steps: events.map(gist).filter(Boolean), said };
    };
    const a = await run({ runId: 'no-likelihood', skipLikelihood: true });
    expect(a.steps).toContain('likelihood skipped');
    expect(a.steps).toContain('knockout skipped');
    expect(a.said).toContain('likelihood: skipped (--skip-likelihood)');
    expect(existsSync(path.join(a.dir, RUN_PATHS.likelihoodRoot))).toBe(false);
    const b = await run({ runId: 'no-knockout', skipKnockout: true });
    expect(b.steps.filter((s) => s!.startsWith('likelihood') || s!.startsWith('knockout'))).toEqual(
      ['likelihood started', 'likelihood finished', 'knockout skipped'],
    );
    expect(b.said).toContain('knockout: skipped (--skip-knockout)');
    expect(existsSync(path.join(b.dir, RUN_PATHS.likelihoodResults('json')))).toBe(true);
    expect(existsSync(path.join(b.dir, RUN_PATHS.knockoutResults('json')))).toBe(false);
  }, 300_000);
});
