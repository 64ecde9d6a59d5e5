import path from 'node:path';
import { z } from 'zod';
import { normalizeNumber, parseGoldAnswer } from './answer.js';
import { DataError } from './errors.js';
import { formatIssue, jsonlValues, readJsonl, readTextFile, writeJsonl } from './jsonl.js';
import { dataDir, resolveUserPath } from './paths.js';
import { ProblemSchema, type Problem } from './problem.js';

/** Dataset names become file names (`data/<name>.jsonl`) and id prefixes. */
export const DatasetNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'expected a name of letters, digits, ".", "_" or "-"');

/** Dotted paths into a source record (`a.b.c`; array elements by index, `choices.0`). */
const FieldPath = z.string().regex(/^[^.]+(\.[^.]+)*$/, 'expected a dotted field path');

/**
 * Which source fields make a Problem. `final` is the gold number (normalised); without it the
 * number after the last `####` of the worked solution `answer` is used. `original` (optional)
 * holds the clean question a noisy benchmark's `question` was made from (GSM-Plus
 * `seed_question`); records then carry it as `original_question`.
 */
export const FieldMapSchema = z
  .object({
    question: FieldPath,
    answer: FieldPath.optional(),
    final: FieldPath.optional(),
    id: FieldPath.optional(),
    original: FieldPath.optional(),
  })
  .strict()
  .refine((f) => f.answer !== undefined || f.final !== undefined, {
    message: 'expected `final` or `answer` (a worked solution ending in "#### <number>")',
  });
export type FieldMap = z.infer<typeof FieldMapSchema>;

/** Keeps the records whose field (dotted path) equals the value (numbers compared as text). */
export const RecordFilterSchema = z.object({ field: FieldPath, equals: z.string() }).strict();
export type RecordFilter = z.infer<typeof RecordFilterSchema>;

/** How to read a benchmark file: a preset is exactly this, selected by name. */
export const BenchmarkSpecSchema = z
  .object({
    format: z.enum(['json', 'jsonl']).optional(),
    /** JSON only: dotted path of the record array inside the top-level object. */
    records: FieldPath.optional(),
    fields: FieldMapSchema,
    filter: RecordFilterSchema.optional(),
  })
  .strict();
export type BenchmarkSpec = z.infer<typeof BenchmarkSpecSchema>;

/** An imported problem; `original_question` is there exactly when `fields.original` is mapped. */
export type ImportedProblem = Problem & { original_question?: string };

export interface ImportBenchmarkOptions extends BenchmarkSpec {
  file: string;
  /** Dataset name: id prefix (`<name>-<n>` unless `fields.id` is mapped). */
  name: string;
}

