// `exp run --decode-cleanup`: recorded in the manifest, and a run cannot continue under the
// other decoding (its completions would mix two texts of the same tokens).
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { exp } from './helpers.js';
import { readManifest, useRunEnv } from './run-helpers.js';

const env = useRunEnv('cli-decode-');
const args = (runId: string, ...extra: string[]) => [
  ...['run', '--models', 'tiny-llama', '--datasets', 'clean', '--max-samples', '2'],
  ...['--task', env.task, '--skip-sft', '--skip-attention', '--skip-report'],
  ...['--run-id', runId, ...extra],
];

describe('exp run --decode-cleanup', () => {
  test('the manifest says which decoding was used; a rerun may not switch', async () => {
    const plain = await exp(...args('plain'));
    expect(plain.err).toBe('');
    expect(plain.code).toBe(0);
    expect(readManifest(path.join(env.results, 'plain')).options).toMatchObject({
      decodeCleanup: false,
    });
    const cleaned = await exp(...args('cleaned', '--decode-cleanup'));
    expect(cleaned.code).toBe(0);
    expect(readManifest(path.join(env.results, 'cleaned')).options).toMatchObject({
      decodeCleanup: true,
    });
    const switched = await exp(...args('plain', '--decode-cleanup'));
    expect(switched.code).toBe(2);
    expect(switched.err).toBe(
      "error: run plain: options differ from the run's: --decode-cleanup is true (run: false); use --resume plain to continue it as started, or a new --run-id",
    );
  });
});
