import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DataError } from './errors.js';

/** One line of a zod issue list: `field: message` with the path joined by dots. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.map(String).join('.') : '(record)';
  return `${field}: ${issue.message}`;
}

/** The JSON values of a JSON Lines text with their 1-based line numbers; blank lines skipped. */
export function jsonlValues(text: string, file: string): { line: number; value: unknown }[] {
  const out: { line: number; value: unknown }[] = [];
  // A UTF-8 byte order mark (files saved by some Windows editors) is not part of the first record.
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(line) });
    } catch (e) {
      throw new DataError(`${file}:${i + 1}: invalid JSON (${(e as Error).message})`);
    }
  }
  return out;
}

/**
 * Parses a JSON Lines text, validating every record; the first bad line throws one DataError
 * naming file, line and field, so nothing downstream sees a partial load.
 */
export function parseJsonl<T>(text: string, schema: z.ZodType<T>, file: string): T[] {
  return jsonlValues(text, file).map(({ line, value }) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new DataError(`${file}:${line}: ${formatIssue(parsed.error.issues[0])}`);
    }
    return parsed.data;
  });
}

/**
 * A text file's content; a missing or unreadable file, a folder, and binary data (a NUL byte, or
 * bytes that are not UTF-8) are a DataError naming the file (and the line of the first bad byte).
 */
export function readTextFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(
      code === 'ENOENT'
        ? `${file}: file not found`
        : code === 'EISDIR'
          ? `${file}: a folder, expected a file`
          : `${file}: ${(e as Error).message}`,
    );
  }
  const text = bytes.toString('utf8');
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    throw new DataError(`${file}:${lineOf(nul)}: binary data (a NUL byte), expected UTF-8 text`);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DataError(
      `${file}:${lineOf(text.indexOf('\uFFFD'))}: not UTF-8 text (an invalid byte sequence)`,
    );
  }
  return text;
}

export function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  return parseJsonl(readTextFile(file), schema, file);
}

/** JSON Lines text of the records, one compact object a line, with a final newline. */
export function toJsonl(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}

/** Writes a file atomically (temp file + rename): a crash never leaves a half-written file. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export function writeJsonl(file: string, records: readonly unknown[]): void {
  writeFileAtomic(file, toJsonl(records));
}
