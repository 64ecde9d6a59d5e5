// The bad-input suite: every row of test/bad-input/cases-*.ts runs the built CLI as a subprocess
// and must exit with its documented code, print exactly one stderr line that matches (naming the
// culprit), no stack trace, leave the files it was given untouched and no partial output behind.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAIN, SHARED, type BadInputCase, type CaseContext } from './bad-input/case.js';
import { CASES } from './bad-input/cases.js';

function run(c: BadInputCase, ctx: CaseContext) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EXP_DATA_DIR: path.join(ctx.tmp, 'data'),
    EXP_RESULTS_DIR: path.join(ctx.tmp, 'results'),
    EXP_MODELS_DIR: path.join(ctx.tmp, 'models'),
    EXP_GSM8K_DIR: ctx.gsm8k,
    HF_HOME: path.join(ctx.tmp, 'hf'),
    HF_HUB_OFFLINE: '1',
    NO_COLOR: '1',
    ...(c.env?.(ctx) ?? {}),
  };
  delete env.HF_HUB_CACHE;
  delete env.HF_ENDPOINT;
  return spawnSync(process.execPath, [MAIN, ...c.args(ctx)], {
    cwd: ctx.tmp,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('bad input: one line, the documented exit code, nothing corrupted', () => {
  test('the suite has cases and the CLI is built', () => {
    expect(existsSync(MAIN)).toBe(true); // `pnpm build` first (pnpm test does)
    expect(CASES.length).toBeGreaterThan(0);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'exp-bad-'));
    const ctx: CaseContext = {
      tmp,
      shared: SHARED,
      gsm8k: path.join(SHARED, 'data/gsm8k'),
      golden: path.join(SHARED, 'golden'),
    };
    try {
      c.setup?.(ctx);
      const before = (c.untouched?.(ctx) ?? []).map((f) => [f, readFileSync(f)] as const);
      const r = run(c, ctx);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect({ code: r.status, stderr: lines }).toEqual({
        code: c.code,
        stderr: [expect.stringMatching(c.stderr)],
      });
      expect(r.stderr).not.toMatch(/^\s+at /m);
      for (const [f, bytes] of before) expect(readFileSync(f).equals(bytes)).toBe(true);
      for (const p of c.absent?.(ctx) ?? []) expect(existsSync(p)).toBe(false);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
