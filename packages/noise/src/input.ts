import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  DatasetNameSchema,
  GSM8K_FILES,
  Gsm8kRecordSchema,
  ProblemSchema,
  formatIssue,
  gsm8kFile,
  jsonlValues,
  parseGoldAnswer,
  hashFileSync,
  type Problem,
} from '@exp/data';
import { NoiseError } from './errors.js';

/** The set being noised: its problems and the name its noisy copies are filed under. */
export interface NoiseInput {
  file: string;
  sha256: string;
  /** Dataset name: `gsm8k` for the GSM8K test split, else `--name` or the file's base name. */
  name: string;
  /** True for the GSM8K test split, whose noisy copies keep the canonical `gsm8k_<type>_test.jsonl`. */
  canonical: boolean;
  problems: Problem[];
}

/** GSM8K-format records get ids `<prefix>-<line index>`; records with an `id` keep it. */
function parseProblems(text: string, file: string, idPrefix: string): Problem[] {
  const rows = jsonlValues(text, file);
  if (rows.length === 0) {
    throw new NoiseError(`${file}: no records (expected one JSON object per line)`);
  }
  const first = rows[0]!.value as { id?: unknown };
  const withIds = typeof first === 'object' && first !== null && typeof first.id === 'string';
  const seen = new Map<string, number>();
  return rows.map(({ line, value }, i) => {
    const where = `${file}:${line}`;
    let problem: Problem;
    if (withIds) {
      const parsed = ProblemSchema.safeParse(value);
      if (!parsed.success) throw new NoiseError(`${where}: ${formatIssue(parsed.error.issues[0])}`);
      problem = parsed.data;
    } else {
      const parsed = Gsm8kRecordSchema.safeParse(value);
      if (!parsed.success) throw new NoiseError(`${where}: ${formatIssue(parsed.error.issues[0])}`);
      const final = parseGoldAnswer(parsed.data.answer);
      if (final === null) throw new NoiseError(`${where}: answer: expected a number after "####"`);
      problem = {
        id: `${idPrefix}-${i}`,
        question: parsed.data.question,
        answer: parsed.data.answer,
        final,
      };
    }
    if (problem.question.trim() === '') {
      throw new NoiseError(`${where}: question: expected some text, got only whitespace`);
    }
    const dup = seen.get(problem.id);
    if (dup !== undefined) {
      throw new NoiseError(`${where}: id: duplicate id "${problem.id}" (first at line ${dup})`);
    }
    seen.set(problem.id, line);
    return problem;
  });
}

/**
 * The input's text; a missing file, a folder, an unreadable file or binary data (not UTF-8, NUL
 * bytes) is one line naming the file and what was expected.
 */
function readInputText(file: string): string {
  const fail = (what: string): never => {
    throw new NoiseError(`${file}: ${what}`);
  };
  let bytes: Buffer;
  try {
    if (statSync(file).isDirectory()) fail('is a folder, expected a JSONL file');
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof NoiseError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('file not found');
    if (code === 'EACCES' || code === 'EPERM') return fail('cannot be read (permission denied)');
    return fail(`cannot be read (${code ?? (e as Error).message})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail('binary data (not UTF-8 text), expected a JSONL file (one JSON object per line)');
  }
  if (text.includes('\u0000')) {
    fail('binary data (NUL bytes), expected a JSONL file (one JSON object per line)');
  }
  return text;
}

/** Whether `file` is the GSM8K test split this project reads (by path or by the official bytes). */
function isGsm8kTest(file: string, sha256: string): boolean {
  if (sha256 === GSM8K_FILES.test.sha256) return true;
  try {
    return path.resolve(gsm8kFile('test')) === path.resolve(file);
  } catch {
    return false; // no GSM8K folder configured: only the official bytes count
  }
}

/**
 * Loads the set to noise. No file: the GSM8K test split (EXP_GSM8K_DIR or the pulled cache),
 * ids `gsm8k-test-<line index>`. A file: GSM8K-format JSONL (`question`, `answer`) or exp's
 * Problem JSONL (`id`, `question`, `answer`, `final`, e.g. an imported set); the official GSM8K
 * test file counts as the test split wherever it lies, the official train file is named
 * `gsm8k-train` (ids `gsm8k-train-<i>`), any other set takes its file's base name; `name`
 * overrides all of these (ids `<name>-<i>` for GSM8K-format records).
 * An empty, blank-only or BOM-only file is an error naming it.
 */
export function loadNoiseInput(input?: string, name?: string): NoiseInput {
  const file = input === undefined ? gsm8kFile('test') : path.resolve(input);
  const text = readInputText(file);
  const sha256 = hashFileSync(file);
  const canonical = name === undefined && (input === undefined || isGsm8kTest(file, sha256));
  const base = canonical
    ? 'gsm8k'
    : (name ??
      (sha256 === GSM8K_FILES.train.sha256
        ? 'gsm8k-train'
        : path.basename(file).replace(/\.[^.]*$/u, '')));
  const parsed = DatasetNameSchema.safeParse(base);
  if (!parsed.success) {
    throw new NoiseError(
      `${name === undefined ? `${file}: dataset name "${base}" (from the file name)` : `--name "${base}"`}: ${parsed.error.issues[0]!.message}; pass --name`,
    );
  }
  const idPrefix = canonical ? 'gsm8k-test' : base;
  return { file, sha256, name: base, canonical, problems: parseProblems(text, file, idPrefix) };
}
