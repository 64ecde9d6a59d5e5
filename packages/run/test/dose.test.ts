// The run's dose-response table: which datasets are sweep cells, the table over every evaluation
// with the run's seed (eval's buildDoseResponseTable), its files, and `exp eval rescore`'s copy.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import {
  buildDoseResponseTable,
  DoseResponseTableSchema,
  getExtractor,
  type SampleRecord,
} from '@exp/eval';
import { doseResponseStep, sweepCell } from '../src/dose.js';
import { readRunManifest } from '../src/manifest.js';
import { runSamples } from '../src/read-run.js';
import { rescoreRun } from '../src/rescore.js';
import { SEED, syntheticRun } from './helpers/synthetic-run.js';

describe('sweepCell', () => {
  test('cells named with their placement; default-placement, clean and imported sets are not', () => {
    expect(sweepCell('inf-k2-late')).toEqual({ type: 'inf', sentences: 2, position: 'late' });
    expect(sweepCell('mix-k4-early')).toEqual({ type: 'mix', sentences: 4, position: 'early' });
    expect(sweepCell('rcs-k1-random-indep')).toEqual({
      type: 'rcs-indep',
      sentences: 1,
      position: 'random',
    });
    expect(sweepCell('sd-k1-random')).toEqual({ type: 'sd', sentences: 1, position: 'random' });
    for (const name of ['inf', 'clean', 'gsmplus-distraction', 'nope-k2-late']) {
      expect(sweepCell(name)).toBeNull();
    }
  });
});

// Llama loses 2 then 4 of 6 items as sentences are added late; DiffLlama 1 then 2.
const OUTCOMES = {
  llama: { clean: 'TTTTTT', 'inf-k1-late': 'TTTTFF', 'inf-k2-late': 'TTFFFF', inf: 'TTTTTF' },
  diffllama: { clean: 'TTTTTT', 'inf-k1-late': 'TTTTTF', 'inf-k2-late': 'TTTTFF', inf: 'TTTTTT' },
};
const DATASETS = ['clean', 'inf', 'inf-k1-late', 'inf-k2-late'];

describe('doseResponseStep', () => {
  const dir = syntheticRun(DATASETS, { zero_shot: OUTCOMES, post_sft: OUTCOMES });
  const files = doseResponseStep(dir, readRunManifest(dir))!;
  const { rows } = DoseResponseTableSchema.parse(JSON.parse(readFileSync(files.json, 'utf8')));

  test('a row per evaluation, model and the pair over the sweep, with the slopes built in', () => {
    expect(rows.map((r) => [r.eval_type, r.model, r.vs, r.type, r.position, r.doses])).toEqual([
      ['zero_shot', 'llama', null, 'inf', 'late', [0, 1, 2]],
      ['zero_shot', 'diffllama', null, 'inf', 'late', [0, 1, 2]],
      ['zero_shot', 'diffllama', 'llama', 'inf', 'late', [0, 1, 2]],
      ['post_sft', 'llama', null, 'inf', 'late', [0, 1, 2]],
      ['post_sft', 'diffllama', null, 'inf', 'late', [0, 1, 2]],
      ['post_sft', 'diffllama', 'llama', 'inf', 'late', [0, 1, 2]],
    ]);
    // llama 6/6, 4/6, 2/6 at 0, 1, 2 sentences: −1/3 per sentence; diffllama 6, 5, 4: −1/6
    expect(rows[0].slope.value).toBeCloseTo(-1 / 3, 12);
    expect(rows[1].slope.value).toBeCloseTo(-1 / 6, 12);
    expect(rows[2].slope.value).toBeCloseTo(1 / 6, 12);
    expect(rows[0].effect.value).toBeCloseTo(-1 / 2, 12);
    expect(rows.slice(3)).toEqual(rows.slice(0, 3).map((r) => ({ ...r, eval_type: 'post_sft' })));
  });

  test("eval's table of the samples in the run's order, seeded with the run's seed", () => {
    const [zeroShot] = runSamples(dir, readRunManifest(dir));
    const direct = buildDoseResponseTable(zeroShot.samples as SampleRecord[], {
      extractors: ['strict'],
      seed: SEED,
      pair: ['diffllama', 'llama'],
      cellOf: sweepCell,
    });
    expect(rows.slice(0, 3)).toEqual(direct);
    const csv = readFileSync(files.csv, 'utf8').split('\n');
    expect(csv[0]).toBe(
      'extractor,eval_type,model,vs,type,position,doses,clusters,observations,pooled,pooled_lo,pooled_hi,effect,effect_lo,effect_hi,slope,slope_lo,slope_hi',
    );
    const r = rows[0];
    expect(csv[1]).toBe(
      ['strict,zero_shot,llama,,inf,late,0;1;2,6,18', r.pooled, r.effect, r.slope]
        .map((e) => (typeof e === 'string' ? e : [e.value, e.lo, e.hi].join(',')))
        .join(','),
    );
  });

  test('exp eval rescore writes the same table, byte for byte', () => {
    const re = rescoreRun(dir, getExtractor('strict'));
    expect(re.doseResponse!.json).toBe(path.join(dir, 'rescored/strict/dose_response.json'));
    expect(readFileSync(re.doseResponse!.json)).toEqual(readFileSync(files.json));
    expect(readFileSync(re.doseResponse!.csv)).toEqual(readFileSync(files.csv));
  });

  test('a run without sweep cells writes none', () => {
    const plain = syntheticRun(['clean', 'inf'], {
      zero_shot: { llama: { clean: 'TT', inf: 'TF' }, diffllama: { clean: 'TT', inf: 'TT' } },
    });
    expect(doseResponseStep(plain, readRunManifest(plain))).toBeNull();
  });
});
