import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseGoldAnswer } from './answer.js';
import { DataError } from './errors.js';
import { hashFileSync } from './hash.js';
import { readJsonl } from './jsonl.js';
import { dataDir, resolveUserPath } from './paths.js';
import { Gsm8kRecordSchema, type Problem } from './problem.js';

export type Gsm8kSplit = 'train' | 'test';
export const GSM8K_SPLITS: readonly Gsm8kSplit[] = ['train', 'test'];

/** Official files of openai/grade-school-math, with their sha256 and record counts. */
export const GSM8K_FILES: Record<
  Gsm8kSplit,
  { path: string; sha256: string; bytes: number; records: number }
> = {
  train: {
    path: 'grade_school_math/data/train.jsonl',
    sha256: '17f347dc51477c50d4efb83959dbb7c56297aba886e5544ee2aaed3024813465',
    bytes: 4166206,
    records: 7473,
  },
  test: {
    path: 'grade_school_math/data/test.jsonl',
    sha256: '3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14',
    bytes: 749738,
    records: 1319,
  },
};

/** Where the pulled GSM8K files are cached: `data/gsm8k/{train,test}.jsonl`. */
export function gsm8kCacheDir(): string {
  return path.join(dataDir(), 'gsm8k');
}

/**
 * The folder GSM8K is read from: an explicit folder, else EXP_GSM8K_DIR (offline users point it
 * at a folder holding the official train.jsonl and test.jsonl), else the `exp data pull` cache.
 */
export function gsm8kDir(explicit?: string): string {
  if (explicit) return resolveUserPath(explicit);
  if (process.env.EXP_GSM8K_DIR) return resolveUserPath(process.env.EXP_GSM8K_DIR);
  return gsm8kCacheDir();
}

export function gsm8kFile(split: Gsm8kSplit, dir?: string): string {
  const file = path.join(gsm8kDir(dir), `${split}.jsonl`);
  if (!existsSync(file)) {
    throw new DataError(
      `${file}: GSM8K ${split} split not found; run \`pnpm exp data pull\` or set EXP_GSM8K_DIR to a folder with train.jsonl and test.jsonl`,
    );
  }
  warnIfUnofficial(split, file);
  return file;
}

/** How a GSM8K file in use compares with the official one (`exp data import` accepts only that). */
export interface Gsm8kCopyCheck {
  split: Gsm8kSplit;
  file: string;
  sha256: string;
  /** sha256 of the official file (GSM8K_FILES). */
  officialSha256: string;
  official: boolean;
}

/** Hashes one split of a GSM8K folder (default: the one in use) against the official sha256. */
export function checkGsm8kCopy(split: Gsm8kSplit, dir?: string): Gsm8kCopyCheck {
  const file = path.join(gsm8kDir(dir), `${split}.jsonl`);
  if (!existsSync(file)) {
    throw new DataError(`${file}: GSM8K ${split} split not found`);
  }
  const sha256 = hashFileSync(file);
  const officialSha256 = GSM8K_FILES[split].sha256;
  return { split, file, sha256, officialSha256, official: sha256 === officialSha256 };
}

/** The one-line warning about a GSM8K file whose bytes are not the official ones. */
export function unofficialGsm8kMessage(c: Gsm8kCopyCheck): string {
  return `${c.file}: GSM8K ${c.split} copy with other bytes than the official file (sha256 ${c.sha256}, official ${c.officialSha256}); results may not compare with other runs (\`exp data import\` would refuse it)`;
}

/** Receives warnings of this package (one line each); none is printed unless one is set. */
export type DataWarningHandler = (message: string) => void;
let warningHandler: DataWarningHandler | null = null;
const warnedFiles = new Set<string>();

/**
 * Sets (or, with null, removes) the receiver of this package's warnings, e.g. a CLI printing
 * `warning: ...` to stderr. Without one nothing is checked or printed. With one, every GSM8K file
 * `gsm8kFile` hands out is hashed once per process and one warning names a file with other bytes
 * than the official one. Returns the handler it replaced.
 */
export function setDataWarningHandler(
  handler: DataWarningHandler | null,
): DataWarningHandler | null {
  const before = warningHandler;
  warningHandler = handler;
  return before;
}

function warnIfUnofficial(split: Gsm8kSplit, file: string): void {
  if (!warningHandler || warnedFiles.has(file)) return;
  warnedFiles.add(file);
  const check = checkGsm8kCopy(split, path.dirname(file));
  if (!check.official) warningHandler(unofficialGsm8kMessage(check));
}

/** Problems of a GSM8K-format JSONL file; ids are `<prefix>-<line index>`. */
export function loadGsm8kFile(file: string, idPrefix: string): Problem[] {
  const records = readJsonl(file, Gsm8kRecordSchema);
  return records.map((r, i) => {
    const final = parseGoldAnswer(r.answer);
    if (final === null) {
      throw new DataError(`${file}: record ${i + 1}: answer: expected a number after "####"`);
    }
    return { id: `${idPrefix}-${i}`, question: r.question, answer: r.answer, final };
  });
}

/** Loads one GSM8K split (ids `gsm8k-test-0` ...). */
export function loadGsm8k(split: Gsm8kSplit, opts: { dir?: string } = {}): Problem[] {
  return loadGsm8kFile(gsm8kFile(split, opts.dir), `gsm8k-${split}`);
}
