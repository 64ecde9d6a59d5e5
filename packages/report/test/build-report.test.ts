import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';

/* eslint-disable @typescript-eslint/no-explicit-any -- specs are untyped JSON once parsed */
import { buildReport, type BuildReportResult } from '../src/build-report.js';
import {
  addPostSft,
  copyRun,
  DATA,
  expectRowsClose,
  FIXTURE_CHARTS,
  LEGACY_CI_NOTE,
  withClosedFormIntervals,
} from './helpers.js';

/** The lines of `text` from the line equal to `start` up to (not including) the next blank line. */
function block(text: string, start: string): string[] {
  const lines = text.split('\n');
  const i = lines.indexOf(start);
  if (i < 0) throw new Error(`no line ${JSON.stringify(start)} in:\n${text}`);
  const end = lines.indexOf('', i);
  return lines.slice(i, end < 0 ? undefined : end);
}

describe('buildReport on the fixture run folder', () => {
  let dir: string;
  let result: BuildReportResult;
  let ms: number;
  let md: string;
  let html: string;

  beforeAll(async () => {
    dir = copyRun();
    // An injection attempt in a completion and in the manifest: both must arrive as text.
    const log = path.join(dir, 'samples/tiny-llama/clean.jsonl');
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    lines[0].completion = '<img src=x onerror="window.__pwned=1"></script><b>bold</b>';
    writeFileSync(log, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const t0 = performance.now();
    result = await buildReport(dir, { dataDir: DATA });
    ms = performance.now() - t0;
    md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  });

  test('writes the tables, charts, sample maps and both pages, and nothing else', () => {
    const files = result.files.map((f) => path.relative(dir, f));
    const charts = FIXTURE_CHARTS;
    const maps = ['inf', 'sd'].flatMap((d) =>
      ['tiny-llama', 'tiny-diffllama'].flatMap((m) =>
        ['clean', 'noisy'].map((c) => `attention_maps/${d}_samples/${m}_gsm8k-test-1_${c}.png`),
      ),
    );
    expect([...files].sort()).toEqual(
      [
        'tables/attention_ratios.csv',
        'tables/attention_ratios.json',
        'tables/attention_metrics.csv',
        'tables/attention_metrics.json',
        ...charts.flatMap((c) => [`charts/${c}.svg`, `charts/${c}.png`]),
        ...maps,
        'report.md',
        'report.html',
      ].sort(),
    );
    // the results table exists at the top level, so it is not copied into tables/
    expect(existsSync(path.join(dir, 'tables/experiment_results.csv'))).toBe(false);
    for (const f of result.files) expect(statSync(f).size).toBeGreaterThan(0);
    expect(result.notes).toEqual([
      LEGACY_CI_NOTE,
      'degradation chart not drawn: no strict row has a relative degradation (it is undefined where clean Pass@1 is 0 or a set has no clean counterpart)',
    ]);
  });

  test('is fast: the fixture (8 charts, 8 sample maps) in well under 30 s', () => {
    expect(ms).toBeLessThan(30_000);
  });

  test('attention_ratios.csv has the original columns per noise type, model and condition', () => {
    const csv = readFileSync(path.join(dir, 'tables/attention_ratios.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(1 + 2 * 2 * 2);
    expect(csv.slice(0, 3)).toEqual([
      'dataset,model,condition,form,kmi_mean,kmi_std,ni_mean,ni_std,oc_mean,oc_std',
      'inf,tiny-llama,clean,softmax,0.3573,0.0815,0,0,0.6427,0.1385',
      'inf,tiny-llama,noisy,softmax,0.3351,0.077,0.1491,0.0398,0.5158,0.1132',
    ]);
    expect(csv[8]).toBe(
      'sd,tiny-diffllama,noisy,differential-normalised,0.4326,0.0965,0.1417,0.0383,0.4258,0.0952',
    );
    const metrics = JSON.parse(
      readFileSync(path.join(dir, 'tables/attention_metrics.json'), 'utf8'),
    );
    expect(metrics[0]).toEqual({
      dataset: 'inf',
      model: 'tiny-llama',
      metric: 'seed_kmi',
      condition: 'clean',
      mean: 0.3573,
      std: 0.0815,
      ci_low: 0.3166,
      ci_high: 0.398,
      n: 4,
    });
    // every metric with a Stat or a number, including a single-valued one (layer_profile's peak)
    expect(metrics.find((m: { metric: string }) => m.metric === 'layer_profile')).toEqual({
      dataset: 'inf',
      model: 'tiny-llama',
      metric: 'layer_profile',
      condition: 'value',
      mean: 2,
      std: null,
      ci_low: null,
      ci_high: null,
      n: null,
    });
    // a null value (no AUC without right answers) is no row
    expect(metrics.some((m: { metric: string }) => m.metric === 'auc_wrong_ni')).toBe(false);
  });

  test('report.md: the Pass@1 tables, attention table and links, line for line', () => {
    const pass = [
      '| model | clean | inf | rcs | sd |',
      '|---|---|---|---|---|',
      '| tiny-llama | 0.0 [0.0, 0.0] | 0.0 [0.0, 0.0] | 0.0 [0.0, 0.0] | 0.0 [0.0, 0.0] |',
      '| tiny-diffllama | 0.0 [0.0, 0.0] | 0.0 [0.0, 0.0] | 0.0 [0.0, 0.0] | 0.0 [0.0, 0.0] |',
      '| tiny-diffllama − tiny-llama | 0.0 [0.0, 0.0] p=1.000 | 0.0 [0.0, 0.0] p=1.000 | 0.0 [0.0, 0.0] p=1.000 | 0.0 [0.0, 0.0] p=1.000 |',
    ];
    expect(md.split('\n')[0]).toBe('# Report: run q');
    // strict (the headline extractor) first, then seed
    expect(md.indexOf('### Pass@1 (strict)')).toBeLessThan(md.indexOf('### Pass@1 (seed)'));
    expect(block(md, '| model | clean | inf | rcs | sd |')).toEqual(pass);
    expect(block(md, '| noise type | model | condition | form | KMI | NI | OC |')).toEqual([
      '| noise type | model | condition | form | KMI | NI | OC |',
      '|---|---|---|---|---|---|---|',
      '| inf | tiny-llama | clean | softmax | 0.3573 ± 0.0815 | 0.0000 ± 0.0000 | 0.6427 ± 0.1385 |',
      '| inf | tiny-llama | noisy | softmax | 0.3351 ± 0.0770 | 0.1491 ± 0.0398 | 0.5158 ± 0.1132 |',
      '| inf | tiny-diffllama | clean | differential-normalised | 0.4347 ± 0.0969 | 0.0000 ± 0.0000 | 0.5653 ± 0.1231 |',
      '| inf | tiny-diffllama | noisy | differential-normalised | 0.4379 ± 0.0976 | 0.1085 ± 0.0317 | 0.4536 ± 0.1007 |',
      '| sd | tiny-llama | clean | softmax | 0.3949 ± 0.0890 | 0.0000 ± 0.0000 | 0.6051 ± 0.1310 |',
      '| sd | tiny-llama | noisy | softmax | 0.3412 ± 0.0782 | 0.1849 ± 0.0470 | 0.4739 ± 0.1048 |',
      '| sd | tiny-diffllama | clean | differential-normalised | 0.4412 ± 0.0982 | 0.0000 ± 0.0000 | 0.5588 ± 0.1218 |',
      '| sd | tiny-diffllama | noisy | differential-normalised | 0.4326 ± 0.0965 | 0.1417 ± 0.0383 | 0.4258 ± 0.0952 |',
    ]);
    // the headline metrics, without the clean rows of noise metrics
    expect(
      block(md, '| noise type | model | metric | condition | mean | std | 95% CI | n |').slice(
        2,
        9,
      ),
    ).toEqual([
      '| inf | tiny-llama | mass_ni | noisy | 0.2032 | 0.0506 | [0.1779, 0.2285] | 4 |',
      '| inf | tiny-llama | lift_ni | noisy | 1.6320 | 0.3364 | [1.4638, 1.8002] | 4 |',
      '| inf | tiny-llama | snr | noisy | 0.9874 | 0.2075 | [0.8837, 1.0911] | 4 |',
      '| inf | tiny-llama | entropy | clean | 0.7405 | 0.1581 | [0.6615, 0.8196] | 4 |',
      '| inf | tiny-llama | entropy | noisy | 0.8203 | 0.1741 | [0.7333, 0.9073] | 4 |',
      '| inf | tiny-llama | distraction | value | -0.0229 | 0.0146 | [-0.0302, -0.0156] | 4 |',
      '| inf | tiny-diffllama | mass_ni | noisy | 0.1375 | 0.0375 | [0.1187, 0.1562] | 4 |',
    ]);
    expect(md).toContain(
      'Results table: [experiment_results.csv](experiment_results.csv), [experiment_results.json](experiment_results.json), [experiment_results.arrow](experiment_results.arrow)',
    );
    expect(md).toContain(
      '- [Pass@1 by dataset and model](charts/model_comparison.png) ([svg](charts/model_comparison.svg)): extractor strict; error bars: 95% CI (bootstrap)',
    );
    expect(md).toContain(
      '- inf / tiny-diffllama / gsm8k-test-1: [clean](attention_maps/inf_samples/tiny-diffllama_gsm8k-test-1_clean.png), [noisy](attention_maps/inf_samples/tiny-diffllama_gsm8k-test-1_noisy.png)',
    );
    expect(md).toContain(`## Notes\n\n- ${LEGACY_CI_NOTE}\n- degradation chart not drawn:`);
    // every link points at a file the build wrote (or the run already had)
    for (const [, target] of md.matchAll(/\]\(([^)]+)\)/g)) {
      expect(existsSync(path.join(dir, decodeURI(target)))).toBe(true);
    }
  });

  test('one colour per model in every chart that colours by model', () => {
    const data = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1],
    ) as { charts: any[] };
    const byModel = (spec: any) => {
      const enc =
        spec.encoding?.color ?? spec.spec?.encoding?.color ?? spec.layer?.[0].encoding.color;
      return enc?.field === 'model' ? enc.scale : undefined;
    };
    const scales = FIXTURE_CHARTS.map((name, i) => [name, byModel(data.charts[i])]).filter(
      ([, s]) => s,
    );
    const fixed = { domain: ['tiny-llama', 'tiny-diffllama'], range: ['#4c78a8', '#f58518'] };
    expect(scales).toEqual([
      ['model_comparison', fixed],
      ['ni_lift_by_layer', fixed],
      ['sft_loss', fixed],
    ]);
  });

  test('report.html is self-contained and escapes the run text', () => {
    // no script, image or style is fetched from anywhere
    expect(html).not.toMatch(/<(script|img|link)[^>]+(src|href)="(?!data:)/);
    expect(html).not.toContain('sourceMappingURL');
    expect(html).toContain('<script type="application/json" id="report-data">');
    // the interval columns say which method each holds (this run's: all bootstraps)
    expect(html).toContain(
      '<p>Interval columns: ci_low/ci_high 95% CI (bootstrap); diff_ci_low/diff_ci_high 95% CI (paired bootstrap); degradation_ci_low/degradation_ci_high 95% CI (paired bootstrap).</p>',
    );
    expect(html).toContain(
      '<p>Pass@1 in % with 95% CI (bootstrap); differences in points with 95% CI (paired bootstrap) and McNemar p; n = 4 per cell.</p>',
    );
    // both bundles are inlined
    expect(html).toContain('t.version="6.4.0"');
    expect(html).toContain('var n="6.5.0"');
    // the injected completion is JSON text inside the data block, never markup
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain(
      '\\u003cimg src=x onerror=\\"window.__pwned=1\\">\\u003c/script>\\u003cb>bold\\u003c/b>',
    );
    // one chart container per chart, each with its PNG as a data: URI fallback
    expect(html.match(/class="chart-view"/g)).toHaveLength(8);
    expect(
      html.match(/<img class="fallback" alt="[^"]*" src="data:image\/png;base64,/g),
    ).toHaveLength(8);
    expect(html).toContain('<summary>manifest.json</summary><pre>{\n  &#34;run&#34;: &#34;q&#34;,');
  });
});

