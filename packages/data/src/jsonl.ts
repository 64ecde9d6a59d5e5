import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DataError } from './errors.js';

/** One line of a zod issue list: `field: message` with the path joined by dots. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.map(String).join('.') : '(record)';
  return `${field}: ${issue.message}`;
}

/**
 * Parses a JSON Lines text, validating every record; the first bad line throws one DataError
 * naming file, line and field, so nothing downstream sees a partial load. Blank lines are skipped.
 */
export function parseJsonl<T>(text: string, schema: z.ZodType<T>, file: string): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DataError(`${file}:${i + 1}: invalid JSON (${(e as Error).message})`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new DataError(`${file}:${i + 1}: ${formatIssue(parsed.error.issues[0])}`);
    }
    out.push(parsed.data);
  }
  return out;
}

export function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(
      code === 'ENOENT' ? `${file}: file not found` : `${file}: ${(e as Error).message}`,
    );
  }
  return parseJsonl(text, schema, file);
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
