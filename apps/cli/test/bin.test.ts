// `exp` is the workspace's bin (apps/cli's dist/main.js, linked into node_modules/.bin by the
// root's dependency on @exp/cli): `pnpm exp` runs the built CLI, and its errors come alone, with
// no pnpm ELIFECYCLE line after them (pnpm runs a bin, not a failing script).
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliVersion } from '../src/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function pnpm(...args: string[]) {
  const r = spawnSync('pnpm', args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('pnpm exp', () => {
  test('runs the built CLI', () => {
    expect(pnpm('exp', '--version')).toEqual({ code: 0, out: `exp ${cliVersion()}\n`, err: '' });
  });

  test('an error is one line and the exit code, nothing from pnpm', () => {
    expect(pnpm('exp', 'nosuch')).toEqual({
      code: 2,
      out: '',
      err: "error: unknown command 'nosuch' (commands: data, noise, models, run, eval, report, sft, doctor, setup)\n",
    });
  });
});
