// Bad input of the data commands (see case.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BadInputCase, CaseContext } from './case.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const inTmp = (c: CaseContext, ...p: string[]): string => path.join(c.tmp, ...p);
/** A generated noisy set already in data/ (what `exp noise generate` would have written). */
const generated = (c: CaseContext): string => inTmp(c, 'data', 'gsm8k_inf_test.jsonl');
const writeIn = (c: CaseContext, name: string, content: string | Uint8Array): void => {
  mkdirSync(path.dirname(inTmp(c, name)), { recursive: true });
  writeFileSync(inTmp(c, name), content);
};
/** A one-record benchmark in fields q (question) and a (worked solution). */
export const SMALL = '{"q":"What is 1 + 1?","a":"1 + 1 = 2\\n#### 2"}\n';
/** `data import <file> --name <name>` of a q/a benchmark file. */
export const importArgs = (file: string, name: string, ...extra: string[]): string[] => [
  'data',
  'import',
  file,
  '--name',
  name,
  '--question',
  'q',
  '--answer',
  'a',
  ...extra,
];

export const DATA_CASES: readonly BadInputCase[] = [
  {
    name: 'data import <mistyped path>',
    args: () => ['data', 'import', 'no-such-file.jsonl'],
    code: 1,
    stderr: /^error: \/.*\/no-such-file\.jsonl: no such file or folder$/,
  },
  {
    name: 'data import <mistyped path> --name x (the path is checked first)',
    args: () => ['data', 'import', 'no-such-file.jsonl', '--name', 'x', '--question', 'q'],
    code: 1,
    stderr: /^error: \/.*\/no-such-file\.jsonl: no such file or folder$/,
    absent: (c) => [inTmp(c, 'data', 'x.jsonl')],
  },
  {
    name: 'data import <a folder without GSM8K files>',
    setup: (c) => writeIn(c, 'folder/notes.txt', 'not GSM8K\n'),
    args: (c) => ['data', 'import', inTmp(c, 'folder')],
    code: 1,
    stderr:
      /^error: \/.*\/folder: not a GSM8K folder \(no train\.jsonl or test\.jsonl .*give its JSON or JSONL file$/,
    absent: (c) => [inTmp(c, 'data', 'gsm8k')],
  },
  {
    name: 'data import <empty file>',
    setup: (c) => writeIn(c, 'empty.jsonl', ''),
    args: (c) => importArgs(inTmp(c, 'empty.jsonl'), 'e'),
    code: 1,
    stderr: /^error: \/.*\/empty\.jsonl: empty file \(no records\)$/,
    absent: (c) => [inTmp(c, 'data', 'e.jsonl')],
  },
  {
    name: 'data import <binary file>',
    setup: (c) =>
      writeIn(
        c,
        'binary.jsonl',
        Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff]),
      ),
    args: (c) => importArgs(inTmp(c, 'binary.jsonl'), 'b'),
    code: 1,
    stderr: /^error: \/.*\/binary\.jsonl:1: binary data \(a NUL byte\), expected UTF-8 text$/,
    untouched: (c) => [inTmp(c, 'binary.jsonl')],
    absent: (c) => [inTmp(c, 'data', 'b.jsonl')],
  },
  {
    name: 'data import <JSONL with a bad line> (file:line and field)',
    setup: (c) => writeIn(c, 'bad.jsonl', `${SMALL}{"q":"What is 2 + 2?","a":4}\n`),
    args: (c) => importArgs(inTmp(c, 'bad.jsonl'), 'b'),
    code: 1,
    stderr: /^error: \/.*\/bad\.jsonl:2: a: expected a string, got 4$/,
    absent: (c) => [inTmp(c, 'data', 'b.jsonl')],
  },
  {
    name: 'data import <JSONL with a line that is not JSON> (file:line)',
    setup: (c) => writeIn(c, 'broken.jsonl', `${SMALL}{"q": oops\n`),
    args: (c) => importArgs(inTmp(c, 'broken.jsonl'), 'b'),
    code: 1,
    stderr: /^error: \/.*\/broken\.jsonl:2: invalid JSON \(/,
    absent: (c) => [inTmp(c, 'data', 'b.jsonl')],
  },
  {
    name: 'data import --name gsm8k_inf_test (a generated noisy set) without --force',
    setup: (c) => {
      writeIn(c, 'small.jsonl', SMALL);
      writeIn(c, 'data/gsm8k_inf_test.jsonl', '{"id":"gsm8k-test-0","question":"generated"}\n');
    },
    args: (c) => importArgs(inTmp(c, 'small.jsonl'), 'gsm8k_inf_test'),
    code: 2,
    stderr: new RegExp(
      `^${esc('error: --name gsm8k_inf_test: names a generated noisy set (noise inf on GSM8K test')}.*; pass --force to overwrite it$`,
    ),
    untouched: (c) => [generated(c)],
  },
  {
    name: 'data import --name gsm8k-train_sd-k2-late (generated from GSM8K train)',
    setup: (c) => writeIn(c, 'small.jsonl', SMALL),
    args: (c) => importArgs(inTmp(c, 'small.jsonl'), 'gsm8k-train_sd-k2-late'),
    code: 2,
    stderr:
      /^error: --name gsm8k-train_sd-k2-late: names a generated noisy set \(noise sd-k2-late on GSM8K train.*; pass --force to overwrite it$/,
    absent: (c) => [inTmp(c, 'data', 'gsm8k-train_sd-k2-late.jsonl')],
  },
  {
    name: 'data import --name mine_rcs --original q (a generated noisy copy of another set)',
    setup: (c) => writeIn(c, 'small.jsonl', SMALL),
    args: (c) => importArgs(inTmp(c, 'small.jsonl'), 'mine_rcs', '--original', 'q'),
    code: 2,
    stderr:
      /^error: --name mine_rcs: names a generated noisy set \(noise rcs on the set mine.*; pass --force to overwrite it$/,
    absent: (c) => [inTmp(c, 'data', 'mine_rcs.jsonl')],
  },
];
