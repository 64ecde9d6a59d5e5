import { describe, expect, test } from '@jest/globals';
import { buildDoseResponseTable, type SweepCell } from '../../src/results/dose-response.js';
import type { SampleRecord } from '../../src/samples/record.js';
import { doseResponse, type DoseObservation } from '../../src/stats/cluster-bootstrap.js';
import { sample } from '../samples/fixture.js';

/** Samples of one model × dataset over items 0..n-1; `strict` the outcomes as T/F. */
const cell = (model: string, dataset: string, strict: string): SampleRecord[] =>
  [...strict].map((c, i) => sample(i, { model, dataset, index: i, strictOk: c === 'T' }));

// What @exp/noise's parseNoiseCell reads from a sweep cell's name (eval does not depend on it).
const cellOf = (name: string): SweepCell | null => {
  const m = /^([a-z]+)-k(\d+)-([a-z-]+)$/.exec(name);
  return m ? { type: m[1], sentences: Number(m[2]), position: m[3] } : null;
};

const SAMPLES: SampleRecord[] = [
  ...cell('llama', 'clean', 'TTTTFF'),
  ...cell('llama', 'inf-k1-late', 'TTTFFF'),
  ...cell('llama', 'inf-k2-late', 'TFFFFF'),
  ...cell('llama', 'inf-k1-early', 'TTTTFF'),
  ...cell('llama', 'rcs', 'TTTTFF'), // not a sweep cell by this cellOf: left out
  ...cell('diffllama', 'clean', 'TTTTTF'),
  ...cell('diffllama', 'inf-k1-late', 'TTTTFF'),
  ...cell('diffllama', 'inf-k2-late', 'TTTFFF'),
  // diffllama lacks the early cell: no difference row there
];
const OPTS = { extractors: ['strict'], seed: 5, resamples: 400, cellOf };

describe('buildDoseResponseTable', () => {
  const rows = buildDoseResponseTable(SAMPLES, OPTS);

  test('a row per model and type × position with sweep cells, and the pair’s difference', () => {
    expect(
      rows.map((r) => [r.type, r.position, r.model, r.vs, r.doses, r.clusters, r.observations]),
    ).toEqual([
      ['inf', 'late', 'llama', null, [0, 1, 2], 6, 18],
      ['inf', 'late', 'diffllama', null, [0, 1, 2], 6, 18],
      ['inf', 'late', 'diffllama', 'llama', [0, 1, 2], 6, 18],
      ['inf', 'early', 'llama', null, [0, 1], 6, 12],
    ]);
  });

  test('point estimates: pooled noisy Pass@1, pooled noise effect, change per sentence', () => {
    const [llama, diff, pair] = rows;
    // llama: 4/6, 3/6, 1/6 at 0, 1, 2 sentences; balanced, so slope = (1/6 − 4/6) / 2.
    expect(llama.pooled.value).toBeCloseTo(1 / 3, 12);
    expect(llama.effect.value).toBeCloseTo(-1 / 3, 12);
    expect(llama.slope.value).toBeCloseTo(-1 / 4, 12);
    // diffllama: 5/6, 4/6, 3/6.
    expect(diff.pooled.value).toBeCloseTo(7 / 12, 12);
    expect(diff.effect.value).toBeCloseTo(-1 / 4, 12);
    expect(diff.slope.value).toBeCloseTo(-1 / 6, 12);
    // diffllama − llama: loses less per sentence.
    expect(pair.pooled.value).toBeCloseTo(1 / 4, 12);
    expect(pair.effect.value).toBeCloseTo(1 / 12, 12);
    expect(pair.slope.value).toBeCloseTo(1 / 12, 12);
    for (const r of rows) {
      for (const e of [r.pooled, r.effect, r.slope]) {
        expect(e.lo!).toBeLessThanOrEqual(e.value!);
        expect(e.hi!).toBeGreaterThanOrEqual(e.value!);
      }
    }
  });

  test('intervals are the cluster bootstrap over base problems, on one seeded plan', () => {
    const obs = (model: string): DoseObservation[] =>
      SAMPLES.filter((s) => s.model === model && /^(clean|inf-k\d-late)$/.test(s.dataset)).map(
        (s) => ({
          cluster: s.id,
          dose: s.dataset === 'clean' ? 0 : Number(s.dataset[5]),
          y: s.correct_by.strict ? 1 : 0,
        }),
      );
    const boot = { seed: 5, resamples: 400 };
    expect(rows[0]).toMatchObject(doseResponse([obs('llama')], boot).groups[0]);
    expect(rows[2]).toMatchObject(doseResponse([obs('diffllama'), obs('llama')], boot).difference!);
    expect(buildDoseResponseTable(SAMPLES, OPTS)).toEqual(rows);
  });

  test('no sweep cell gives no rows; a missing extractor is named', () => {
    expect(buildDoseResponseTable(SAMPLES, { ...OPTS, cellOf: () => null })).toEqual([]);
    expect(() => buildDoseResponseTable(SAMPLES, { ...OPTS, extractors: ['flex'] })).toThrow(
      'dose-response: llama/clean sample "gsm8k-test-0" has no answer from extractor "flex"',
    );
  });
});
