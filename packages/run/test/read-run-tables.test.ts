// readRun's optional tables: evidence, dose-response, likelihood summary and knockout table are
// read with their writers' schemas when present, null when absent; a bad one fails in one line.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { KnockoutTableSchema, summarizeLikelihood, type KnockoutRow } from '@exp/eval';
import { doseResponseStep } from '../src/dose.js';
import { buildEvidence, evidenceStep } from '../src/evidence.js';
import { readRunManifest } from '../src/manifest.js';
import { readRun } from '../src/read-run.js';
import { likelihoodRecord, syntheticRun } from './helpers/synthetic-run.js';

const OUTCOMES = {
  llama: { clean: 'TTTT', 'inf-k1-late': 'TTFF', 'inf-k2-late': 'TFFF' },
  diffllama: { clean: 'TTTT', 'inf-k1-late': 'TTTF', 'inf-k2-late': 'TTFF' },
};
const DATASETS = ['clean', 'inf-k1-late', 'inf-k2-late'];

const KNOCKOUT: KnockoutRow = {
  model: 'llama',
  dataset: 'inf-k1-late',
  measure: 'protocol_mean',
  extractor: null,
  eval_type: null,
  from_layer: 0,
  n: 4,
  clean: -1,
  noisy: -1.5,
  knockout: -1.2,
  recovered: 0.6,
  lo: 0.4,
  hi: 0.8,
};

describe('readRun: the optional tables', () => {
  test('absent: null', () => {
    const run = readRun(syntheticRun(DATASETS, { zero_shot: OUTCOMES }));
    expect([run.evidence, run.doseResponse, run.likelihood, run.knockout]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  test('present: their rows, as written', () => {
    const dir = syntheticRun(DATASETS, { zero_shot: OUTCOMES });
    doseResponseStep(dir, readRunManifest(dir));
    evidenceStep(dir);
    const records = ['llama', 'diffllama'].flatMap((m) =>
      [0, 1].flatMap((i) => [
        likelihoodRecord(m, 'clean', i, { mean: -1, final: -2, gold: 0.5, pull: 0.1 }),
        likelihoodRecord(m, 'inf-k1-late', i, { mean: -1.5, final: -2, gold: 0.5, pull: 0.1 }),
      ]),
    );
    const summary = summarizeLikelihood(records, { pair: ['diffllama', 'llama'], seed: 7 });
    writeFileSync(path.join(dir, 'likelihood_results.json'), JSON.stringify(summary));
    writeFileSync(path.join(dir, 'knockout_results.json'), JSON.stringify({ rows: [KNOCKOUT] }));
    const run = readRun(dir);
    expect(run.evidence).toEqual(
      buildEvidence(dir, { manifest: readRunManifest(dir) }).filter((r) => r.measure === 'pass@1'),
    );
    expect(run.evidence!.map((r) => r.dataset)).toEqual(['inf-k1-late', 'inf-k2-late']);
    expect(run.doseResponse!.map((r) => `${r.model} ${r.vs}`)).toEqual([
      'llama null',
      'diffllama null',
      'diffllama llama',
    ]);
    expect(run.likelihood).toEqual(summary);
    expect(run.knockout).toEqual(KnockoutTableSchema.parse({ rows: [KNOCKOUT] }).rows);
  });

  test('a malformed table: one line naming the file and field', () => {
    const dir = syntheticRun(DATASETS, { zero_shot: OUTCOMES });
    const f = path.join(dir, 'knockout_results.json');
    writeFileSync(f, JSON.stringify({ rows: [{ ...KNOCKOUT, from_layer: -1 }] }));
    expect(() => readRun(dir)).toThrow(
      new RegExp(`^${f.replace(/[.]/g, '\\.')}: rows\\.0\\.from_layer: `),
    );
  });
});
