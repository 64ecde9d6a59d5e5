import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { ResultRow } from '../../src/results/table.js';
import { formatPivot, formatP } from '../../src/results/pivot.js';
import { ciMethods } from '../../src/results/table.js';
import { RESULT_COLUMNS, resultsToCsv, writeResults } from '../../src/results/write.js';
import { comparisonPair, ResultRowSchema } from '../../src/index.js';

function row(over: Partial<ResultRow>): ResultRow {
  return {
    model: 'llama',
    dataset: 'clean',
    accuracy: 0.5,
    correct: 10,
    total: 20,
    eval_type: 'zero_shot',
    extractor: 'strict',
    ci_low: 0.3,
    ci_high: 0.7,
    degradation: null,
    degradation_ci_low: null,
    degradation_ci_high: null,
    diff_vs: null,
    diff: null,
    diff_ci_low: null,
    diff_ci_high: null,
    mcnemar_p: null,
    diff_mde: null,
    p_holm: null,
    degradation_mde: null,
    ...over,
  };
}

const ROWS: ResultRow[] = [
  row({}),
  row({
    dataset: 'inf',
    accuracy: 0.35,
    correct: 7,
    ci_low: 0.15,
    ci_high: 0.55,
    degradation: 0.3,
    degradation_ci_low: -0.125,
    degradation_ci_high: 0.6666666666666666,
    degradation_mde: 0.5,
  }),
  row({
    model: 'diffllama',
    accuracy: 0.65,
    correct: 13,
    ci_low: 0.45,
    ci_high: 0.85,
    diff_vs: 'llama',
    diff: 0.15,
    diff_ci_low: -0.05,
    diff_ci_high: 0.35,
    mcnemar_p: 0.375,
    diff_mde: 0.25,
    p_holm: 0.375,
  }),
  row({
    model: 'diffllama',
    dataset: 'inf',
    accuracy: 0.6,
    correct: 12,
    ci_low: 0.4,
    ci_high: 0.8,
    degradation: 0.07692307692307693,
    degradation_ci_low: -0.2,
    degradation_ci_high: 0.3,
    diff_vs: 'llama',
    diff: 0.25,
    diff_ci_low: 0.05,
    diff_ci_high: 0.45,
    mcnemar_p: 0.0004,
    diff_mde: 0.125,
    p_holm: 0.0008,
  }),
  row({ extractor: 'seed', accuracy: 0.45, correct: 9 }),
];

describe('writeResults', () => {
  test('experiment_results.csv: the original columns first, then ours; nulls empty', () => {
    expect(RESULT_COLUMNS.slice(0, 6)).toEqual([
      'model',
      'dataset',
      'accuracy',
      'correct',
      'total',
      'eval_type',
    ]);
    expect(resultsToCsv(ROWS.slice(0, 2))).toBe(
      'model,dataset,accuracy,correct,total,eval_type,extractor,ci_low,ci_high,degradation,' +
        'degradation_ci_low,degradation_ci_high,diff_vs,diff,diff_ci_low,diff_ci_high,mcnemar_p,' +
        'diff_mde,p_holm,degradation_mde\n' +
        'llama,clean,0.5,10,20,zero_shot,strict,0.3,0.7,,,,,,,,,,,\n' +
        'llama,inf,0.35,7,20,zero_shot,strict,0.15,0.55,0.3,-0.125,0.6666666666666666,,,,,,,,0.5\n',
    );
  });

  test('CSV fields with commas, quotes, line breaks or edge spaces are quoted (RFC 4180)', () => {
    const csv = resultsToCsv([
      row({ model: 'my,model "x"', dataset: 'line\nbreak', eval_type: ' pad' }),
    ]);
    expect(csv.split('\n').slice(1).join('\n')).toBe(
      '"my,model ""x""","line\nbreak",0.5,10,20," pad",strict,0.3,0.7,,,,,,,,,,,\n',
    );
  });

  test('writes csv, json and arrow atomically; JSON and Arrow read back to the rows', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'exp-results-')), 'run-1');
    const out = writeResults(dir, ROWS);
    expect(out).toEqual({
      csv: path.join(dir, 'experiment_results.csv'),
      json: path.join(dir, 'experiment_results.json'),
      arrow: path.join(dir, 'experiment_results.arrow'),
    });
    // Nothing but the three files: no temp file is left behind.
    expect(readdirSync(dir).sort()).toEqual([
      'experiment_results.arrow',
      'experiment_results.csv',
      'experiment_results.json',
    ]);
    expect(readFileSync(out.csv, 'utf8')).toBe(resultsToCsv(ROWS));
    // the file parses with the exported schema (ResultRowSchema: the row's one definition)
    const json = ResultRowSchema.array().parse(JSON.parse(readFileSync(out.json, 'utf8')));
    expect(json).toEqual(ROWS);
    expect(Object.keys(json[0])).toEqual(RESULT_COLUMNS);

    const table = tableFromIPC(readFileSync(out.arrow));
    expect(table.numRows).toBe(5);
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'model:Utf8',
      'dataset:Utf8',
      'accuracy:Float64',
      'correct:Int32',
      'total:Int32',
      'eval_type:Utf8',
      'extractor:Utf8',
      'ci_low:Float64',
      'ci_high:Float64',
      'degradation:Float64',
      'degradation_ci_low:Float64',
      'degradation_ci_high:Float64',
      'diff_vs:Utf8',
      'diff:Float64',
      'diff_ci_low:Float64',
      'diff_ci_high:Float64',
      'mcnemar_p:Float64',
      'diff_mde:Float64',
      'p_holm:Float64',
      'degradation_mde:Float64',
    ]);
    expect(table.toArray().map((r) => r.toJSON())).toEqual(ROWS);
    // IPC file format (Feather v2), not the stream format tableToIPC writes by default.
    expect(readFileSync(out.arrow).subarray(0, 6).toString()).toBe('ARROW1');
  });

  test("RESULT_COLUMNS are ResultRowSchema's keys; a row the schema rejects names its field", () => {
    expect(RESULT_COLUMNS).toEqual(Object.keys(ResultRowSchema.shape));
    const bad = ResultRowSchema.safeParse({ ...ROWS[0], correct: -1 });
    expect(bad.error?.issues[0].path).toEqual(['correct']);
  });

  test('rows of a file written before the MDE and Holm columns still read and write', () => {
    const { diff_mde, p_holm, degradation_mde, ...old } = ROWS[3];
    expect([diff_mde, p_holm, degradation_mde]).toEqual([0.125, 0.0008, null]);
    const read = ResultRowSchema.parse(old);
    expect(read).toEqual(old);
    expect(resultsToCsv([read]).split('\n')[1]).toBe(
      'diffllama,inf,0.6,12,20,zero_shot,strict,0.4,0.8,0.07692307692307693,-0.2,0.3,llama,0.25,' +
        '0.05,0.45,0.0004,,,',
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-results-'));
    const json = JSON.parse(readFileSync(writeResults(dir, [read]).json, 'utf8'));
    expect(json).toEqual([{ ...old, diff_mde: null, p_holm: null, degradation_mde: null }]);
  });

  test('an empty table still has its typed columns', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-results-'));
    const table = tableFromIPC(readFileSync(writeResults(dir, []).arrow));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => String(f.type)).slice(0, 4)).toEqual([
      'Utf8',
      'Utf8',
      'Float64',
      'Int32',
    ]);
    expect(readFileSync(path.join(dir, 'experiment_results.csv'), 'utf8')).toBe(
      RESULT_COLUMNS.join(',') + '\n',
    );
  });
});