function getPath(record: unknown, dotted: string): unknown {
  let v = record;
  for (const key of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Source records with where each came from (`file:line` for JSONL, `file[index]` for JSON). */
function readRecords(
  file: string,
  format: 'json' | 'jsonl',
  recordsPath?: string,
): { where: string; record: unknown }[] {
  // A UTF-8 byte order mark (files saved by some Windows editors) is not part of the data.
  const text = readTextFile(file).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new DataError(`${file}: empty file (no records)`);
  if (format === 'jsonl') {
    return jsonlValues(text, file).map(({ line, value }) => ({
      where: `${file}:${line}`,
      record: value,
    }));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  const arr = recordsPath ? getPath(doc, recordsPath) : doc;
  if (!Array.isArray(arr)) {
    throw new DataError(
      `${file}: ${recordsPath ?? '(top level)'}: expected an array of records, got ${shown(arr)}`,
    );
  }
  return arr.map((record, i) => ({ where: `${file}[${i}]`, record }));
}

function formatOf(file: string, format?: 'json' | 'jsonl'): 'json' | 'jsonl' {
  if (format) return format;
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.json') return 'json';
  throw new DataError(`${file}: cannot tell the format from "${ext}"; give format json or jsonl`);
}

function matches(record: unknown, filter: RecordFilter): boolean {
  const v = getPath(record, filter.field);
  return (
    (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
    String(v) === filter.equals
  );
}

/**
 * Reads a benchmark file (JSON array or JSON Lines) into Problems through a field mapping. The
 * first bad record throws one DataError naming file, line (or array index) and field.
 */
export function importBenchmark(opts: ImportBenchmarkOptions): ImportedProblem[] {
  const name = DatasetNameSchema.safeParse(opts.name);
  if (!name.success)
    throw new DataError(`dataset name "${opts.name}": ${name.error.issues[0].message}`);
  const spec = BenchmarkSpecSchema.safeParse({
    format: opts.format,
    records: opts.records,
    fields: opts.fields,
    filter: opts.filter,
  });
  if (!spec.success) {
    throw new DataError(`import spec for ${opts.name}: ${formatIssue(spec.error.issues[0])}`);
  }
  const { fields, filter } = spec.data;
  const file = resolveUserPath(opts.file);
  const rows = readRecords(file, formatOf(file, spec.data.format), spec.data.records);
  const kept = filter ? rows.filter((r) => matches(r.record, filter)) : rows;
  if (kept.length === 0) {
    throw new DataError(
      filter
        ? `${file}: no record has ${filter.field} == ${JSON.stringify(filter.equals)} (of ${rows.length})`
        : `${file}: no records`,
    );
  }
  const seen = new Map<string, string>();
  return kept.map(({ where, record }, n) => {
    const text = (field: string, allowNumber: boolean): string => {
      const v = getPath(record, field);
      if (typeof v === 'string' || (allowNumber && typeof v === 'number')) return String(v);
      throw new DataError(
        `${where}: ${field}: expected ${allowNumber ? 'a string or number' : 'a string'}, got ${shown(v)}`,
      );
    };
    const question = text(fields.question, false);
    if (question.trim() === '') throw new DataError(`${where}: ${fields.question}: empty question`);
    const answer = fields.answer ? text(fields.answer, false) : '';
    let final: string | null;
    if (fields.final) {
      const raw = text(fields.final, true);
      final = normalizeNumber(raw);
      if (final === null) {
        throw new DataError(`${where}: ${fields.final}: expected a number, got ${shown(raw)}`);
      }
    } else {
      final = parseGoldAnswer(answer);
      if (final === null) {
        throw new DataError(
          `${where}: ${fields.answer}: expected a worked solution ending in "#### <number>"`,
        );
      }
    }
    const id = fields.id ? text(fields.id, true) : `${opts.name}-${n}`;
    const dup = seen.get(id);
    if (dup)
      throw new DataError(`${where}: ${fields.id ?? 'id'}: duplicate id "${id}" (first at ${dup})`);
    seen.set(id, where);
    if (!fields.original) return { id, question, answer, final };
    const original = text(fields.original, false);
    if (original.trim() === '')
      throw new DataError(`${where}: ${fields.original}: empty original question`);
    return { id, question, answer, final, original_question: original };
  });
}

/** `data/<name>.jsonl`: where imported datasets live. */
export function datasetFile(name: string, dir: string = dataDir()): string {
  const parsed = DatasetNameSchema.safeParse(name);
  if (!parsed.success)
    throw new DataError(`dataset name "${name}": ${parsed.error.issues[0].message}`);
  return path.join(dir, `${name}.jsonl`);
}

/** Writes problems as our Problem JSONL (atomically); returns the file written. */
export function writeDataset(name: string, problems: readonly Problem[], dir?: string): string {
  const file = datasetFile(name, dir);
  writeJsonl(
    file,
    problems.map((p) => ({ id: p.id, question: p.question, answer: p.answer, final: p.final })),
  );
  return file;
}

/** Reads back a dataset written by `writeDataset` (validated line by line). */
export function loadDataset(name: string, dir?: string): Problem[] {
  return readJsonl(datasetFile(name, dir), ProblemSchema);
}

export const BenchmarkPresetSchema = BenchmarkSpecSchema.extend({
  /** One line for `exp data import --help`: what the preset selects and from which file. */
  description: z.string().min(1),
  /** The `noise_type` label of its records when imported as a noisy set (needs `fields.original`). */
  noiseType: z.string().min(1).optional(),
});
export type BenchmarkPreset = z.infer<typeof BenchmarkPresetSchema>;

/** Named benchmark mappings: data, validated once at load, selected by name (= dataset name). */
export const BENCHMARK_PRESETS: Readonly<Record<string, BenchmarkPreset>> = z
  .record(DatasetNameSchema, BenchmarkPresetSchema)
  .parse({
    'gsmplus-distraction': {
      description:
        'GSM-Plus (Li et al., 2024) testmini, perturbation "distraction insertion" (300 problems); file gsmplus_testmini.jsonl of qtli/GSM-Plus',
      format: 'jsonl',
      fields: {
        question: 'question',
        answer: 'solution',
        final: 'answer',
        original: 'seed_question',
      },
      filter: { field: 'perturbation_type', equals: 'distraction insertion' },
      noiseType: 'DISTRACTION',
    },
  } satisfies Record<string, BenchmarkPreset>);

/** Imports a file with a named preset; the dataset takes the preset's name. */
export function importPreset(name: string, file: string): ImportedProblem[] {
  const preset = Object.hasOwn(BENCHMARK_PRESETS, name) ? BENCHMARK_PRESETS[name] : undefined;
  if (!preset) {
    throw new DataError(
      `unknown benchmark preset "${name}"; expected one of: ${Object.keys(BENCHMARK_PRESETS).join(', ')}`,
    );
  }
  const { description: _description, noiseType: _noiseType, ...spec } = preset;
  return importBenchmark({ ...spec, file, name });
}
