import { describe, expect, test } from '@jest/globals';
import { buildResultsTable, ciMethods, type ResultRow } from '../../src/results/table.js';
import type { SampleRecord } from '../../src/samples/record.js';
import { relativeDegradation } from '../../src/stats/degradation.js';
import { mcnemarMde } from '../../src/stats/power.js';
import { sample } from '../samples/fixture.js';

const SEED = 7;
const bits = (s: string): boolean[] => [...s].map((c) => c === 'T');

/**
 * Samples of one model × dataset: `ids` are item numbers (id gsm8k-test-<n>), `strict` and
 * `seed` the outcomes under each extractor as T/F strings.
 */
function cell(model: string, dataset: string, ids: number[], strict: string, seed = strict) {
  return ids.map((n, i) =>
    sample(n, {
      model,
      dataset,
      index: i,
      strictOk: strict[i] === 'T',
      seedOk: seed[i] === 'T',
    }),
  );
}

const CLEAN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
// The noisy set lacks items 8 and 9 and has an item (99) the clean set lacks: pairs use 0..7.
const INF = [0, 1, 2, 3, 4, 5, 6, 7, 99];
const SAMPLES: SampleRecord[] = [
  // inf first: the baseline still comes first in the table.
  ...cell('llama', 'inf', INF, 'TTFFFFFFT'),
  ...cell('llama', 'clean', CLEAN, 'TTTTFFFFFT', 'FFFFFFFFFF'),
  ...cell('diffllama', 'clean', CLEAN, 'TTTTTTTTFT'),
  ...cell('diffllama', 'inf', INF, 'TTTTTTFFF'),
];

function find(rows: ResultRow[], extractor: string, model: string, dataset: string): ResultRow {
  const r = rows.find(
    (x) => x.extractor === extractor && x.model === model && x.dataset === dataset,
  );
  if (!r) throw new Error(`no row ${extractor} ${model} ${dataset}`);
  return r;
}

