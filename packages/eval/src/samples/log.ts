import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { DataError, formatIssue } from '@exp/data';
import type { z } from 'zod';
import { SampleRecordSchema, type SampleRecord } from './record.js';

/*
 * Crash model. A line is committed once its '\n' is on disk: `append` writes `JSON + '\n'` in one
 * write on an O_APPEND descriptor and fsyncs before returning, so after a kill -9 (or a power
 * loss) the file is every committed line followed by at most one line in flight — a prefix of
 * one record, or with delayed allocation a run of NUL bytes. Reading therefore treats:
 *  - bytes after the last '\n' as in flight and drops them, even when they happen to parse as a
 *    whole record: without its newline the write did not finish (returned and was fsynced), so
 *    keeping it would trust a state the writer never confirmed; re-running one sample is cheap;
 *  - a last line that ends in '\n' but is not JSON (NUL fill, see above) as in flight too;
 *  - anything else that is not a valid record as an error naming file:line, because nothing our
 *    writer does can produce it and silently skipping it would lose or redo finished work.
 */

interface ParsedLog<T> {
  records: T[];
  /** Bytes of the file that hold committed lines; the rest is a torn tail. */
  committed: number;
}

type Identity = Pick<SampleRecord, 'run' | 'model' | 'dataset' | 'id'>;

/** A log line's schema: any record of one run, model and dataset, keyed by the problem's id. */
export type LogSchema<T extends Identity> = z.ZodType<T, unknown>;

/** The field of `rec` that differs from the log's first record, if any: one log, one set. */
function identityMismatch(first: Identity | undefined, rec: Identity): string | null {
  if (!first) return null;
  for (const key of ['run', 'model', 'dataset'] as const) {
    if (rec[key] !== first[key]) {
      return `${key}: expected ${JSON.stringify(first[key])} as in the log's first line, got ${JSON.stringify(rec[key])}`;
    }
  }
  return null;
}

function parseLog<T extends Identity>(
  bytes: Buffer,
  file: string,
  schema: LogSchema<T>,
): ParsedLog<T> {
  let committed = bytes.lastIndexOf(0x0a) + 1;
  const lines = bytes.subarray(0, committed).toString('utf8').split('\n');
  lines.pop(); // the empty string after the final '\n'
  const records: T[] = [];
  const lineOf = new Map<string, number>();
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const lineNo = i + 1;
    const start = offset;
    offset += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      if (i === lines.length - 1) {
        committed = start;
        break;
      }
      throw new DataError(
        `${file}:${lineNo}: invalid JSON (${(e as Error).message}); only the last line can be ` +
          `an interrupted write, so this line was damaged otherwise: fix or delete it`,
      );
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new DataError(`${file}:${lineNo}: ${formatIssue(parsed.error.issues[0])}`);
    }
    const rec = parsed.data;
    const mismatch = identityMismatch(records[0], rec);
    if (mismatch) throw new DataError(`${file}:${lineNo}: ${mismatch}`);
    const seen = lineOf.get(rec.id);
    if (seen !== undefined) {
      throw new DataError(
        `${file}:${lineNo}: duplicate id ${JSON.stringify(rec.id)} (line ${seen})`,
      );
    }
    lineOf.set(rec.id, lineNo);
    records.push(rec);
  }
  return { records, committed };
}

function readBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DataError(`${file}: ${(e as Error).message}`);
  }
}

/** fsync of a folder, so that a file just created in it survives a power loss. */
function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * An append-only, resumable log of finished samples (one JSON line each) for one model × dataset.
 * One writer at a time: two processes appending to the same file could interleave duplicates,
 * which is why run ids (one folder per run) are unique. The records are eval's samples by
 * default; another step's per-item log (the likelihood's) passes its own schema.
 */
