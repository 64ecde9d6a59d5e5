import path from 'node:path';
import {
  Field,
  Float64,
  Int32,
  Schema,
  Table,
  Utf8,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { writeFileAtomic } from '@exp/data';
import { ResultRowSchema, type ResultRow } from './row.js';

type Kind = 'utf8' | 'int32' | 'float64';

/**
 * The columns of every output in ResultRowSchema's key order (the original's six columns first,
 * then ours): the schema is the one list of columns, so files, schema and readers cannot drift.
 */
export const RESULT_COLUMNS: readonly (keyof ResultRow)[] = ResultRowSchema.keyof().options;

/** Each column's Arrow type; a Record, so a column added to the schema without a type fails to compile. */
const KINDS: Record<keyof ResultRow, Kind> = {
  model: 'utf8',
  dataset: 'utf8',
  accuracy: 'float64',
  correct: 'int32',
  total: 'int32',
  eval_type: 'utf8',
  extractor: 'utf8',
  ci_low: 'float64',
  ci_high: 'float64',
  degradation: 'float64',
  degradation_ci_low: 'float64',
  degradation_ci_high: 'float64',
  diff_vs: 'utf8',
  diff: 'float64',
  diff_ci_low: 'float64',
  diff_ci_high: 'float64',
  mcnemar_p: 'float64',
  diff_mde: 'float64',
  p_holm: 'float64',
  degradation_mde: 'float64',
};

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, line break or edge space. */
export function csvField(value: string | number | null | undefined): string {
  // undefined: a column added later, absent from a row read back from an older file
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV text of the rows: a header, then one line per row; numbers in JS's shortest round-trip
 * form (no rounding: the files are data, the pivot is for reading), null fields empty.
 */
export function resultsToCsv(rows: readonly ResultRow[]): string {
  const lines = [RESULT_COLUMNS.join(',')];
  for (const row of rows) lines.push(RESULT_COLUMNS.map((c) => csvField(row[c])).join(','));
  return lines.join('\n') + '\n';
}

const TYPES: Record<Kind, () => DataType> = {
  utf8: () => new Utf8(),
  int32: () => new Int32(),
  float64: () => new Float64(),
};

/**
 * Arrow table of the rows with fixed types (so an empty table or an all-null column keeps its
 * type): strings plain Utf8 — not the Dictionary<Int32, Utf8> that tableFromArrays would make,
 * which some readers do not handle — counts Int32, the rest Float64, nulls where not applicable.
 */
export function resultsToArrowTable(rows: readonly ResultRow[]): Table {
  const fields: Field[] = [];
  const columns: Record<string, Vector> = {};
  for (const name of RESULT_COLUMNS) {
    const type = TYPES[KINDS[name]]();
    fields.push(new Field(name, type, true));
    columns[name] = vectorFromArray(
      rows.map((r) => r[name] ?? null),
      type,
    );
  }
  return new Table(new Schema(fields), columns);
}

export interface ResultFiles {
  csv: string;
  json: string;
  arrow: string;
}

/** Where writeResults puts the table in `dir`: experiment_results.csv, .json and .arrow. */
export function resultFiles(dir: string): ResultFiles {
  const base = path.join(dir, 'experiment_results');
  return { csv: `${base}.csv`, json: `${base}.json`, arrow: `${base}.arrow` };
}

/**
 * Writes experiment_results.csv, .json and .arrow (IPC file format) into `dir`, each atomically
 * (temp file + rename), so a reader never sees a half-written table. Returns the three paths.
 */
export function writeResults(dir: string, rows: readonly ResultRow[]): ResultFiles {
  const out = resultFiles(dir);
  const ordered = rows.map((r) => Object.fromEntries(RESULT_COLUMNS.map((c) => [c, r[c] ?? null])));
  writeFileAtomic(out.csv, resultsToCsv(rows));
  writeFileAtomic(out.json, JSON.stringify(ordered, null, 2) + '\n');
  writeFileAtomic(out.arrow, tableToIPC(resultsToArrowTable(rows), 'file'));
  return out;
}
