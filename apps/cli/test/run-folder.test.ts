// What the run folder says about a run: the report shows its final status, a failed invocation
// leaves no empty folder (or a manifest marked failed), --resume continues a run as it started,
// and the manifest keeps the timings of every attempt.
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import type { Attempt } from '@exp/run';
import { exp } from './helpers.js';
import { readManifest, useRunEnv } from './run-helpers.js';

const env = useRunEnv('cli-run-folder-');
const base = (datasets = 'clean', models = 'tiny-llama') => [
  ...['run', '--models', models, '--datasets', datasets, '--max-samples', '2'],
  ...['--task', env.task, '--skip-sft', '--skip-attention'],
];

describe('exp run: the run folder tells the truth', () => {
  test('the report written at the end shows the final status', async () => {
    const r = await exp(...base(), '--run-id', 'reported');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dir = path.join(env.results, 'reported');
    expect(readManifest(dir).status).toBe('finished');
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('- status: finished');
    expect(md).not.toContain('running');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('status: finished');
    expect(html).not.toContain('status: running');
  }, 120_000);

  test('a run that fails before its first sample leaves no folder; a continued one is kept as it was', async () => {
    const before = () => (existsSync(env.results) ? readdirSync(env.results).sort() : []);
    const had = before();
    const model = await exp(...base('clean', 'no-such-model'), '--run-id', 'bad-model');
    expect(model.code).toBe(2);
    // a data error after the folder was made (no noisy file with --skip-data-gen): no folder
    const data = await exp(...base('inf'), '--skip-data-gen', '--run-id', 'bad-data');
    expect(data.code).toBe(1);
    expect(data.err).toMatch(/^error: .*gsm8k_inf_test\.jsonl not found/);
    const unnamed = await exp(...base('inf'), '--skip-data-gen');
    expect(unnamed.code).toBe(1);
    expect(before()).toEqual(had);
    // the same data error while continuing a run: its folder and manifest stay as they were
    const ok = await exp(...base(), '--skip-report', '--run-id', 'kept');
    expect(ok.code).toBe(0);
    const manifest = path.join(env.results, 'kept', 'manifest.json');
    const bytes = readFileSync(manifest);
    const gsm8k = process.env.EXP_GSM8K_DIR;
    process.env.EXP_GSM8K_DIR = path.join(env.root, 'no-gsm8k');
    try {
      const again = await exp(...base(), '--skip-report', '--run-id', 'kept');
      expect(again.code).toBe(1);
    } finally {
      process.env.EXP_GSM8K_DIR = gsm8k;
    }
    expect(readFileSync(manifest).equals(bytes)).toBe(true);
  }, 120_000);

  test('a run that fails after its first sample is marked failed; a rerun continues it', async () => {
    const ok = await exp(...base(), '--skip-report', '--run-id', 'late');
    expect(ok.code).toBe(0);
    const dir = path.join(env.results, 'late');
    mkdirSync(path.join(dir, 'report.html')); // the report cannot be written over a folder
    const failed = await exp(...base(), '--run-id', 'late');
    expect(failed.code).toBe(1);
    expect(failed.err.split('\n')).toHaveLength(1);
    const m = readManifest(dir) as unknown as { status: string; error: string; finished: string };
    expect(m.status).toBe('failed');
    expect(m.error).toMatch(/report\.html/);
    expect(m.error).not.toContain('\n');
    expect(failed.err).toContain(m.error);
    rmdirSync(path.join(dir, 'report.html'));
    const again = await exp(...base(), '--run-id', 'late');
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    expect(again.out).toContain('run late: continuing');
    expect(again.out).toContain('zero-shot: tiny-llama clean: 2 samples already logged');
    const after = readManifest(dir) as unknown as Record<string, unknown>;
    expect(after.status).toBe('finished');
    expect(after.error).toBeUndefined();
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('- status: finished');

    // every invocation keeps its own timings; `timings` holds their sums
    const { attempts, timings } = after as { attempts: Attempt[]; timings: Record<string, number> };
    expect(attempts.map((a) => a.status)).toEqual(['finished', 'failed', 'finished']);
    for (const a of attempts) {
      expect(a.finished! >= a.started).toBe(true);
      const steps = ['data_ms', 'knockout_ms', 'likelihood_ms'];
      expect(Object.keys(a.timings).sort()).toEqual(
        a === attempts[2] ? [...steps, 'report_ms', 'zero_shot_ms'] : [...steps, 'zero_shot_ms'],
      );
    }
    expect(attempts[1].finished).toBe(m.finished);
    expect(attempts[0].started).toBe(after.started);
    expect(attempts[2].started).toBe((after.resumed_at as string[])[1]);
    const sum = (k: string) => attempts.reduce((t, a) => t + (a.timings[k] ?? 0), 0);
    expect(timings).toEqual({
      data_ms: sum('data_ms'),
      zero_shot_ms: sum('zero_shot_ms'),
      likelihood_ms: sum('likelihood_ms'),
      knockout_ms: sum('knockout_ms'),
      report_ms: attempts[2].timings.report_ms,
    });
    expect(timings.zero_shot_ms).toBeGreaterThan(attempts[2].timings.zero_shot_ms);
  }, 120_000);

  test('a rerun with other options names every difference; --resume continues with the recorded ones', async () => {
    const first = await exp(...base(), '--skip-report', '--run-id', 'opts');
    expect(first.code).toBe(0);
    const dir = path.join(env.results, 'opts');
    const recorded = readManifest(dir).options;
    const retyped = await exp('run', '--models', 'tiny-llama', '--seed', '7', '--run-id', 'opts');
    expect(retyped.code).toBe(2);
    expect(retyped.err).toBe(
      "error: run opts: options differ from the run's: --datasets is clean,inf,rcs,sd (run: clean); --max-samples is unset (run: 2); --seed is 7 (run: 42); --skip-attention is false (run: true); --skip-sft is false (run: true); " +
        `--task is unset (run: ${env.task}); use --resume opts to continue it as started, or a new --run-id`,
    );
    const mixed = await exp('run', '--resume', 'opts', '--seed', '7', '--max-samples', '3');
    expect(mixed.code).toBe(2);
    expect(mixed.err).toBe(
      "error: --resume opts: --seed, --max-samples cannot be given with --resume (the run's options come from its manifest; only --out, --threads, --batch-size, --save-total-limit, --skip-report may be; a new --run-id starts a run with other options)",
    );
    const missing = await exp('run', '--resume', 'no-such-run');
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(
      `error: --resume no-such-run: no run there (${path.join(env.results, 'no-such-run', 'manifest.json')} not found; --out names the folder of run folders)`,
    );
    expect(existsSync(path.join(env.results, 'no-such-run'))).toBe(false);

    const resumed = await exp('run', '--resume', 'opts', '--batch-size', '1', '--skip-report');
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('run opts: continuing');
    expect(resumed.out).toContain('zero-shot: tiny-llama clean: 2 samples already logged');
    const m = readManifest(dir);
    expect(m.status).toBe('finished');
    expect(m.operational.batchSize).toBe(1);
    const measured = (o: Record<string, unknown>) => {
      const { batchSize: _b, resume: _r, ...rest } = o;
      return rest;
    };
    expect(measured(m.options)).toEqual(measured(recorded));
  }, 120_000);
});