export class SampleLog<T extends Identity = SampleRecord> {
  /** Finished samples by problem id, in file order. */
  readonly done: ReadonlyMap<string, T>;
  readonly file: string;
  readonly #done: Map<string, T>;
  readonly #schema: LogSchema<T>;
  #fd: number | null;
  /** Committed bytes: where a failed append truncates back to. */
  #size: number;

  private constructor(file: string, schema: LogSchema<T>, records: T[], fd: number, size: number) {
    this.file = file;
    this.#schema = schema;
    this.#done = new Map(records.map((r) => [r.id, r]));
    this.done = this.#done;
    this.#fd = fd;
    this.#size = size;
  }

  /**
   * Opens (creating it and its folder if needed) a log for appending. Committed lines are read
   * and validated; a torn last line is cut off the file (truncated to the last '\n') so the next
   * append starts on a fresh line. Errors name file:line and field.
   */
  static open(file: string): SampleLog;
  static open<T extends Identity>(file: string, schema: LogSchema<T>): SampleLog<T>;
  static open<T extends Identity>(
    file: string,
    schema: LogSchema<T> = SampleRecordSchema as unknown as LogSchema<T>,
  ): SampleLog<T> {
    mkdirSync(path.dirname(file), { recursive: true });
    const bytes = readBytes(file);
    const { records, committed } = bytes
      ? parseLog(bytes, file, schema)
      : { records: [] as T[], committed: 0 };
    if (bytes && committed < bytes.length) truncateSync(file, committed);
    const fd = openSync(file, 'a');
    try {
      // Make the truncation durable before new lines go after it; a new file needs its entry.
      if (bytes && committed < bytes.length) fsyncSync(fd);
      if (!bytes) fsyncDir(path.dirname(file));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return new SampleLog(file, schema, records, fd, committed);
  }

  /**
   * Appends one finished sample: validated, then written as one whole line and fsynced before
   * returning, so a returned append survives any crash. A duplicate id is an error (the caller
   * skips `done` ids; a second line would make the tables count the item twice).
   */
  append(rec: T): void {
    if (this.#fd === null) throw new Error(`${this.file}: append after close`);
    const parsed = this.#schema.safeParse(rec);
    if (!parsed.success) {
      throw new DataError(`${this.file}: cannot append: ${formatIssue(parsed.error.issues[0])}`);
    }
    const row = parsed.data;
    if (this.#done.has(row.id)) {
      throw new DataError(`${this.file}: duplicate id ${JSON.stringify(row.id)}: already logged`);
    }
    const mismatch = identityMismatch(this.#done.values().next().value, row);
    if (mismatch) throw new DataError(`${this.file}: cannot append: ${mismatch}`);
    const bytes = Buffer.from(JSON.stringify(row) + '\n', 'utf8');
    try {
      // One write normally; the loop only continues a short write (e.g. an interrupted large one).
      let written = 0;
      while (written < bytes.length) {
        written += writeSync(this.#fd, bytes, written, bytes.length - written);
      }
      fsyncSync(this.#fd);
    } catch (e) {
      // A partial line (disk full, I/O error) must not stay: the next append would follow it
      // and turn it into a damaged line in the middle of the file.
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch {
        // The original error is the one to report; reopening drops the torn tail anyway.
      }
      throw e;
    }
    this.#size += bytes.length;
    this.#done.set(row.id, row);
  }

  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
  }
}

/**
 * The committed records of a log, read-only (for rescoring, also while a run still appends): a
 * torn last line is ignored and the file left as it is. A missing file is an error.
 */
export function readSampleLog(file: string): SampleRecord[];
export function readSampleLog<T extends Identity>(file: string, schema: LogSchema<T>): T[];
export function readSampleLog<T extends Identity>(
  file: string,
  schema: LogSchema<T> = SampleRecordSchema as unknown as LogSchema<T>,
): T[] {
  const bytes = readBytes(file);
  if (!bytes) throw new DataError(`${file}: file not found`);
  return parseLog(bytes, file, schema).records;
}
