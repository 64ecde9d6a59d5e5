// The acceptance criterion: each golden checkpoint, exported with attentions and run by
// onnxruntime (CPU, fp32), reproduces the HF eager reference (shared/golden/README.md).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModelConfig } from '../src/config.js';
import { exportCheckpoint } from '../src/export.js';
import { verifyAgainstGolden, type VerifyReport } from '../src/verify.js';
import { GOLDEN_MODELS, goldenDir } from './helpers/shared.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-parity-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(GOLDEN_MODELS)('%s exported with attentions', (name) => {
  const config = loadModelConfig(goldenDir(name));
  const layers = Array.from({ length: config.numLayers }, (_, i) => i);
  const isDiff = config.modelType === 'diffllama';
  const hasLong = name.endsWith('-l3');
  let report: VerifyReport;
  const err = (check: string) => {
    const c = report.checks.find((x) => x.name === check);
    if (!c) throw new Error(`no check ${check}`);
    return c.maxAbsError;
  };

  beforeAll(async () => {
    const out = path.join(tmp, name);
    await exportCheckpoint(goldenDir(name), out, { attentions: true });
    report = await verifyAgainstGolden(out, path.join(goldenDir(name), 'golden.safetensors'));
  });

  it('runs every check the golden file has', () => {
    const expected = ['case_a.logits'];
    for (const l of layers) {
      expected.push(`case_a.attentions.${l}`);
      if (isDiff)
        expected.push(`case_a.attn1.${l}`, `case_a.attn2.${l}`, `case_a.lambda_full.${l}`);
    }
    expected.push('case_b.logits', ...layers.map((l) => `case_b.attentions.${l}`));
    if (hasLong) expected.push('case_long.logits', `case_long.attentions.${config.numLayers - 1}`);
    expected.push('generate.step_logits', 'generate.generated_ids');
    expect(report.checks.map((c) => c.name)).toEqual(expected);
    expect(report.dtype).toBe('fp32');
    expect(report.skipped).toEqual([]);
    expect(report.checks.every((c) => c.checked)).toBe(true);
    expect(report.pass).toBe(true);
  });

  it('matches case_a logits (1e-4) and attentions (1e-5)', () => {
    expect(err('case_a.logits')).toBeLessThanOrEqual(1e-4);
    for (const l of layers) expect(err(`case_a.attentions.${l}`)).toBeLessThanOrEqual(1e-5);
  });

  if (isDiff) {
    it('matches DiffLlama attn1/attn2 halves and lambda_full', () => {
      for (const l of layers) {
        expect(err(`case_a.attn1.${l}`)).toBeLessThanOrEqual(1e-5);
        expect(err(`case_a.attn2.${l}`)).toBeLessThanOrEqual(1e-5);
        expect(err(`case_a.lambda_full.${l}`)).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it('matches left-padded case_b at valid positions', () => {
    expect(err('case_b.logits')).toBeLessThanOrEqual(1e-4);
    for (const l of layers) expect(err(`case_b.attentions.${l}`)).toBeLessThanOrEqual(1e-5);
  });

  if (hasLong) {
    it('matches case_long past original_max_position_embeddings', () => {
      expect(err('case_long.logits')).toBeLessThanOrEqual(1e-4);
      expect(err(`case_long.attentions.${config.numLayers - 1}`)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('greedy-decodes through the KV cache exactly like HF generate', () => {
    expect(err('generate.generated_ids')).toBe(0);
    expect(err('generate.step_logits')).toBeLessThanOrEqual(1e-4);
  });
});
