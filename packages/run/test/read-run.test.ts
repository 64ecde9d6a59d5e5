// readRun over the report's fixture run folder (packages/report/test/fixtures) and altered copies.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { readRun } from '../src/index.js';
import {
  addPostSft,
  copyRun,
  DATA,
  expectRowsClose,
  LEGACY_CI_NOTE,
  RUN,
  withClosedFormIntervals,
} from '../../report/test/helpers.js';

const NOISE = {
  inf: 'The apartment building on Maple Street has 10 floors and 152 windows.',
  sd: 'Knitting needles click softly as yarn takes shape.',
};

function noiseText(dataset: string, id: string): string[] {
  const file = path.join(DATA, `gsm8k_${dataset}_test.jsonl`);
  const rec = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((r) => r.id === id);
  return rec.noise.map((s: { text: string }) => s.text);
}

describe('readRun on the fixture run folder', () => {
  const run = readRun(RUN, { dataDir: DATA });

  test('manifest, results, samples and the optional outputs', () => {
    expect(run.manifest.run).toBe('q');
    expect(run.results).toHaveLength(2 * 2 * 4); // extractors x models x datasets
    expect(run.resultFiles).toEqual({
      csv: 'experiment_results.csv',
      json: 'experiment_results.json',
      arrow: 'experiment_results.arrow',
      computed: false,
    });
    expect(run.models).toEqual(['tiny-llama', 'tiny-diffllama']);
    expect(run.datasets).toEqual(['clean', 'inf', 'rcs', 'sd']);
    expect(run.samples).toHaveLength(32);
    // the run's order (plan), not the file system's (tiny-diffllama < tiny-llama)
    expect(
      run.samples.slice(0, 5).map((s) => `${s.record.model}/${s.record.dataset}/${s.record.index}`),
    ).toEqual([
      'tiny-llama/clean/0',
      'tiny-llama/clean/1',
      'tiny-llama/clean/2',
      'tiny-llama/clean/3',
      'tiny-llama/inf/0',
    ]);
    expect(Object.keys(run.attention!)).toEqual(['inf', 'sd']);
    expect(run.sampleMaps.map((m) => m.file)).toEqual([
      'attention_samples/inf/tiny-llama/gsm8k-test-1.clean.json',
      'attention_samples/inf/tiny-llama/gsm8k-test-1.noisy.json',
      'attention_samples/inf/tiny-diffllama/gsm8k-test-1.clean.json',
      'attention_samples/inf/tiny-diffllama/gsm8k-test-1.noisy.json',
      'attention_samples/sd/tiny-llama/gsm8k-test-1.clean.json',
      'attention_samples/sd/tiny-llama/gsm8k-test-1.noisy.json',
      'attention_samples/sd/tiny-diffllama/gsm8k-test-1.clean.json',
      'attention_samples/sd/tiny-diffllama/gsm8k-test-1.noisy.json',
    ]);
    expect(run.sftLoss.map((c) => [c.model, c.file, c.points.length])).toEqual([
      ['tiny-llama', 'sft/tiny-llama/loss.jsonl', 25],
      ['tiny-diffllama', 'sft/tiny-diffllama/loss.jsonl', 25],
    ]);
    expect(run.sftLoss[0].points[0]).toEqual({ step: 1, loss: 9.4801, lr: 0.00005 });
    // written by an exp that bootstrapped every interval and recorded no ci_methods
    expect(run.notes).toEqual([LEGACY_CI_NOTE]);
    expect(run.ciLabels).toEqual({
      ci: '95% CI (bootstrap)',
      diff_ci: '95% CI (paired bootstrap)',
      degradation_ci: '95% CI (paired bootstrap)',
    });
  });

  test('noise spans: the data file spans, moved to where the question sits in the prompt', () => {
    const at = (model: string, dataset: string, id: string) =>
      run.samples.find(
        (s) => s.record.model === model && s.record.dataset === dataset && s.record.id === id,
      )!;
    const inf = at('tiny-diffllama', 'inf', 'gsm8k-test-1');
    expect(inf.noise!.map((s) => inf.record.prompt.slice(s.start, s.end))).toEqual([NOISE.inf]);
    const sd = at('tiny-llama', 'sd', 'gsm8k-test-1');
    expect(sd.noise!.map((s) => sd.record.prompt.slice(s.start, s.end))).toEqual([NOISE.sd]);
    for (const s of run.samples) {
      if (s.record.dataset === 'clean') {
        expect(s.noise).toEqual([]);
        continue;
      }
      expect(s.noise!.map((n) => s.record.prompt.slice(n.start, n.end))).toEqual(
        noiseText(s.record.dataset, s.record.id),
      );
    }
  });
});