describe('buildResultsTable', () => {
  const rows = buildResultsTable(SAMPLES, {
    extractors: ['seed', 'strict'],
    seed: SEED,
    evalType: 'zero_shot',
  });

  test('one row per extractor × model × dataset, baseline first, in order of appearance', () => {
    expect(rows.map((r) => `${r.extractor} ${r.model} ${r.dataset}`)).toEqual([
      'seed llama clean',
      'seed llama inf',
      'seed diffllama clean',
      'seed diffllama inf',
      'strict llama clean',
      'strict llama inf',
      'strict diffllama clean',
      'strict diffllama inf',
    ]);
    expect(new Set(rows.map((r) => r.eval_type))).toEqual(new Set(['zero_shot']));
  });

  // Reference values: statsmodels 0.15.0 proportion_confint(x, n, method='wilson' | 'beta').
  test('Pass@1, counts and the Wilson CI of each cell', () => {
    const r = find(rows, 'strict', 'llama', 'inf');
    expect([r.accuracy, r.correct, r.total]).toEqual([3 / 9, 3, 9]);
    expect(r.ci_low).toBeCloseTo(0.1205838183869109, 12);
    expect(r.ci_high).toBeCloseTo(0.6457978644196036, 12);
    const d = find(rows, 'strict', 'diffllama', 'clean');
    expect([d.accuracy, d.correct, d.total]).toEqual([0.9, 9, 10]);
    // Every item wrong: the interval still says what 10 items cannot rule out.
    const s = find(rows, 'seed', 'llama', 'clean');
    expect([s.accuracy, s.correct, s.total, s.ci_low]).toEqual([0, 0, 10, 0]);
    expect(s.ci_high).toBeCloseTo(0.2775327998628892, 12);
  });

  test('ciMethod clopper-pearson gives the exact interval; the level applies to every CI', () => {
    const opts = { extractors: ['strict'], seed: SEED, evalType: 'zero_shot' };
    const cp = buildResultsTable(SAMPLES, { ...opts, ciMethod: 'clopper-pearson' });
    const r = find(cp, 'strict', 'llama', 'inf');
    expect(r.ci_low).toBeCloseTo(0.07485463141969183, 12);
    expect(r.ci_high).toBeCloseTo(0.7007049437914596, 12);
    // the other columns do not depend on the method
    const wilson = buildResultsTable(SAMPLES, opts);
    const rest = (x: ResultRow[]) => x.map((r) => ({ ...r, ci_low: 0, ci_high: 0 }));
    expect(rest(cp)).toEqual(rest(wilson));
    const at90 = find(
      buildResultsTable(SAMPLES, { ...opts, level: 0.9 }),
      'strict',
      'diffllama',
      'clean',
    );
    expect(at90.diff_ci_low).toBeCloseTo(0.061473737108174276, 12);
    expect(at90.diff_ci_high).toBeCloseTo(0.6433533436547216, 12);
    expect(() => buildResultsTable(SAMPLES, { ...opts, ciMethod: 'bootstrap' as never })).toThrow(
      'results: ciMethod: expected one of wilson, clopper-pearson, got "bootstrap"',
    );
    expect(ciMethods({ ciMethod: 'clopper-pearson' })).toEqual({
      level: 0.95,
      ci: 'clopper-pearson',
      diff_ci: 'newcombe',
      degradation_ci: 'bootstrap',
    });
  });

  test('relative degradation over the items in both sets, paired', () => {
    // llama strict, items 0..7: clean TTTTFFFF (4 right), inf TTFFFFFF (2 right): (4-2)/4.
    const r = find(rows, 'strict', 'llama', 'inf');
    expect(r.degradation).toBe(0.5);
    const d = relativeDegradation(bits('TTTTFFFF'), bits('TTFFFFFF'), { seed: SEED });
    expect([r.degradation_ci_low, r.degradation_ci_high]).toEqual([d.lo, d.hi]);
    // diffllama strict: clean TTTTTTTT (8), inf TTTTTTFF (6): 2/8.
    expect(find(rows, 'strict', 'diffllama', 'inf').degradation).toBe(0.25);
    // llama seed: clean accuracy 0, the ratio is undefined.
    const s = find(rows, 'seed', 'llama', 'inf');
    expect([s.degradation, s.degradation_ci_low, s.degradation_ci_high]).toEqual([
      null,
      null,
      null,
    ]);
    // The baseline row has none.
    const c = find(rows, 'strict', 'llama', 'clean');
    expect([c.degradation, c.degradation_ci_low, c.degradation_ci_high]).toEqual([
      null,
      null,
      null,
    ]);
  });

  test('the paired difference diffllama − llama with McNemar’s exact p, on the pair’s rows only', () => {
    const clean = find(rows, 'strict', 'diffllama', 'clean');
    // Items 4..7 only diffllama right (b = 4), none only llama (c = 0): p = 2 / 2^4.
    expect([clean.diff_vs, clean.diff, clean.mcnemar_p]).toEqual(['llama', 0.4, 0.125]);
    // Newcombe's interval of (a, b, c, d) = (5, 4, 0, 1): ad - bc = 5 is not above n/2 = 5, so
    // phi is 0 (tools/crosscheck/intervals_fixture.py's newcombe_paired(5, 4, 0, 1, 0.95)).
    expect(clean.diff_ci_low).toBeCloseTo(-0.0023561093922479515, 12);
    expect(clean.diff_ci_high).toBeCloseTo(0.6759121533048665, 12);
    const inf = find(rows, 'strict', 'diffllama', 'inf');
    // Both have all nine inf items: b = 4 (items 2..5), c = 1 (item 99): p = 2 (1 + 5) / 2^5.
    expect([inf.diff, inf.mcnemar_p]).toEqual([3 / 9, 0.375]);
    // seed: diffllama 9 right, llama none: p = 2 / 2^9.
    const seed = find(rows, 'seed', 'diffllama', 'clean');
    expect([seed.diff, seed.mcnemar_p]).toEqual([0.9, 2 / 512]);
    const llama = find(rows, 'strict', 'llama', 'clean');
    expect([
      llama.diff_vs,
      llama.diff,
      llama.diff_ci_low,
      llama.diff_ci_high,
      llama.mcnemar_p,
    ]).toEqual([null, null, null, null, null]);
  });

  test('MDE of each comparison and Holm-adjusted p across the table’s tests', () => {
    const at = (x: string, m: string, d: string) => find(rows, x, m, d);
    // diff_mde: Connor's McNemar MDE at the pair's discordant count (b + c) over n paired items.
    expect(at('strict', 'diffllama', 'clean').diff_mde).toBe(mcnemarMde(10, 4));
    expect(at('strict', 'diffllama', 'clean').diff_mde!.toFixed(6)).toBe('0.496322');
    expect(at('strict', 'diffllama', 'inf').diff_mde).toBe(mcnemarMde(9, 5));
    expect(at('seed', 'diffllama', 'clean').diff_mde).toBe(mcnemarMde(10, 9));
    // The family: the four diffllama − llama tests (2 extractors × 2 sets). Sorted p: 2/512,
    // 0.125, 0.375, 0.375, times 4, 3, 2, 1, running maximum.
    expect(rows.map((r) => [r.mcnemar_p, r.p_holm])).toEqual([
      [null, null],
      [null, null],
      [2 / 512, 8 / 512],
      [0.375, 0.75],
      [null, null],
      [null, null],
      [0.125, 0.375],
      [0.375, 0.75],
    ]);
    // degradation_mde: the MDE of clean − noisy over the 8 shared items (TTTTFFFF vs TTFFFFFF:
    // 2 discordant), relative to the clean accuracy 4/8, like the degradation itself.
    expect(at('strict', 'llama', 'inf').degradation_mde).toBe(mcnemarMde(8, 2)! / 0.5);
    // clean accuracy 0 (no ratio), or no discordant item (llama seed: nothing right anywhere
    // but item 99 in inf, which clean lacks): null.
    expect(at('seed', 'llama', 'inf').degradation_mde).toBeNull();
    expect(at('strict', 'llama', 'clean').degradation_mde).toBeNull();
    expect(at('strict', 'llama', 'clean').diff_mde).toBeNull();
  });

  test('another baseline and pair; none of them present leaves the columns null', () => {
    const strictOnly = { extractors: ['strict'], seed: SEED, evalType: 'zero_shot' };
    const other = buildResultsTable(SAMPLES, {
      ...strictOnly,
      baseline: 'inf',
      pair: ['llama', 'diffllama'],
    });
    expect(other.map((r) => `${r.model} ${r.dataset}`)).toEqual([
      'llama inf',
      'llama clean',
      'diffllama inf',
      'diffllama clean',
    ]);
    // (inf − clean) / inf over items 0..7 for llama: (2 − 4) / 2.
    expect(find(other, 'strict', 'llama', 'clean').degradation).toBe(-1);
    expect(find(other, 'strict', 'llama', 'clean').diff).toBe(-0.4);
    const none = buildResultsTable(SAMPLES, {
      ...strictOnly,
      baseline: 'gsm-plus',
      pair: ['tiny-diffllama', 'tiny-llama'],
    });
    expect(none.every((r) => r.degradation === null && r.diff === null && r.diff_vs === null)).toBe(
      true,
    );
  });

  test('the same seed gives the same table; a missing extractor or duplicate item is an error', () => {
    const opts = { extractors: ['seed', 'strict'], seed: SEED, evalType: 'zero_shot' };
    expect(buildResultsTable(SAMPLES, opts)).toEqual(rows);
    expect(() => buildResultsTable(SAMPLES, { ...opts, extractors: ['lm-eval-strict'] })).toThrow(
      'results: llama/clean sample "gsm8k-test-0" has no answer from extractor "lm-eval-strict" ' +
        '(it has: seed, strict); rescore the run with it',
    );
    expect(() => buildResultsTable([...SAMPLES, SAMPLES[0]], opts)).toThrow(
      'results: llama/inf: duplicate sample id "gsm8k-test-0"',
    );
    expect(buildResultsTable([], opts)).toEqual([]);
  });
});
