import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { DataError } from './errors.js';

/** Lower-case hex sha256 of bytes or of the UTF-8 encoding of a string. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function readError(file: string, e: unknown): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  return new DataError(
    code === 'ENOENT' ? `${file}: file not found` : `${file}: ${(e as Error).message}`,
  );
}

/** sha256 of a file, streamed so that multi-GB weights do not need to fit in memory. */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (e) {
    throw readError(file, e);
  }
  return hash.digest('hex');
}

/** Synchronous sha256 of a (small) file, for code paths that are synchronous anyway. */
export function hashFileSync(file: string): string {
  try {
    return sha256Hex(readFileSync(file));
  } catch (e) {
    throw readError(file, e);
  }
}

/** JSON with object keys sorted at every level, so key order never changes a fingerprint. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

/**
 * A content fingerprint of a dataset (problems, or any JSON records): sha256 of the records as
 * canonical JSON, one a line. Order matters (a subset in another order is another dataset);
 * key order and file formatting do not, so the same problems from JSONL or Arrow agree.
 */
export function datasetFingerprint(records: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const r of records) hash.update(canonicalJson(r) + '\n');
  return hash.digest('hex');
}