describe('readRun on altered copies', () => {
  test('data files not found: the spans are unknown and each set gets a note', () => {
    const dir = copyRun();
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    for (const d of ['inf', 'rcs', 'sd'])
      manifest.data[d].path = `/nonexistent/gsm8k_${d}_test.jsonl`;
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const empty = mkdtempSync(path.join(os.tmpdir(), 'exp-report-data-'));
    const run = readRun(dir, { dataDir: empty });
    expect(run.notes).toEqual([
      LEGACY_CI_NOTE,
      ...['inf', 'rcs', 'sd'].map(
        (d) =>
          `noise spans of ${d} not shown: ${empty}/gsm8k_${d}_test.jsonl or /nonexistent/gsm8k_${d}_test.jsonl not found`,
      ),
    ]);
    expect(run.samples.filter((s) => s.noise === null)).toHaveLength(24);
  });

  test('without experiment_results.json the table is computed from the logs, with closed-form CIs', () => {
    const dir = copyRun();
    const written = JSON.parse(readFileSync(path.join(dir, 'experiment_results.json'), 'utf8'));
    for (const ext of ['csv', 'json', 'arrow']) rmSync(path.join(dir, `experiment_results.${ext}`));
    const run = readRun(dir, { dataDir: DATA });
    expect(run.resultFiles).toMatchObject({
      json: 'tables/experiment_results.json',
      computed: true,
    });
    // the counts, degradations and p-values exp run wrote; the intervals of today's methods
    expectRowsClose(run.results, withClosedFormIntervals(written));
    expect(run.notes).toEqual([
      'experiment_results.json was missing: the results table was computed from the sample logs',
    ]);
    expect(run.ciLabels).toEqual({
      ci: '95% CI (Wilson)',
      diff_ci: '95% CI (Newcombe)',
      degradation_ci: '95% CI (paired bootstrap)',
    });
  });

  test('post-SFT samples (samples_post_sft/) are read after the zero-shot ones, with their eval type', () => {
    const dir = copyRun();
    addPostSft(dir);
    const written = JSON.parse(readFileSync(path.join(dir, 'experiment_results.json'), 'utf8'));
    for (const ext of ['csv', 'json', 'arrow']) rmSync(path.join(dir, `experiment_results.${ext}`));
    const run = readRun(dir, { dataDir: DATA });
    expect(run.samples).toHaveLength(64);
    expect(run.samples.slice(0, 32).every((s) => s.evalType === 'zero_shot')).toBe(true);
    expect(run.samples.slice(32).every((s) => s.evalType === 'post_sft')).toBe(true);
    expect(
      run.samples
        .slice(32, 34)
        .map((s) => `${s.record.model}/${s.record.dataset}/${s.record.index}`),
    ).toEqual(['tiny-llama/clean/0', 'tiny-llama/clean/1']);
    // post-SFT samples get their noise spans as the zero-shot ones do
    expect(run.samples.filter((s) => s.noise === null)).toHaveLength(0);
    // the computed table: the zero-shot rows, then the post-SFT ones (1 of 4 per cell)
    expect(run.results).toHaveLength(32);
    expectRowsClose(run.results.slice(0, 16), withClosedFormIntervals(written));
    const post = run.results.slice(16);
    expect(
      post.map((r) => [r.eval_type, r.model, r.dataset, r.extractor, r.correct, r.total]),
    ).toEqual(
      run.results.slice(0, 16).map((r) => ['post_sft', r.model, r.dataset, r.extractor, 1, 4]),
    );
    // every post-SFT pair difference is 0 (both models got item 0 right)
    expect(post.filter((r) => r.diff !== null).map((r) => [r.diff_vs, r.diff])).toEqual(
      Array(8).fill(['tiny-llama', 0]),
    );
  });

  test('the manifest decides the method: --ci-method clopper-pearson, or a recorded ci_methods', () => {
    const dir = copyRun();
    for (const ext of ['csv', 'json', 'arrow']) rmSync(path.join(dir, `experiment_results.${ext}`));
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    manifest.options.ciMethod = 'clopper-pearson';
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const run = readRun(dir, { dataDir: DATA });
    // 0/4: the exact upper limit 1 - 0.025^(1/4) (statsmodels: 0.6023646356164747)
    expect(run.results[0].ci_high).toBeCloseTo(0.6023646356164747, 12);
    expect(run.ciLabels.ci).toBe('95% CI (Clopper-Pearson)');
    manifest.ci_methods = {
      level: 0.9,
      ci: 'wilson',
      diff_ci: 'newcombe',
      degradation_ci: 'bootstrap',
    };
    writeFileSync(manifestFile, JSON.stringify(manifest));
    expect(readRun(dir, { dataDir: DATA }).ciLabels.ci).toBe('90% CI (Wilson)');
    manifest.ci_methods.ci = 'bootstrap';
    writeFileSync(manifestFile, JSON.stringify(manifest));
    expect(() => readRun(dir, { dataDir: DATA })).toThrow(`${manifestFile}: ci_methods.ci:`);
  });

  test('a malformed file fails with one line naming file and field', () => {
    const dir = copyRun();
    const mapFile = path.join(dir, 'attention_samples/inf/tiny-llama/gsm8k-test-1.noisy.json');
    const map = JSON.parse(readFileSync(mapFile, 'utf8'));
    map.matrix[3].pop();
    writeFileSync(mapFile, JSON.stringify(map));
    expect(() => readRun(dir)).toThrow(`${mapFile}: matrix.3: expected 40 columns, got 39`);

    const results = path.join(dir, 'experiment_results.json');
    const rows = JSON.parse(readFileSync(results, 'utf8'));
    rows[2].accuracy = 'high';
    writeFileSync(results, JSON.stringify(rows));
    expect(() => readRun(dir)).toThrow(
      `${results}: 2.accuracy: Invalid input: expected number, received string`,
    );

    // attention_analysis.json is read by @exp/attention's own reader, failing the same way
    const fresh = copyRun();
    const attention = path.join(fresh, 'attention_analysis.json');
    const a = JSON.parse(readFileSync(attention, 'utf8'));
    a.sd['tiny-diffllama'].settings.form = 'clamped';
    writeFileSync(attention, JSON.stringify(a));
    expect(() => readRun(fresh)).toThrow(
      `${attention}: sd.tiny-diffllama.settings.form: Invalid option`,
    );

    // sft/<model>/loss.jsonl is read by @exp/train's readSftLosses, failing the same way
    const sft = copyRun();
    const loss = path.join(sft, 'sft/tiny-llama/loss.jsonl');
    writeFileSync(loss, '{"step":1,"loss":2.5,"lr":0.00005}\n{"step":2,"loss":"x","lr":0}\n');
    expect(() => readRun(sft)).toThrow(
      `${loss}:2: loss: Invalid input: expected number, received string`,
    );
  });

  test('an SFT step without label tokens (loss null, as @exp/train writes it) is read', () => {
    const dir = copyRun();
    const loss = path.join(dir, 'sft/tiny-llama/loss.jsonl');
    writeFileSync(loss, '{"step":1,"loss":2.5,"lr":0.00005}\n{"step":2,"loss":null,"lr":0}\n');
    expect(readRun(dir).sftLoss.find((c) => c.model === 'tiny-llama')?.points).toEqual([
      { step: 1, loss: 2.5, lr: 0.00005 },
      { step: 2, loss: null, lr: 0 },
    ]);
  });

  test('a folder without manifest.json is refused', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-report-empty-'));
    expect(() => readRun(dir)).toThrow(
      `${dir}: not a run folder (no manifest.json); pass the folder \`exp run\` wrote`,
    );
  });
});
