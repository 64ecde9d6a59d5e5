// kill -9 in the middle of `exp run` (the built binary in a child process), then a rerun with the
// same run id: exactly N lines per model x dataset, all valid JSON, no duplicate ids, and the same
// experiment_results.csv, byte for byte, as a run that was never interrupted.
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exp } from './helpers.js';
import { sampleFile, sampleLines, SETS, TINY, useRunEnv } from './run-helpers.js';

const env = useRunEnv('cli-resume-');
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const MODELS = ['tiny-llama', 'tiny-diffllama'];
const N = 6;
const args = (runId: string) => [
  'run',
  '--quick-test',
  '--models',
  TINY,
  '--max-samples',
  String(N),
  '--task',
  env.task,
  '--batch-size',
  '4',
  '--skip-sft',
  '--skip-attention',
  '--skip-report',
  '--run-id',
  runId,
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('exp run killed with SIGKILL, then resumed', () => {
  test('the resumed run has every sample once and the table of an uninterrupted run', async () => {
    expect(existsSync(MAIN)).toBe(true); // `pnpm build` first (pnpm test does)
    const whole = await exp(...args('whole'));
    expect(whole.code).toBe(0);

    const child = spawn(process.execPath, [MAIN, ...args('killed')], {
      env: env.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((r) =>
      child.on('exit', (code, signal) => r(signal ?? code)),
    );
    const dir = path.join(env.results, 'killed');
    const t0 = Date.now();
    while (sampleLines(dir, 'tiny-llama', 'clean').length < 2) {
      if (Date.now() - t0 > 30_000 || child.exitCode !== null)
        throw new Error(`no samples: ${output}`);
      await sleep(10);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const counts = MODELS.flatMap((m) => SETS.map((s) => sampleLines(dir, m, s).length));
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThan(MODELS.length * SETS.length * N);

    const resumed = await exp(...args('killed'));
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('run killed: continuing');
    expect(resumed.out).toMatch(/zero-shot: tiny-llama clean: \d+ samples already logged/);

    for (const m of MODELS) {
      for (const s of SETS) {
        const raw = readFileSync(sampleFile(dir, m, s), 'utf8');
        expect(raw.endsWith('\n')).toBe(true);
        const lines = raw.split('\n').slice(0, -1);
        expect(lines).toHaveLength(N);
        const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
        expect(new Set(ids).size).toBe(N);
      }
    }
    const csv = (id: string) => readFileSync(path.join(env.results, id, 'experiment_results.csv'));
    expect(csv('killed').toString()).toBe(csv('whole').toString());
    expect(csv('killed').equals(csv('whole'))).toBe(true);
  });
});
