import { readFileSync } from 'node:fs';
import {
  Bool,
  Field,
  Float64,
  Schema,
  Table,
  Utf8,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { DataError } from './errors.js';
import { formatIssue, writeFileAtomic } from './jsonl.js';
import { ProblemSchema, type Problem } from './problem.js';

/** A record as stored in Arrow: flat scalars become typed columns, anything else JSON text. */
export type ArrowRecord = Record<string, unknown>;

/** Field metadata keys; written by us, read back to restore records exactly. */
const ENCODING = 'exp.encoding'; // 'json': the Utf8 column holds JSON text of each value
const NULL_MEANS = 'exp.null'; // 'absent': an Arrow null means the key was missing, else null
const EMPTY_ROWS = 'exp.rows'; // row count of a table of records without keys
const NOTE =
  'Written by @exp/data. Columns whose field metadata has exp.encoding=json hold JSON text ' +
  '(nested values); an Arrow null there means the key was absent and the text "null" a JSON ' +
  'null. In other columns exp.null=absent means an Arrow null is a missing key.';

type Kind = 'utf8' | 'float64' | 'bool' | 'json';

/** Column kind from the values: one scalar type -> typed column; objects or mixes -> JSON. */
function columnKind(values: unknown[]): { kind: Kind; nullMeans: 'absent' | 'null' } {
  let absent = 0;
  let nulls = 0;
  const types = new Set<string>();
  for (const v of values) {
    if (v === undefined) absent++;
    else if (v === null) nulls++;
    else if (typeof v === 'bigint') throw new DataError('arrow: bigint values are not supported');
    else types.add(Array.isArray(v) ? 'array' : typeof v);
  }
  const nullMeans = absent > 0 ? 'absent' : 'null';
  // An Arrow null can stand for one of "missing" or "null", not both: such columns go JSON.
  if (absent > 0 && nulls > 0) return { kind: 'json', nullMeans: 'absent' };
  if (types.size > 1) return { kind: 'json', nullMeans: 'absent' };
  const [only] = types;
  if (only === undefined || only === 'string') return { kind: 'utf8', nullMeans };
  if (only === 'number') return { kind: 'float64', nullMeans };
  if (only === 'boolean') return { kind: 'bool', nullMeans };
  return { kind: 'json', nullMeans: 'absent' };
}

const TYPES: Record<Kind, () => DataType> = {
  utf8: () => new Utf8(),
  json: () => new Utf8(),
  float64: () => new Float64(),
  bool: () => new Bool(),
};

/**
 * An Arrow table of the records: one column per key (first-appearance order), strings as plain
 * Utf8 (not dictionaries), numbers Float64, booleans Bool, nested values JSON-encoded Utf8.
 */
export function recordsToArrowTable(records: readonly ArrowRecord[]): Table {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  const fields: Field[] = [];
  const columns: Record<string, Vector> = {};
  for (const name of names) {
    const raw = records.map((r) => (Object.hasOwn(r, name) ? r[name] : undefined));
    const { kind, nullMeans } = columnKind(raw);
    const values =
      kind === 'json'
        ? raw.map((v) => (v === undefined ? null : JSON.stringify(v)))
        : raw.map((v) => v ?? null);
    const type = TYPES[kind]();
    columns[name] = vectorFromArray(values, type);
    const meta = new Map<string, string>();
    if (kind === 'json') meta.set(ENCODING, 'json');
    else if (nullMeans === 'absent') meta.set(NULL_MEANS, 'absent');
    fields.push(new Field(name, type, true, meta));
  }
  const meta = new Map([['exp.note', NOTE]]);
  // A table without columns has no rows, so the count of key-less records is kept aside.
  if (names.length === 0) meta.set(EMPTY_ROWS, String(records.length));
  const schema = new Schema(fields, meta);
  if (names.length === 0) return new Table(schema);
  return new Table(schema, columns);
}

/** Arrow IPC *file* format (`.arrow`, Feather v2) bytes of the records. */
export function recordsToArrow(records: readonly ArrowRecord[]): Uint8Array {
  return tableToIPC(recordsToArrowTable(records), 'file');
}

function plain(value: unknown, where: string): unknown {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new DataError(`${where}: integer ${value} does not fit a JS number`);
    }
    return Number(value);
  }
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
  throw new DataError(`${where}: unsupported Arrow value (expected a flat column)`);
}

/** Records of an Arrow table; exact inverse of `recordsToArrowTable`. */
export function recordsFromArrowTable(table: Table, source = 'arrow'): ArrowRecord[] {
  const rows =
    table.schema.fields.length === 0
      ? Number(table.schema.metadata.get(EMPTY_ROWS) ?? 0)
      : table.numRows;
  const out: ArrowRecord[] = Array.from({ length: rows }, () => ({}));
  for (const field of table.schema.fields) {
    const col = table.getChild(field.name);
    if (!col) continue;
    const json = field.metadata.get(ENCODING) === 'json';
    const nullIsAbsent = json || field.metadata.get(NULL_MEANS) === 'absent';
    for (let i = 0; i < table.numRows; i++) {
      const v: unknown = col.get(i);
      if (v === null || v === undefined) {
        if (!nullIsAbsent) out[i][field.name] = null;
        continue;
      }
      const where = `${source}: row ${i}: ${field.name}`;
      if (json) {
        try {
          out[i][field.name] = JSON.parse(v as string);
        } catch (e) {
          throw new DataError(`${where}: invalid JSON (${(e as Error).message})`);
        }
      } else {
        out[i][field.name] = plain(v, where);
      }
    }
  }
  return out;
}

export function recordsFromArrow(bytes: Uint8Array, source = 'arrow'): ArrowRecord[] {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new DataError(`${source}: not an Arrow IPC file (${(e as Error).message})`);
  }
  return recordsFromArrowTable(table, source);
}

/** Writes records as an Arrow IPC file, atomically. */
export function writeArrow(file: string, records: readonly ArrowRecord[]): void {
  writeFileAtomic(file, recordsToArrow(records));
}

export function readArrow(file: string): ArrowRecord[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(
      code === 'ENOENT' ? `${file}: file not found` : `${file}: ${(e as Error).message}`,
    );
  }
  return recordsFromArrow(bytes, file);
}

/** Problems from an Arrow file, validated row by row. */
export function readArrowProblems(file: string): Problem[] {
  return readArrow(file).map((r, i) => {
    const parsed = ProblemSchema.safeParse(r);
    if (!parsed.success)
      throw new DataError(`${file}: row ${i}: ${formatIssue(parsed.error.issues[0])}`);
    return parsed.data;
  });
}
