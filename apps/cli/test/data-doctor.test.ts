// Positive checks of the data and doctor commands against the built CLI (dist/main.js): a GSM8K
// copy with other bytes (CRLF line ends) is used with one warning and doctor names it, --force
// replaces a generated set, doctor accepts the pnpm versions the workspace supports.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAIN } from './bad-input/case.js';
import { SMALL, importArgs } from './bad-input/cases-data.js';
import { GSM8K_DIR } from './helpers.js';
import { nodeCheck } from '../src/commands/doctor.js';

const OFFICIAL = {
  test: '3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14',
  train: '17f347dc51477c50d4efb83959dbb7c56297aba886e5544ee2aaed3024813465',
};
const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

let tmp: string;
/** The shared GSM8K copy with CRLF line ends: the same records, other bytes. Built here, never committed. */
let crlf: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'exp-data-doctor-'));
  crlf = path.join(tmp, 'gsm8k-crlf');
  mkdirSync(crlf);
  for (const split of ['train', 'test']) {
    const text = readFileSync(path.join(GSM8K_DIR, `${split}.jsonl`), 'utf8');
    writeFileSync(path.join(crlf, `${split}.jsonl`), text.replace(/\n/g, '\r\n'));
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the built CLI in a fresh folder (data, results, models inside it). */
function exp(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmp, 'run-'));
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      EXP_DATA_DIR: path.join(dir, 'data'),
      EXP_RESULTS_DIR: path.join(dir, 'results'),
      EXP_MODELS_DIR: path.join(dir, 'models'),
      EXP_GSM8K_DIR: GSM8K_DIR,
      HF_HUB_OFFLINE: '1',
      NO_COLOR: '1',
      ...env,
    },
  });
  const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
  return { code: r.status, out: lines(r.stdout), err: lines(r.stderr), dir };
}

describe('EXP_GSM8K_DIR at a copy with other bytes (CRLF line ends)', () => {
  test('is used, with one warning naming the file, its sha256 and the official one', () => {
    const r = exp(['noise', 'generate', '--types', 'inf,rcs'], { EXP_GSM8K_DIR: crlf });
    const file = path.join(crlf, 'test.jsonl');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([
      `warning: ${file}: GSM8K test copy with other bytes than the official file (sha256 ${sha256(file)}, official ${OFFICIAL.test}); results may not compare with other runs (\`exp data import\` would refuse it)`,
    ]);
    expect(existsSync(path.join(r.dir, 'data/gsm8k_inf_test.jsonl'))).toBe(true);
  });

  test('the official copy gives no warning', () => {
    const r = exp(['noise', 'generate', '--types', 'inf']);
    expect(r).toMatchObject({ code: 0, err: [] });
  });

  test('exp data import refuses it by sha256', () => {
    const r = exp(['data', 'import', crlf]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      expect.stringMatching(/^error: .*train\.jsonl: wrong sha256: expected /),
    ]);
  });

  test('exp doctor says it differs, and that the official copy matches', () => {
    const r = exp(['doctor', '--quick'], { EXP_GSM8K_DIR: crlf });
    const hash = (split: 'test' | 'train') => sha256(path.join(crlf, `${split}.jsonl`));
    expect(r.out).toContain(
      `warn  gsm8k sha256       GSM8K copy at ${crlf}: test.jsonl sha256 differs (${hash('test')}, official ${OFFICIAL.test}); train.jsonl sha256 differs (${hash('train')}, official ${OFFICIAL.train})`,
    );
    expect(r.err.filter((l) => l.startsWith('warning:'))).toEqual([]);
    const ok = exp(['doctor', '--quick']);
    expect(ok.out).toContain(
      `ok    gsm8k sha256       GSM8K copy at ${GSM8K_DIR}: test.jsonl sha256 matches the official; train.jsonl sha256 matches the official`,
    );
  });
});

describe('exp data import --name <a generated set> --force', () => {
  test('replaces the set and drops the generator manifest that described the old file', () => {
    const dir = mkdtempSync(path.join(tmp, 'force-'));
    const data = path.join(dir, 'data');
    mkdirSync(data);
    const target = path.join(data, 'gsm8k_inf_test.jsonl');
    writeFileSync(target, '{"id":"gsm8k-test-0","question":"generated"}\n');
    writeFileSync(path.join(data, 'gsm8k_inf_test.manifest.json'), '{"seed":1}\n');
    const input = path.join(dir, 'small.jsonl');
    writeFileSync(input, SMALL);
    const args = importArgs(input, 'gsm8k_inf_test');
    const refused = exp(args, { EXP_DATA_DIR: data });
    expect(refused.code).toBe(2);
    const r = exp([...args, '--force'], { EXP_DATA_DIR: data });
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toBe(`gsm8k_inf_test ${target} 1 records`);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({
      id: 'gsm8k_inf_test-0',
      question: 'What is 1 + 1?',
      answer: '1 + 1 = 2\n#### 2',
      final: '2',
    });
    expect(existsSync(path.join(data, 'gsm8k_inf_test.manifest.json'))).toBe(false);
  });
});

describe('exp doctor: pnpm', () => {
  /** PATH with a fake `pnpm` that prints the given version first. */
  const fakePnpm = (version: string): Record<string, string> => {
    const bin = mkdtempSync(path.join(tmp, 'bin-'));
    writeFileSync(path.join(bin, 'pnpm'), `#!/bin/sh\necho ${version}\n`);
    chmodSync(path.join(bin, 'pnpm'), 0o755);
    return { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
  };
  const pnpmLine = (out: string[]) => out.find((l) => /^\S+\s+pnpm\s/.test(l));

  test.each(['12.4.2', '12.21.0', '12.5.0'])('accepts %s and states the supported range', (v) => {
    const r = exp(['doctor', '--quick'], fakePnpm(v));
    expect(pnpmLine(r.out)).toBe(
      `ok    pnpm               ${v} (supported >=12.4.2 <13; the lockfile was made with 12.4.2)`,
    );
    expect(r.code).toBe(0);
  });

  test.each(['12.4.1', '11.9.0', '13.0.0'])('fails %s', (v) => {
    const r = exp(['doctor', '--quick'], fakePnpm(v));
    expect(pnpmLine(r.out)).toBe(
      `FAIL  pnpm               ${v} (need >=12.4.2 <13: npm install -g pnpm@12.4.2)`,
    );
    expect(r.code).toBe(1);
  });
});

describe('exp doctor: node', () => {
  test.each([
    ['24.21.0', true],
    ['22.0.0', true],
    ['20.20.2', false],
  ])('%s: ok %s', (version, ok) => {
    expect(nodeCheck(version)).toEqual({
      name: 'node',
      ok,
      detail: ok
        ? `v${version}`
        : `v${version} (need 22 or later: the LTS lines 22 and 24; npm install node@24 ships a binary)`,
    });
  });
});
