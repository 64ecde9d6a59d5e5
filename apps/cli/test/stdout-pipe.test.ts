// Output written to a pipe whose reader is slower than the CLI: libuv queues what the pipe does
// not take at once, and exiting without waiting for that queue once delivered 97 to 1,094 of
// 6,595 lines to `| wc -l`. Each command here runs twice from a shell, its stdout once to a file
// and once through `(sleep 1; cat)`: both must hold the same bytes, with the same exit code.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAIN } from './bad-input/case.js';
import { GSM8K_DIR } from './helpers.js';

let dir = '';
/** GSM8K train's 7,473 solutions as completions with their gold answers (~5 MB out). */
let completions = '';
/** The same lines, then one that is not JSON (nothing is written then). */
let broken = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-pipe-'));
  const lines = readFileSync(path.join(GSM8K_DIR, 'train.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => {
      const { answer } = JSON.parse(l) as { answer: string };
      return JSON.stringify({ completion: answer, gold: answer.split('#### ').at(-1) });
    });
  expect(lines).toHaveLength(7473);
  completions = path.join(dir, 'completions.jsonl');
  writeFileSync(completions, lines.join('\n') + '\n');
  broken = path.join(dir, 'broken.jsonl');
  writeFileSync(broken, lines.join('\n') + '\n{"completion": \n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** stdout, stderr and exit code of `node main.js ARGS [< stdin]`, stdout sent through `sink`. */
function shell(args: string[], sink: string, stdin?: string) {
  const out = path.join(dir, 'out.txt');
  const cmd = [process.execPath, MAIN, ...args].map(quote).join(' ');
  const from = stdin ? ` < ${quote(stdin)}` : '';
  const r = spawnSync(
    'bash',
    ['-c', `${cmd}${from} ${sink} ${quote(out)}; exit \${PIPESTATUS[0]}`],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status, out: readFileSync(out, 'utf8'), err: r.stderr };
}

// (every row names its input, '' for none: jest takes a missing last argument for `done`)
const CASES: [string, string[], '' | 'stdin' | 'broken'][] = [
  ['eval extract --input FILE', ['eval', 'extract', '--extractor', 'strict', '--input'], ''],
  ['eval extract from stdin', ['eval', 'extract', '--extractor', 'lm-eval-flexible'], 'stdin'],
  [
    'eval extract, a bad last line',
    ['eval', 'extract', '--extractor', 'seed', '--input'],
    'broken',
  ],
  ['--help', ['--help'], ''],
  ['run --help', ['run', '--help'], ''],
];

describe('every line reaches a slow reader of a pipe', () => {
  test.each(CASES)('%s', (_, args, input) => {
    const full = input === 'stdin' || !args.includes('--input') ? args : [...args, completions];
    const argv = input === 'broken' ? [...args, broken] : full;
    const stdin = input === 'stdin' ? completions : undefined;
    const toFile = shell(argv, '>', stdin);
    const piped = shell(argv, '| (sleep 1; cat) >', stdin);
    expect(piped.code).toBe(toFile.code);
    expect(piped.err).toBe(toFile.err);
    expect(piped.out.length).toBe(toFile.out.length);
    expect(piped.out === toFile.out).toBe(true);
    if (input === 'broken') {
      // checked before any output: nothing on stdout, one line naming the file and line
      expect([toFile.code, toFile.out]).toEqual([1, '']);
      // (the JSON parser's own words vary with the Node version)
      const where = `error: ${broken}:7474: invalid JSON (`;
      expect(toFile.err.startsWith(where) && toFile.err.endsWith(')\n')).toBe(true);
      expect(toFile.err.split('\n')).toHaveLength(2);
    } else if (args[0] === 'eval') {
      expect(toFile.code).toBe(0);
      expect(toFile.out.split('\n').length - 1).toBe(7473);
    }
  });
});