describe('buildReport on a run folder without experiment_results', () => {
  test('computes the table from the sample logs and writes it under tables/, with closed-form CIs', async () => {
    const dir = copyRun();
    const csv = readFileSync(path.join(dir, 'experiment_results.csv'), 'utf8');
    const json = readFileSync(path.join(dir, 'experiment_results.json'), 'utf8');
    for (const ext of ['csv', 'json', 'arrow']) rmSync(path.join(dir, `experiment_results.${ext}`));
    const { files } = await buildReport(dir, { dataDir: DATA, threads: 1 });
    const tables = files
      .map((f) => path.relative(dir, f))
      .filter((f) => f.startsWith('tables/experiment_results'));
    expect(tables).toEqual([
      'tables/experiment_results.csv',
      'tables/experiment_results.json',
      'tables/experiment_results.arrow',
    ]);
    const computed = JSON.parse(readFileSync(path.join(dir, tables[1]), 'utf8'));
    expectRowsClose(computed, withClosedFormIntervals(JSON.parse(json)));
    // the CSV holds the same rows, every digit; the fixture's file predates the last 3 columns
    expect(readFileSync(path.join(dir, tables[0]), 'utf8').split('\n')[0]).toBe(
      csv.split('\n')[0] + ',diff_mde,p_holm,degradation_mde',
    );
    expect(readFileSync(path.join(dir, tables[0]), 'utf8').split('\n')[1]).toBe(
      `tiny-llama,clean,0,0,4,zero_shot,seed,0,${computed[0].ci_high},,,,,,,,,,,`,
    );
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain(
      'Results table: [experiment_results.csv](tables/experiment_results.csv), [experiment_results.json](tables/experiment_results.json), [experiment_results.arrow](tables/experiment_results.arrow)',
    );
    expect(md).toContain(
      'Pass@1 in % with 95% CI (Wilson); differences in points with 95% CI (Newcombe)',
    );
    expect(md).toContain(
      '- experiment_results.json was missing: the results table was computed from the sample logs',
    );
  });
});

describe('buildReport on a run folder with post-SFT samples', () => {
  test('counts and lists both evaluations; post-SFT samples carry their eval type and no maps', async () => {
    const dir = copyRun();
    addPostSft(dir);
    await buildReport(dir, { dataDir: DATA, threads: 1, headMaps: [] });
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('\n- samples: 64 (32 zero_shot, 32 post_sft)\n');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain(' · 64 samples (32 zero_shot, 32 post_sft)</p>');
    const data = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1],
    ) as { evalTypes: string[]; samples: { eval_type: string; maps: number[] }[] };
    expect(data.evalTypes).toEqual(['zero_shot', 'post_sft']);
    expect(data.samples.filter((s) => s.eval_type === 'post_sft')).toHaveLength(32);
    expect(data.samples.filter((s) => s.eval_type === 'zero_shot')).toHaveLength(32);
    // the maps show the models before fine-tuning: gsm8k-test-1's clean, inf and sd samples of
    // both models (6) have them, no post-SFT sample
    const withMaps = (t: string) =>
      data.samples.filter((s) => s.eval_type === t && s.maps.length).length;
    expect([withMaps('zero_shot'), withMaps('post_sft')]).toEqual([6, 0]);
  });
});
