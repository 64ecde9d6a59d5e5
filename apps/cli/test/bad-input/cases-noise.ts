// Bad input of the noise commands (see case.ts).
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BadInputCase, CaseContext } from './case.js';

/** `<tmp>/<rel>` (the case's own folder). */
const at = (c: CaseContext, rel: string): string => path.join(c.tmp, rel);
/** The files a finished `noise generate --out <out>` would have written (none may be left). */
const outputsIn = (out: string): string[] =>
  ['inf', 'rcs', 'sd'].flatMap((t) => [
    path.join(out, `gsm8k_${t}_test.jsonl`),
    path.join(out, `gsm8k_${t}_test.manifest.json`),
  ]);
/** Outputs of `--input <tmp>/<base>.<ext>`: `<data>/<base>_<type>.jsonl`. */
const namedOutputs = (c: CaseContext, base: string): string[] =>
  ['inf', 'rcs', 'sd'].map((t) => at(c, `data/${base}_${t}.jsonl`));

/**
 * Whether a folder with mode 555 refuses this process's writes (not as root, which writes
 * anyway): the unwritable --out row only runs where it can mean something.
 */
function readOnlyFoldersRefuse(): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'exp-ro-'));
  try {
    chmodSync(dir, 0o555);
    accessSync(dir, constants.W_OK);
    return false;
  } catch {
    return true;
  } finally {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
}

const UNWRITABLE: BadInputCase[] = readOnlyFoldersRefuse()
  ? [
      {
        name: 'noise generate --out <a read-only folder> (names the folder, not a temp file)',
        setup: (c) => {
          mkdirSync(at(c, 'ro'));
          chmodSync(at(c, 'ro'), 0o555);
        },
        args: (c) => ['noise', 'generate', '--out', at(c, 'ro/out')],
        code: 1,
        stderr:
          /^error: --out \/.*\/ro\/out: folder \/.*\/ro is not writable, expected a writable folder$/,
        absent: (c) => [at(c, 'ro/out')],
      },
    ]
  : [];

export const NOISE_CASES: readonly BadInputCase[] = [
  {
    name: 'noise generate --input <a folder>',
    setup: (c) => mkdirSync(at(c, 'in.jsonl')),
    args: (c) => ['noise', 'generate', '--input', at(c, 'in.jsonl')],
    code: 1,
    stderr: /^error: \/.*\/in\.jsonl: is a folder, expected a JSONL file$/,
    absent: (c) => namedOutputs(c, 'in'),
  },
  {
    name: 'noise generate --input <missing file>',
    args: (c) => ['noise', 'generate', '--input', at(c, 'nope.jsonl')],
    code: 1,
    stderr: /^error: \/.*\/nope\.jsonl: file not found$/,
    absent: (c) => namedOutputs(c, 'nope'),
  },
  {
    name: 'noise generate --input <empty file>',
    setup: (c) => writeFileSync(at(c, 'empty.jsonl'), ''),
    args: (c) => ['noise', 'generate', '--input', at(c, 'empty.jsonl')],
    code: 1,
    stderr: /^error: \/.*\/empty\.jsonl: no records \(expected one JSON object per line\)$/,
    untouched: (c) => [at(c, 'empty.jsonl')],
    absent: (c) => namedOutputs(c, 'empty'),
  },
  {
    name: 'noise generate --input <binary garbage>',
    setup: (c) =>
      writeFileSync(
        at(c, 'garbage.jsonl'),
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x0a, 0x80]),
      ),
    args: (c) => ['noise', 'generate', '--input', at(c, 'garbage.jsonl')],
    code: 1,
    stderr: /^error: \/.*\/garbage\.jsonl: binary data \(not UTF-8 text\), expected a JSONL file/,
    untouched: (c) => [at(c, 'garbage.jsonl')],
    absent: (c) => namedOutputs(c, 'garbage'),
  },
  {
    name: 'noise generate --input <text with NUL bytes>',
    setup: (c) => writeFileSync(at(c, 'nul.jsonl'), 'abc\u0000\u0000def\n'),
    args: (c) => ['noise', 'generate', '--input', at(c, 'nul.jsonl')],
    code: 1,
    stderr: /^error: \/.*\/nul\.jsonl: binary data \(NUL bytes\), expected a JSONL file/,
    absent: (c) => namedOutputs(c, 'nul'),
  },
  {
    name: 'noise generate --out <a file>',
    setup: (c) => writeFileSync(at(c, 'out.txt'), 'keep me\n'),
    args: (c) => ['noise', 'generate', '--out', at(c, 'out.txt')],
    code: 1,
    stderr: /^error: --out \/.*\/out\.txt: is a file, expected a folder$/,
    untouched: (c) => [at(c, 'out.txt')],
  },
  {
    name: 'noise generate --out <a path under a file>',
    setup: (c) => writeFileSync(at(c, 'out.txt'), 'keep me\n'),
    args: (c) => ['noise', 'generate', '--out', at(c, 'out.txt/sets')],
    code: 1,
    stderr: /^error: --out \/.*\/out\.txt\/sets: \/.*\/out\.txt is a file, expected a folder$/,
    untouched: (c) => [at(c, 'out.txt')],
  },
  ...UNWRITABLE,
  {
    name: 'noise generate --types inf,bogus (unknown noise type)',
    args: (c) => ['noise', 'generate', '--types', 'inf,bogus', '--out', at(c, 'sets')],
    code: 2,
    stderr: /^error: --types: unknown noise type 'bogus' \(known: inf, rcs, sd, mix\)$/,
    absent: (c) => [at(c, 'sets'), ...outputsIn(at(c, 'data'))],
  },
  {
    name: 'noise sweep --positions early,soon (unknown position)',
    args: (c) => ['noise', 'sweep', '--positions', 'early,soon', '--out', at(c, 'sets')],
    code: 2,
    stderr:
      /^error: --positions: expected one of random, early, middle, late, before-question, got "soon"$/,
    absent: (c) => [at(c, 'sets')],
  },
  {
    name: 'noise generate --sentences abc (not a count)',
    args: (c) => ['noise', 'generate', '--input', `${c.gsm8k}/test.jsonl`, '--sentences', 'abc'],
    code: 2,
    stderr: /^error: --sentences: expected a positive integer, got "abc"$/,
    absent: (c) => [`${c.tmp}/data`],
  },
];