describe('formatPivot', () => {
  test('models × datasets with CIs, the pair’s difference with McNemar p, and degradation', () => {
    expect(formatPivot(ROWS, 'strict')).toBe(
      [
        'Pass@1 (strict), % with 95% CI (Wilson); differences in points with 95% CI (Newcombe) and McNemar p; n = 20 per cell',
        'model              clean                        inf',
        'llama              50.0 [30.0, 70.0]            35.0 [15.0, 55.0]',
        'diffllama          65.0 [45.0, 85.0]            60.0 [40.0, 80.0]',
        'diffllama - llama  +15.0 [-5.0, +35.0] p=0.375  +25.0 [+5.0, +45.0] p<0.001',
        '',
        'Relative degradation vs clean, % with 95% CI (paired bootstrap)',
        'model      inf',
        'llama      30.0 [-12.5, 66.7]',
        'diffllama  7.7 [-20.0, 30.0]',
        '',
      ].join('\n'),
    );
  });

  test('one extractor only; a missing cell is "-"; unequal n is a range; no pair or noisy set, no extra rows', () => {
    const seedRows = [
      ...ROWS,
      row({ extractor: 'seed', dataset: 'sd', total: 18 }),
      row({ extractor: 'seed', model: 'diffllama', accuracy: 0.55, correct: 11 }),
    ];
    expect(formatPivot(seedRows, 'seed')).toBe(
      [
        'Pass@1 (seed), % with 95% CI (Wilson); n = 18 to 20 per cell',
        'model      clean              sd',
        'llama      45.0 [30.0, 70.0]  50.0 [30.0, 70.0]',
        'diffllama  55.0 [30.0, 70.0]  -',
        '',
      ].join('\n'),
    );
    expect(formatPivot(ROWS, 'lm-eval-strict')).toBe('Pass@1 (lm-eval-strict): no results\n');
    // the heading names the method the rows were built with, at their level
    expect(
      formatPivot(seedRows, 'seed', ciMethods({ ciMethod: 'clopper-pearson', level: 0.9 })).split(
        '\n',
      )[0],
    ).toBe('Pass@1 (seed), % with 90% CI (Clopper-Pearson); n = 18 to 20 per cell');
  });

  test('p values', () => {
    expect([formatP(1), formatP(0.0625), formatP(0.001), formatP(0.000999)]).toEqual([
      '1.000',
      '0.063',
      '0.001',
      '<0.001',
    ]);
  });
});

describe('comparisonPair', () => {
  test('[DiffLlama, Llama] only with exactly one model of each type', () => {
    const d = { modelType: 'diffllama' };
    const l = { modelType: 'llama' };
    expect(comparisonPair({ a: l, b: d })).toEqual(['b', 'a']);
    expect(comparisonPair({ a: l, b: d, c: d })).toBeUndefined();
    expect(comparisonPair({ a: l, b: {} })).toBeUndefined();
    expect(comparisonPair({})).toBeUndefined();
  });
});
