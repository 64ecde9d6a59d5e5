import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared` beside the repository (EXP_SHARED_DIR overrides). */
export const SHARED_DIR =
  process.env.EXP_SHARED_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared');
export const GSM8K_TEST = path.join(SHARED_DIR, 'data/gsm8k/test.jsonl');
export const ORIGINAL_TEMPLATES = path.join(SHARED_DIR, 'data/original-noise/templates.json');

export function tmpDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `exp-noise-${label}-`));
}
