// `exp run` end to end on the tiny presets (offline, shared GSM8K, a 16-token task): every output
// of the four sets, a rerun that generates nothing, options a rerun may and may not change, batch
// invariance through the CLI, unique default run ids, refused flags, and the data step's seeds.
import { describe, expect, jest, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exp, GSM8K_DIR } from './helpers.js';
import {
  CSV_HEADER,
  readJson,
  readManifest,
  sampleFile,
  sampleLines,
  samples,
  SETS,
  TINY,
  useRunEnv,
} from './run-helpers.js';

// The quick runs evaluate, fine-tune, measure attention and write the report: minutes on a loaded
// 2-core box (the first test took 271 s in CI, where the other packages test alongside).
jest.setTimeout(900_000);

const env = useRunEnv('cli-run-');
interface AttentionBlock {
  clean: { ni_mean: number; kmi_mean: number };
  noisy: { ni_mean: number; kmi_mean: number };
  per_layer: Record<'clean' | 'noisy', Record<'kmi' | 'ni' | 'oc', number[]>>;
  settings: { samples: number; form: string };
  value_weighted?: Omit<AttentionBlock, 'settings' | 'value_weighted'>;
}
const MODELS = ['tiny-llama', 'tiny-diffllama'];
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const fast = () => ['--task', env.task];
/** The quick-test run of both presets under the run id 'quick', with extra flags. */
const quick = (...extra: string[]) =>
  exp(
    ...['run', '--quick-test', '--models', TINY, '--enable-sft', ...fast()],
    ...['--run-id', 'quick', ...extra],
  );
/**
 * A small run of one model on `datasets`, with extra flags: SFT, attention and the likelihood
 * steps off (this file's quick test and packages/run's tests cover those).
 */
const small = (
  o: { runId?: string; datasets: string; maxSamples: number; model?: string },
  ...extra: string[]
) =>
  exp(
    ...['run', '--models', o.model ?? 'tiny-llama', '--datasets', o.datasets, ...fast()],
    ...['--max-samples', String(o.maxSamples), '--skip-sft', '--skip-attention', '--skip-report'],
    '--skip-likelihood',
    ...(o.runId ? ['--run-id', o.runId] : []),
    ...extra,
  );
const noisyFile = (set: string) => path.join(env.data, `gsm8k_${set}_test.jsonl`);

