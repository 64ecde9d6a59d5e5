// Shared set-up of the runExperiment tests: one temporary root per test file with data/,
// results/ and a models cache (the tiny presets are exported once per file), GSM8K from the
// shared copy, the hub offline, and a fast task file (the seed protocol's settings with few new
// tokens).
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const GSM8K_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/data/gsm8k',
);

/** The root of this test file (read it inside tests: it is made in beforeAll); task.json in it. */
export function useRunRoot(prefix: string, maxNewTokens: number): { readonly root: string } {
  let root = '';
  const saved = { ...process.env };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), prefix));
    writeFileSync(
      path.join(root, 'task.json'),
      JSON.stringify({
        name: 'fast',
        prompt: { template: 'bare' },
        generation: { maxNewTokens, repetitionPenalty: 1.1 },
        extractors: ['seed', 'strict'],
      }),
    );
    Object.assign(process.env, {
      EXP_DATA_DIR: path.join(root, 'data'),
      EXP_RESULTS_DIR: path.join(root, 'results'),
      EXP_MODELS_DIR: path.join(root, 'models'),
      EXP_GSM8K_DIR: process.env.EXP_GSM8K_DIR ?? GSM8K_DIR,
      HF_HOME: path.join(root, 'hf'),
      HF_HUB_OFFLINE: '1',
    });
  });
  afterAll(() => {
    process.env = { ...saved };
    rmSync(root, { recursive: true, force: true });
  });
  return {
    get root() {
      return root;
    },
  };
}
