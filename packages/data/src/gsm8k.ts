import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseGoldAnswer } from './answer.js';
import { DataError } from './errors.js';
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
  return file;
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