describe('exp run --quick-test on the tiny presets', () => {
  test('writes the manifest, the sample logs, the results files and the pivot', async () => {
    const r = await quick();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dir = path.join(env.results, 'quick');

    const m = readManifest(dir);
    expect(m).toMatchObject({
      run: 'quick',
      status: 'finished',
      options: { quickTest: true, models: MODELS, datasets: [...SETS], seed: 42, task: env.task },
      plan: { evalSamples: 20, sft: { enabled: true, samples: 50, epochs: 1 } },
      task: { name: 'fast', generation: { maxNewTokens: 16 } },
      seeds: { run: 42, noise: { clean: null, inf: 42, rcs: 42, sd: 42 } },
      gsm8k: { test: { official: true }, train: { official: true } },
      sft: {
        lr: 5e-5,
        batchSize: 2,
        gradAccum: 2,
        weightDecay: 0.01,
        maxGradNorm: 1,
        format: 'sft',
        lossOn: 'completion',
        samples: 50,
        epochs: 1,
        seed: 42,
      },
    });
    for (const set of SETS) {
      expect(m.data[set].sha256).toBe(sha256(m.data[set].path));
      expect(m.data[set].seed).toBe(set === 'clean' ? null : 42);
    }
    for (const model of MODELS) {
      expect(m.models[model].modelType).toBe(model.slice('tiny-'.length));
      expect(m.models[model].sourceSha256['model.safetensors']).toMatch(/^[0-9a-f]{64}$/);
      expect(m.models[model].sourceSha256['config.json']).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(Object.keys(m.versions)).toEqual(
      expect.arrayContaining(['node', '@exp/eval', '@exp/models', 'onnxruntime-node']),
    );

    // 20 lines per model x dataset, valid JSON, the first 20 items of each set, once each.
    for (const model of MODELS) {
      for (const set of SETS) {
        const rows = samples(dir, model, set);
        expect(rows).toHaveLength(20);
        expect(new Set(rows.map((s) => s.id)).size).toBe(20);
        expect(rows.map((s) => s.index).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
        expect(rows[0]).toMatchObject({ run: 'quick', model, dataset: set });
      }
    }

    const csv = readFileSync(path.join(dir, 'experiment_results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(CSV_HEADER);
    // x extractors seed, strict x eval types zero_shot, post_sft
    expect(csv).toHaveLength(1 + MODELS.length * SETS.length * 2 * 2);
    for (const type of ['zero_shot', 'post_sft']) {
      expect(csv.filter((l) => l.includes(`,${type},`))).toHaveLength(16);
      expect(
        csv.filter(
          (l) =>
            l.startsWith('tiny-diffllama,') &&
            l.includes(`,${type},`) &&
            l.includes(',tiny-llama,'),
        ),
      ).toHaveLength(8);
    }
    const json = readJson(path.join(dir, 'experiment_results.json')) as
      unknown[] | { rows: unknown[] };
    expect(json).toHaveLength(32);
    expect(statSync(path.join(dir, 'experiment_results.arrow')).size).toBeGreaterThan(0);

    const lines = r.out.split('\n');
    expect(lines).toContain(`zero-shot: wrote ${path.join(dir, 'experiment_results.csv')}`);
    for (const extractor of ['seed', 'strict']) {
      expect(r.out).toContain(`Pass@1 (${extractor})`);
    }
    expect(lines.filter((l) => l.startsWith('tiny-diffllama - tiny-llama '))).toHaveLength(2);
    expect(
      lines.filter((l) => l.startsWith('tiny-diffllama (post_sft) - tiny-llama (post_sft) ')),
    ).toHaveLength(2);
    // 50 items, batch 2, accumulation 2: 13 optimizer steps per model
    for (const model of MODELS) {
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^sft: ${model}: 13 steps, loss \\d+\\.\\d{4} -> \\d+\\.\\d{4} \\(`),
        ),
      );
    }
    expect(lines).toContain(`post-sft: wrote ${path.join(dir, 'experiment_results.csv')}`);
  });

  test('SFT: loss curve, final checkpoint of the right architecture, post-SFT logs in the training format', () => {
    const dir = path.join(env.results, 'quick');
    const m = readManifest(dir);
    for (const model of MODELS) {
      const sft = path.join(dir, 'sft', model);
      const loss = readFileSync(path.join(sft, 'loss.jsonl'), 'utf8').trim().split('\n');
      expect(loss.map((l) => (JSON.parse(l) as { step: number }).step)).toEqual(
        Array.from({ length: 13 }, (_, i) => i + 1),
      );
      const config = readJson(path.join(sft, 'final/config.json')) as {
        architectures: string[];
        model_type: string;
      };
      const type = model.slice('tiny-'.length);
      expect(config.model_type).toBe(type);
      expect(config.architectures).toEqual([
        type === 'llama' ? 'LlamaForCausalLM' : 'DiffLlamaForCausalLM',
      ]);
      expect(existsSync(path.join(sft, 'onnx/model.onnx'))).toBe(true);
      expect(m.sft!.models[model]).toMatchObject({ name: model, steps: 13, modelType: type });
      for (const set of SETS) {
        const log = path.join(dir, 'samples_post_sft', model, `${set}.jsonl`);
        const rows = readFileSync(log, 'utf8').trim().split('\n');
        expect(rows).toHaveLength(20);
        const first = JSON.parse(rows[0]!) as { prompt: string; model: string };
        expect(first.model).toBe(model);
        expect(first.prompt).toMatch(/^Question: [^]*\n\nAnswer:$/);
      }
    }
    // the report draws the loss curve and lists both evaluations
    expect(existsSync(path.join(dir, 'charts/sft_loss.svg'))).toBe(true);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| tiny-diffllama (post_sft) |');
  });

  test('the quick run measures attention on every noisy set and writes the report', () => {
    const dir = path.join(env.results, 'quick');
    const analysis = readJson(path.join(dir, 'attention_analysis.json')) as Record<
      string,
      Record<string, AttentionBlock>
    >;
    expect(Object.keys(analysis)).toEqual(['inf', 'rcs', 'sd']);
    for (const set of ['inf', 'rcs', 'sd']) {
      expect(Object.keys(analysis[set]!)).toEqual(MODELS);
      for (const model of MODELS) {
        const a = analysis[set]![model]!;
        expect(a.settings).toMatchObject({
          samples: 5,
          form: model === 'tiny-diffllama' ? 'differential-normalised' : 'softmax',
        });
        // NI is 0 on clean data and > 0 on noisy data, for every model.
        expect(a.clean.ni_mean).toBe(0);
        expect(a.noisy.ni_mean).toBeGreaterThan(0);
        // seed ratios sum to 1 per layer (means of per-sample sums of 1), raw and value-weighted.
        const vw = a.value_weighted!;
        expect(vw.clean.ni_mean).toBe(0);
        expect(vw.noisy.ni_mean).toBeGreaterThan(0);
        expect(vw.noisy.kmi_mean).not.toBe(a.noisy.kmi_mean);
        for (const block of [a, vw]) {
          for (const c of ['clean', 'noisy'] as const) {
            const { kmi, ni, oc } = block.per_layer[c];
            kmi.forEach((k, l) => expect(Math.abs(k + ni[l]! + oc[l]! - 1)).toBeLessThan(1e-6));
          }
        }
      }
      // Two different models give different numbers.
      expect(analysis[set]!['tiny-llama']!.noisy.kmi_mean).not.toBe(
        analysis[set]!['tiny-diffllama']!.noisy.kmi_mean,
      );
    }
    // Heat-map data: DiffLlama's normalised differential rows sum to 1 (D rows to 1 - lambda).
    const mapFile = path.join(dir, 'attention_samples/inf/tiny-diffllama/gsm8k-test-0.noisy.json');
    const map = readJson(mapFile) as { matrix: number[][]; form: string; classes: string[] };
    expect(map.form).toBe('differential-normalised');
    expect(map.classes).toContain('NI');
    map.matrix.forEach((row, q) => {
      const sum = row.slice(0, q + 1).reduce((x, y) => x + y, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    });
    for (const f of [
      'report.html',
      'report.md',
      'charts/model_comparison.png',
      'charts/model_comparison.svg',
      'charts/attention_ratios.png',
      'attention_maps/inf_samples/tiny-llama_gsm8k-test-0_noisy.png',
      'attention_maps/sd_samples/tiny-diffllama_gsm8k-test-4_clean.png',
    ]) {
      expect(statSync(path.join(dir, f)).size).toBeGreaterThan(1000);
    }
  });

  test('exp report rebuilds the report of a run folder; a folder without manifest is refused', async () => {
    const dir = path.join(env.results, 'quick');
    let r = await exp('report', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toContain(`report: ${path.join(dir, 'report.html')}`);
    expect(r.out).toContain('report: wrote charts/model_comparison.png');
    r = await exp('report', env.root);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: ${env.root}: not a run folder (no manifest.json)`);
  });

  test('a rerun with the same run id generates nothing and writes the same table', async () => {
    const dir = path.join(env.results, 'quick');
    const csv = readFileSync(path.join(dir, 'experiment_results.csv'));
    const logs = MODELS.flatMap((m) => SETS.map((s) => readFileSync(sampleFile(dir, m, s))));
    const attention = readFileSync(path.join(dir, 'attention_analysis.json'));
    const r = await quick();
    expect(r.code).toBe(0);
    expect(r.out).toContain(`run quick: continuing (${dir})`);
    // The attention step measures again and gets the same bytes.
    expect(readFileSync(path.join(dir, 'attention_analysis.json'))).toEqual(attention);
    expect(r.out.match(/: 20 samples already logged$/gm)).toHaveLength(16);
    expect(r.out.match(/\(0 tokens generated/g)).toHaveLength(16);
    for (const model of MODELS) expect(r.out).toContain(`sft: ${model}: already fine-tuned`);
    expect(MODELS.flatMap((m) => SETS.map((s) => readFileSync(sampleFile(dir, m, s))))).toEqual(
      logs,
    );
    expect(readFileSync(path.join(dir, 'experiment_results.csv'))).toEqual(csv);
    const m = readManifest(dir);
    expect(m.status).toBe('finished');
    expect(m.resumed_at).toHaveLength(1);
    // the reused fine-tunes keep their record (read from loss.jsonl)
    for (const model of MODELS) expect(m.sft!.models[model]).toMatchObject({ steps: 13 });
  });

  test('a rerun may change --batch-size and --threads', async () => {
    const r = await quick('--batch-size', '1', '--threads', '1', '--skip-report');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.match(/\(0 tokens generated/g)).toHaveLength(16);
    expect(readManifest(path.join(env.results, 'quick')).operational).toEqual({
      threads: 1,
      batchSize: 1,
    });
  });

  test.each([
    [['--max-samples', '5'], '--max-samples is 5 (run: unset)'],
    [['--seed', '7'], '--seed is 7 (run: 42)'],
    [['--datasets', 'clean'], '--datasets is clean (run: clean,inf,rcs,sd)'],
  ])('a rerun with %j refuses in one line naming the option', async (extra, difference) => {
    const hashes = ['inf', 'rcs', 'sd'].map((s) => sha256(noisyFile(s)));
    const r = await quick(...extra);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `error: run quick: options differ from the run's: ${difference}; use --resume quick to continue it as started, or a new --run-id`,
    );
    // Refused before the data step: the noisy sets were not regenerated with the other seed.
    expect(r.out).not.toMatch(/data-gen: generating/);
    expect(['inf', 'rcs', 'sd'].map((s) => sha256(noisyFile(s)))).toEqual(hashes);
  });

  test('a rerun with another protocol refuses naming --protocol', async () => {
    const r = await exp(
      'run',
      '--quick-test',
      '--models',
      TINY,
      '--enable-sft',
      '--protocol',
      'lm-eval',
      '--run-id',
      'quick',
    );
    expect(r.code).toBe(2);
    // every difference at once: the task file given before is missing too
    expect(r.err).toBe(
      `error: run quick: options differ from the run's: --protocol is lm-eval (run: unset); --task is unset (run: ${env.task}); use --resume quick to continue it as started, or a new --run-id`,
    );
  });
});

describe('batch invariance end to end', () => {
  test('--batch-size 1 and 4 (and the quick run at 8) log the same completions', async () => {
    const byId = async (runId: string, batch: string) => {
      const r = await small(
        { model: 'tiny-diffllama', datasets: 'clean,inf', maxSamples: 6, runId },
        '--batch-size',
        batch,
      );
      expect(r.code).toBe(0);
      const dir = path.join(env.results, runId);
      return ['clean', 'inf'].map((set) =>
        Object.fromEntries(
          samples(dir, 'tiny-diffllama', set).map((s) => [
            s.id,
            [s.completion, s.new_tokens, s.stop_reason],
          ]),
        ),
      );
    };
    const one = await byId('batch-1', '1');
    const four = await byId('batch-4', '4');
    expect(Object.keys(one[0]!)).toHaveLength(6);
    expect(four).toEqual(one);
    // The completions differ between items, so the comparison means something.
    expect(new Set(Object.values(one[0]!).map((v) => v[0])).size).toBeGreaterThan(1);
    const quick = path.join(env.results, 'quick');
    for (const [i, set] of ['clean', 'inf'].entries()) {
      for (const s of samples(quick, 'tiny-diffllama', set).filter((x) => x.index < 6)) {
        expect([s.completion, s.new_tokens, s.stop_reason]).toEqual(one[i]![s.id]);
      }
    }
  });
});

describe('run ids', () => {
  test('two runs started at once get different default ids and folders', async () => {
    const out = path.join(env.root, 'parallel');
    const start = () => small({ datasets: 'clean', maxSamples: 1 }, '--out', out);
    const [a, b] = await Promise.all([start(), start()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const ids = readdirSync(out).sort();
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(id).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{6}$/);
      expect(readManifest(path.join(out, id)).run).toBe(id);
      expect(sampleLines(path.join(out, id), 'tiny-llama', 'clean')).toHaveLength(1);
    }
  });
});

describe('refused options', () => {
  test.each([
    [
      ['--quick-test', '--mode', 'full'],
      /^error: --quick-test and --mode full contradict each other/,
    ],
    [['--enable-sft', '--skip-sft'], /^error: --enable-sft and --skip-sft contradict each other/],
    [['--protocol', 'nope'], /^error: --protocol: /],
    [
      ['--prompt', 'nope'],
      /^error: --prompt: unknown prompt template 'nope' \(known: bare, qa, cot, kshot, sft/,
    ],
    [
      ['--task', 'x.json', '--protocol', 'seed'],
      /^error: --task and --protocol contradict each other/,
    ],
    [
      ['--models', 'tiny-llama,nope'],
      /^error: --models: expected a known model \(diffllama, llama, tiny-diffllama, tiny-llama\) or the path of a checkpoint or exported folder, got "nope"$/,
    ],
    [['--max-samples', '0'], /^error: --max-samples: expected -1 \(all\) or a positive count/],
  ])('%j: exit 2, one line', async (args, message) => {
    const r = await exp('run', ...args);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
  });

  test('an unknown extractor in a task file: one line', async () => {
    const task = path.join(env.root, 'bad-task.json');
    writeFileSync(
      task,
      JSON.stringify({ ...(readJson(env.task) as object), extractors: ['nope'] }),
    );
    const r = await exp('run', '--task', task, '--models', 'tiny-llama', '--datasets', 'clean');
    expect(r.code).not.toBe(0);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/unknown extractor 'nope' \(known: .*strict.*\)/);
  });

  test('--max-samples larger than a set is capped and said', async () => {
    const src = path.join(env.root, 'three.jsonl');
    writeFileSync(
      src,
      [1, 2, 3]
        .map((n) => JSON.stringify({ question: `What is ${n} + ${n}?`, final: 2 * n }))
        .join('\n') + '\n',
    );
    const imp = await exp(
      'data',
      'import',
      src,
      '--name',
      'three',
      '--question',
      'question',
      '--final',
      'final',
    );
    expect(imp.err).toBe('');
    const r = await small({ datasets: 'three', maxSamples: 50, runId: 'capped' });
    expect(r.err).toBe('');
    expect(r.out).toContain('zero-shot: --max-samples 50 is more than three has; using all 3');
    expect(sampleLines(path.join(env.results, 'capped'), 'tiny-llama', 'three')).toHaveLength(3);
  });
});

describe('the data step', () => {
  test('--skip-data-gen uses the files there and records their hashes and seeds', async () => {
    const r = await small(
      { datasets: 'clean,sd', maxSamples: 1, runId: 'skip-gen' },
      '--skip-data-gen',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('data-gen: skipped (--skip-data-gen); using the files in data/');
    const m = readManifest(path.join(env.results, 'skip-gen'));
    expect(m.data.sd).toEqual({ path: noisyFile('sd'), sha256: sha256(noisyFile('sd')), seed: 42 });
    expect(m.seeds.noise).toEqual({ clean: null, sd: 42 });
  });

  test('--skip-data-gen with a noisy file missing: one line', async () => {
    const empty = path.join(env.root, 'empty-data');
    mkdirSync(empty);
    const saved = process.env.EXP_DATA_DIR;
    process.env.EXP_DATA_DIR = empty;
    try {
      const r = await small(
        { datasets: 'clean,rcs', maxSamples: 1 },
        '--skip-data-gen',
        '--out',
        path.join(env.root, 'missing'),
      );
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `error: ${path.join(empty, 'gsm8k_rcs_test.jsonl')} not found (--skip-data-gen uses the noisy sets already in data/); run without --skip-data-gen to generate it`,
      );
    } finally {
      process.env.EXP_DATA_DIR = saved;
    }
  });

  test("the run's seed reaches the noisy sets: another seed's file is regenerated, and says why", async () => {
    const before = sha256(noisyFile('inf'));
    const r = await small({ datasets: 'inf', maxSamples: 1, runId: 'seed-7' }, '--seed', '7');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toContain('data-gen: generating inf (seed 42, run seed 7)');
    const after = sha256(noisyFile('inf'));
    expect(after).not.toBe(before);
    const m = readManifest(path.join(env.results, 'seed-7'));
    expect(m.data.inf).toMatchObject({ sha256: after, seed: 7 });
    expect(m.seeds).toEqual({ run: 7, noise: { inf: 7 } });
    expect(readJson(noisyFile('inf').replace(/\.jsonl$/, '.manifest.json'))).toMatchObject({
      seed: 7,
    });
  });

  test('a noise cell name is a dataset: generated with the run seed, evaluated, recorded', async () => {
    const r = await small({ datasets: 'clean,rcs-k2-late', maxSamples: 2, runId: 'cell' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toContain('data-gen: generating rcs-k2-late (missing)');
    const file = noisyFile('rcs-k2-late');
    const records = readFileSync(file, 'utf8').trim().split('\n');
    expect(records).toHaveLength(1319);
    const first = JSON.parse(records[0]!) as { position: string; noise: unknown[] };
    expect([first.position, first.noise.length]).toEqual(['late', 2]);
    const m = readManifest(path.join(env.results, 'cell'));
    expect(m.data['rcs-k2-late']).toEqual({ path: file, sha256: sha256(file), seed: 42 });
    expect(samples(path.join(env.results, 'cell'), 'tiny-llama', 'rcs-k2-late')).toHaveLength(2);
  });

  test('a noisy file made from another input is never used: regenerated, or refused with --skip-data-gen', async () => {
    const manifest = noisyFile('rcs').replace(/\.jsonl$/, '.manifest.json');
    if (!existsSync(manifest)) await small({ datasets: 'rcs', maxSamples: 1, runId: 'rcs-first' });
    const m = readJson(manifest) as Record<string, unknown>;
    writeFileSync(manifest, JSON.stringify({ ...m, input_sha256: 'f'.repeat(64) }));
    let r = await small(
      { datasets: 'rcs', maxSamples: 1, runId: 'other-input' },
      '--skip-data-gen',
    );
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: ${noisyFile('rcs')}: made from another input than this GSM8K test file; run without --skip-data-gen to regenerate it from ${path.join(GSM8K_DIR, 'test.jsonl')}`,
    );
    r = await small({ datasets: 'rcs', maxSamples: 1, runId: 'other-input' });
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toContain(
      'data-gen: generating rcs (made from another input than this GSM8K test file)',
    );
  });

  test('an imported noisy benchmark with spans is a dataset of the run', async () => {
    const src = path.join(GSM8K_DIR, '../gsm-plus/gsmplus_testmini.jsonl');
    let r = await exp('data', 'import', src, '--preset', 'gsmplus-distraction');
    expect(r.code).toBe(0);
    r = await small({ datasets: 'gsmplus-distraction', maxSamples: 2, runId: 'gsmplus' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = samples(path.join(env.results, 'gsmplus'), 'tiny-llama', 'gsmplus-distraction');
    expect(rows.map((x) => x.id).sort()).toEqual([
      'gsmplus-distraction-0',
      'gsmplus-distraction-1',
    ]);
    const m = readManifest(path.join(env.results, 'gsmplus'));
    expect(m.data['gsmplus-distraction']).toMatchObject({
      path: path.join(env.data, 'gsmplus-distraction.jsonl'),
      seed: null,
    });
    // With attention on, its spans give NI figures too (rewrites without spans are left out).
    r = await exp(
      ...['run', '--models', 'tiny-llama', '--datasets', 'gsmplus-distraction', ...fast()],
      ...['--max-samples', '2', '--skip-sft', '--attention-samples', '3', '--skip-report'],
      ...['--run-id', 'gsmplus-attention'],
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const a = readJson(path.join(env.results, 'gsmplus-attention', 'attention_analysis.json')) as {
      'gsmplus-distraction': { 'tiny-llama': AttentionBlock };
    };
    const block = a['gsmplus-distraction']['tiny-llama'];
    expect(block.settings.samples).toBe(3);
    expect(block.clean.ni_mean).toBe(0);
    expect(block.noisy.ni_mean).toBeGreaterThan(0);
  });

  test('a noisy copy of an imported set is refused once its input has changed', async () => {
    const src = path.join(env.root, 'three.jsonl');
    writeFileSync(
      src,
      [1, 2, 3]
        .map((n) =>
          JSON.stringify({
            question: `Tom has ${n} pens. He buys 2 more. How many pens does he have?`,
            answer: `#### ${n + 2}`,
          }),
        )
        .join('\n') + '\n',
    );
    let r = await exp('noise', 'generate', '--input', src, '--types', 'sd', '--out', env.data);
    expect(r.code).toBe(0);
    r = await small({ datasets: 'three_sd', maxSamples: 1, runId: 'noised-import' });
    expect(r.code).toBe(0);
    writeFileSync(src, readFileSync(src, 'utf8').replace('Tom', 'Ann'));
    r = await small({ datasets: 'three_sd', maxSamples: 1, runId: 'noised-import-2' });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: ${path.join(env.data, 'three_sd.jsonl')} was made from ${src}, which has changed since; regenerate it with \`pnpm exp noise generate --input ${src}\``,
    );
  });
});
