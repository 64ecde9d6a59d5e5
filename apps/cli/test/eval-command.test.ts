// `exp eval extract` (JSONL in, each line back with `predicted` and `correct`) and
// `exp eval rescore` (a run's tables recomputed from its sample logs, without generating).
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exp } from './helpers.js';
import { CSV_HEADER, sampleFile, TINY, useRunEnv } from './run-helpers.js';

const env = useRunEnv('cli-eval-');

const INPUT = [
  { completion: 'The answer is 42.', gold: '42' },
  { completion: 'no number here' },
  { completion: 'Q: 3 eggs\n#### 1,200\nQuestion: 7', gold: 1200, id: 'x' },
  { completion: 'So 3/4 of it, -5 left. 18.00', gold: '18' },
];

function inputFile(lines: string[]): string {
  const file = path.join(env.root, `input-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('exp eval extract', () => {
  test.each([
    ['strict', ['42', true], [null], [null, false], ['18', true]],
    ['seed', ['42', true], [null], ['1200', true], ['3', false]],
    ['lm-eval-strict', ['[invalid]', false], ['[invalid]'], ['1200', true], ['[invalid]', false]],
    // lm-eval's quirk kept: "18.00" is not "18"
    ['lm-eval-flexible', ['42', true], ['[invalid]'], ['7', false], ['18.00', false]],
  ])('--extractor %s writes each line back with predicted (and correct)', async (name, ...want) => {
    const file = inputFile(INPUT.map((l) => JSON.stringify(l)));
    const r = await exp('eval', 'extract', '--extractor', name, '--input', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const expected = INPUT.map((line, i) => {
      const [predicted, correct] = want[i] as [string | null, boolean?];
      return JSON.stringify({ ...line, predicted, ...(correct === undefined ? {} : { correct }) });
    });
    expect(r.out.split('\n')).toEqual(expected);
  });

  test('a bad line is an error naming file:line', async () => {
    const file = inputFile([JSON.stringify(INPUT[0]), '{"completion": 1}']);
    let r = await exp('eval', 'extract', '--extractor', 'strict', '--input', file);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: ${file}:2: completion: expected a string`);
    const broken = inputFile(['not json']);
    r = await exp('eval', 'extract', '--extractor', 'strict', '--input', broken);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^error: ${broken}:1: invalid JSON`));
    expect(r.err.split('\n')).toHaveLength(1);
  });

  test('an unknown extractor: one line with the known ones, exit 2', async () => {
    const r = await exp('eval', 'extract', '--extractor', 'nope', '--input', inputFile(['{}']));
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: --extractor: unknown extractor "nope"; known: seed, strict, lm-eval-strict, lm-eval-flexible',
    );
  });
});

describe('exp eval rescore', () => {
  const run = () => path.join(env.results, 'r');
  const models = ['tiny-llama', 'tiny-diffllama'];
  const sets = ['clean', 'inf'];

  test('recomputes the run table from its logs, in the run order, without generating', async () => {
    const r = await exp(
      'run',
      '--models',
      TINY,
      '--datasets',
      sets.join(','),
      '--max-samples',
      '6',
      '--task',
      env.task,
      '--run-id',
      'r',
      '--skip-sft',
      '--skip-attention',
      '--skip-report',
      '--batch-size',
      '3',
    );
    expect(r.code).toBe(0);
    const logs = () =>
      models.flatMap((m) => sets.map((s) => readFileSync(sampleFile(run(), m, s))));
    const before = logs();
    const models0 = readdirSync(env.models).sort();

    const re = await exp('eval', 'rescore', run(), '--extractor', 'seed');
    expect(re.err).toBe('');
    expect(re.code).toBe(0);
    const out = path.join(run(), 'rescored', 'seed');
    expect(re.out.split('\n')).toEqual(
      expect.arrayContaining([
        'rescore: 24 samples with extractor seed',
        'Pass@1 (seed), % with 95% CI (Wilson); differences in points with 95% CI (Newcombe) and McNemar p; n = 6 per cell',
        `rescore: wrote ${path.join(out, 'experiment_results.csv')}`,
        `rescore: wrote ${path.join(out, 'experiment_results.json')}`,
        `rescore: wrote ${path.join(out, 'experiment_results.arrow')}`,
      ]),
    );
    // The same extractor gives the run's own rows, byte for byte.
    const runCsv = readFileSync(path.join(run(), 'experiment_results.csv'), 'utf8').split('\n');
    const seedRows = runCsv.filter((l, i) => i === 0 || l.includes(',zero_shot,seed,'));
    expect(readFileSync(path.join(out, 'experiment_results.csv'), 'utf8').trim()).toBe(
      seedRows.join('\n'),
    );
    expect(logs()).toEqual(before); // the logs are read, not written
    // the manifest says which interval each column holds
    expect(JSON.parse(readFileSync(path.join(run(), 'manifest.json'), 'utf8')).ci_methods).toEqual({
      level: 0.95,
      ci: 'wilson',
      diff_ci: 'newcombe',
      degradation_ci: 'bootstrap',
    });
    expect(readdirSync(env.models).sort()).toEqual(models0);
  });

  test('--extractor lm-eval-flexible scores the completions; log order does not matter', async () => {
    // Answers the models did not give: every other item of each log answers its gold.
    for (const m of models) {
      for (const s of sets) {
        const f = sampleFile(run(), m, s);
        const lines = readFileSync(f, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        for (const l of lines)
          if (l.index % 2 === (m === 'tiny-llama' ? 0 : 1) || l.index === 5)
            l.completion = `so it is ${l.gold}`;
        writeFileSync(f, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      }
    }
    const re = await exp('eval', 'rescore', run(), '--extractor', 'lm-eval-flexible');
    expect(re.code).toBe(0);
    const csvFile = path.join(run(), 'rescored', 'lm-eval-flexible', 'experiment_results.csv');
    const csv = readFileSync(csvFile, 'utf8');
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe(CSV_HEADER);
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 7).join(','))).toEqual([
      'tiny-llama,clean,0.6666666666666666,4,6,zero_shot,lm-eval-flexible',
      'tiny-llama,inf,0.6666666666666666,4,6,zero_shot,lm-eval-flexible',
      'tiny-diffllama,clean,0.5,3,6,zero_shot,lm-eval-flexible',
      'tiny-diffllama,inf,0.5,3,6,zero_shot,lm-eval-flexible',
    ]);
    expect(re.out).toMatch(/^tiny-llama +66\.7 \[30\.0, 90\.3\]/m);
    // 4 of 6: Wilson [0.29999331513839184, 0.9032285888942195] (statsmodels proportion_confint)
    const [lo, hi] = rows[1].split(',').slice(7, 9).map(Number);
    expect(lo).toBeCloseTo(0.29999331513839184, 12);
    expect(hi).toBeCloseTo(0.9032285888942195, 12);
    expect(re.out).toMatch(/^tiny-diffllama - tiny-llama +-16\.7 \[.*p=/m);

    // The same logs in another order (as another batch size writes them): the same table.
    for (const m of models) {
      for (const s of sets) {
        const f = sampleFile(run(), m, s);
        writeFileSync(f, readFileSync(f, 'utf8').trim().split('\n').reverse().join('\n') + '\n');
      }
    }
    expect((await exp('eval', 'rescore', run(), '--extractor', 'lm-eval-flexible')).code).toBe(0);
    expect(readFileSync(csvFile, 'utf8')).toBe(csv);
  });

  test("the run's --ci-method decides the rescored interval; a bad recorded one is one line", async () => {
    const manifestFile = path.join(run(), 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    writeFileSync(
      manifestFile,
      JSON.stringify({
        ...manifest,
        options: { ...manifest.options, ciMethod: 'clopper-pearson' },
      }),
    );
    const re = await exp('eval', 'rescore', run(), '--extractor', 'lm-eval-flexible');
    expect(re.code).toBe(0);
    expect(re.out).toContain('Pass@1 (lm-eval-flexible), % with 95% CI (Clopper-Pearson);');
    const csvFile = path.join(run(), 'rescored', 'lm-eval-flexible', 'experiment_results.csv');
    const first = readFileSync(csvFile, 'utf8').split('\n')[1].split(',');
    // 4 of 6, exact: statsmodels proportion_confint(4, 6, method='beta')
    expect(Number(first[7])).toBeCloseTo(0.22277809550351213, 12);
    expect(Number(first[8])).toBeCloseTo(0.9567281317072583, 12);
    writeFileSync(
      manifestFile,
      JSON.stringify({ ...manifest, options: { ...manifest.options, ciMethod: 'exact' } }),
    );
    const bad = await exp('eval', 'rescore', run(), '--extractor', 'seed');
    expect(bad.code).toBe(1);
    expect(bad.err.trim()).toBe(
      `error: ${manifestFile}: options.ciMethod: expected one of wilson, clopper-pearson, got "exact"`,
    );
    writeFileSync(manifestFile, JSON.stringify(manifest));
  });

  test('a post-SFT evaluation (samples_post_sft/) is rescored too, as its own eval_type rows', async () => {
    const csvFile = path.join(run(), 'rescored', 'seed', 'experiment_results.csv');
    expect((await exp('eval', 'rescore', run(), '--extractor', 'seed')).code).toBe(0);
    const zeroShot = readFileSync(csvFile, 'utf8').trim().split('\n');
    // post-SFT logs as `exp run` writes them: the same models and sets; tiny-llama answers items
    // 0-1 with the gold, tiny-diffllama items 0-2, everything else has no number
    for (const m of models) {
      for (const s of sets) {
        const lines = readFileSync(sampleFile(run(), m, s), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        for (const l of lines) {
          l.completion = l.index < (m === 'tiny-llama' ? 2 : 3) ? `#### ${l.gold}` : 'no answer';
        }
        const f = path.join(run(), 'samples_post_sft', m, `${s}.jsonl`);
        mkdirSync(path.dirname(f), { recursive: true });
        writeFileSync(f, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      }
    }
    const re = await exp('eval', 'rescore', run(), '--extractor', 'seed');
    expect(re.err).toBe('');
    expect(re.code).toBe(0);
    expect(re.out).toContain('rescore: 48 samples (24 zero_shot, 24 post_sft) with extractor seed');
    expect(re.out).toMatch(/^tiny-llama \(post_sft\) +33\.3 \[/m);
    expect(re.out).toMatch(/^tiny-diffllama \(post_sft\) +50\.0 \[/m);
    const rows = readFileSync(csvFile, 'utf8').trim().split('\n');
    // the zero-shot rows unchanged, then the post-SFT ones
    expect(rows.slice(0, 5)).toEqual(zeroShot);
    expect(rows.slice(5).map((l) => l.split(',').slice(0, 7).join(','))).toEqual([
      'tiny-llama,clean,0.3333333333333333,2,6,post_sft,seed',
      'tiny-llama,inf,0.3333333333333333,2,6,post_sft,seed',
      'tiny-diffllama,clean,0.5,3,6,post_sft,seed',
      'tiny-diffllama,inf,0.5,3,6,post_sft,seed',
    ]);
    // the post-SFT pair difference: 3/6 - 2/6, vs tiny-llama
    const diff = rows[7].split(',');
    expect(diff[12]).toBe('tiny-llama');
    expect(Number(diff[13])).toBeCloseTo(1 / 6, 15);
    rmSync(path.join(run(), 'samples_post_sft'), { recursive: true });
  });

  test('a folder without sample logs: one line', async () => {
    const r = await exp('eval', 'rescore', env.root, '--extractor', 'strict');
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/no sample logs|manifest/);
  });
});
