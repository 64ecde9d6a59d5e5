import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { GSM8K_TEST, ORIGINAL_TEMPLATES, tmpDir } from './shared.js';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = createRequire(path.join(PKG, 'package.json')).resolve('tsx/cli');
const SCRIPT = (
  JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts.generate!;

/** Runs the generate script the way `pnpm -F @exp/noise generate` does (tsx from source). */
function generate(...args: string[]) {
  const [tsx, ...scriptArgs] = SCRIPT.split(' ');
  expect(tsx).toBe('tsx');
  const r = spawnSync(process.execPath, [TSX, ...scriptArgs, ...args], {
    cwd: PKG,
    encoding: 'utf8',
    env: { ...process.env, INIT_CWD: PKG, NODE_OPTIONS: '', EXP_PROGRESS: 'never' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('generate script', () => {
  it("is the package's own script on its API, not the app above it (apps/cli)", () => {
    expect(SCRIPT).toBe('tsx scripts/generate.ts');
    expect(existsSync(path.join(PKG, 'src/bin'))).toBe(false);
    expect(readFileSync(path.join(PKG, 'scripts/generate.ts'), 'utf8')).not.toMatch(
      /from '[^']*apps\//,
    );
    const r = generate('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^exp noise generate\n/);
    expect(r.stdout).toContain('--templates');
  });

  it('rejects an unknown option with one line and exit code 2', () => {
    const r = generate('--bogus');
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^error: --bogus: unknown option[^\n]*\n$/);
  });
  it('writes the files and prints one line per file', () => {
    const out = tmpDir('bin');
    const r = generate(
      '--input',
      GSM8K_TEST,
      '--out',
      out,
      '--seed',
      '9',
      '--types',
      'sd,rcs',
      '--templates',
      ORIGINAL_TEMPLATES,
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(' ').slice(0, 4))).toEqual([
      ['sd', path.join(out, 'gsm8k_sd_test.jsonl'), '1319', 'records'],
      ['rcs', path.join(out, 'gsm8k_rcs_test.jsonl'), '1319', 'records'],
    ]);
    expect(r.stderr).toBe(''); // not a TTY: no progress line
    const first = JSON.parse(
      readFileSync(path.join(out, 'gsm8k_rcs_test.jsonl'), 'utf8').split('\n')[0],
    );
    expect(first.seed).toBe(9);
  });
});
