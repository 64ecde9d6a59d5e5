// verifyAgainstGolden reports what it skipped and refuses golden files of another model in one
// line (the fp16 "not checked" wording is tested through the CLI, apps/cli/test/models-verify).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportCheckpoint } from '../src/export.js';
import { SafetensorsError } from '../src/safetensors/read.js';
import { goldenModelType, verifyAgainstGolden, VerifyError } from '../src/verify.js';
import { goldenDir } from './helpers/shared.js';

let tmp: string;
let diffNoAttentions: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-verify-'));
  diffNoAttentions = path.join(tmp, 'diff');
  await exportCheckpoint(goldenDir('tiny-diffllama'), diffNoAttentions);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const golden = (name: Parameters<typeof goldenDir>[0]) =>
  path.join(goldenDir(name), 'golden.safetensors');

describe('verifyAgainstGolden', () => {
  it('lists the attention checks an export without attentions skips, and why', async () => {
    const report = await verifyAgainstGolden(diffNoAttentions, golden('tiny-diffllama'));
    expect(report.skipped).toEqual([
      {
        name: 'attentions, attn1/attn2, lambda_full',
        reason: 'the export has no attentions.* outputs; export with --attentions',
      },
    ]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'case_a.logits',
      'case_b.logits',
      'generate.step_logits',
      'generate.generated_ids',
    ]);
    expect(report.checks.every((c) => c.checked && c.pass)).toBe(true);
  });

  it('names the architecture of a golden file made for another model', async () => {
    await expect(verifyAgainstGolden(diffNoAttentions, golden('tiny-llama'))).rejects.toThrow(
      new VerifyError(
        `${golden('tiny-llama')}: the golden file is for llama, the model is diffllama`,
      ),
    );
    await expect(
      verifyAgainstGolden(diffNoAttentions, golden('tiny-diffllama-l3')),
    ).rejects.toThrow(
      `${golden('tiny-diffllama-l3')}: the golden file is for a diffllama with 4 layers, the model has 3`,
    );
    expect(goldenModelType(['case_a.logits', 'case_a.attentions.0'])).toBe('llama');
    expect(goldenModelType(['case_a.logits', 'case_a.lambda_full.0'])).toBe('diffllama');
  });

  it('says a JSONL passed as the golden file is not a safetensors file', async () => {
    const jsonl = path.join(tmp, 'test.jsonl');
    writeFileSync(jsonl, '{"question": "1+1?", "answer": "2"}\n');
    await expect(verifyAgainstGolden(diffNoAttentions, jsonl)).rejects.toThrow(
      new SafetensorsError(
        `${jsonl}: not a safetensors file (header length 7598825350880109179 is larger than the file, 36 bytes)`,
      ),
    );
  });
});
