import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DataError, DownloadError } from './errors.js';
import { GSM8K_FILES, GSM8K_SPLITS, gsm8kCacheDir, type Gsm8kSplit } from './gsm8k.js';
import { hashFileSync, sha256Hex } from './hash.js';
import { parseJsonl, writeFileAtomic } from './jsonl.js';
import { resolveUserPath } from './paths.js';
import { Gsm8kRecordSchema } from './problem.js';

/** openai/grade-school-math at its master branch; EXP_GSM8K_URL or `baseUrl` point at a mirror. */
export const GSM8K_DEFAULT_BASE_URL =
  'https://raw.githubusercontent.com/openai/grade-school-math/master';

const OFFLINE_HINT =
  'without internet, set EXP_GSM8K_DIR to a folder holding train.jsonl and test.jsonl, or copy them into the cache with `exp data import <dir>`';

export interface PullProgress {
  split: Gsm8kSplit;
  url: string;
  /** Bytes of the body received so far. */
  received: number;
  /** Expected body size: Content-Length when the body is not compressed, else the known size. */
  total: number;
}

export interface PullOptions {
  /** Base URL under which `grade_school_math/data/<split>.jsonl` lives (default: EXP_GSM8K_URL, else GitHub). */
  baseUrl?: string;
  /** Cache folder to write (default `data/gsm8k`). */
  dir?: string;
  /** Which splits to fetch (default both). */
  splits?: readonly Gsm8kSplit[];
  /** Injected fetch (tests, proxies); defaults to Node's built-in fetch. */
  fetchImpl?: typeof fetch;
  onProgress?: (p: PullProgress) => void;
  /** Whole-request limit per file; a stalled connection fails instead of hanging (default 120 s). */
  timeoutMs?: number;
}

export interface PullResult {
  split: Gsm8kSplit;
  file: string;
  /** `cached`: the file was already there with the right sha256, nothing was fetched. */
  status: 'downloaded' | 'cached' | 'imported';
  /** Where the bytes came from (URL or file); absent when cached. */
  source?: string;
  sha256: string;
  records: number;
}

/** The URL of one split under a base URL (a trailing slash on the base is allowed). */
export function gsm8kUrl(split: Gsm8kSplit, baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${GSM8K_FILES[split].path}`;
}

/**
 * Checks bytes against the expected sha256 and, after parsing, the record count. Throws one
 * line naming the source; returns the record count. The count check guards the table itself
 * (a wrong sha256 entry paired with the right file) and makes the failure say what is wrong.
 */
export function checkGsm8kBytes(
  bytes: Uint8Array,
  expected: { sha256: string; records: number },
  source: string,
): number {
  const got = sha256Hex(bytes);
  if (got !== expected.sha256) {
    throw new DownloadError(
      `${source}: wrong sha256: expected ${expected.sha256}, got ${got} (${bytes.length} bytes); nothing was written`,
    );
  }
  const records = parseJsonl(Buffer.from(bytes).toString('utf8'), Gsm8kRecordSchema, source);
  if (records.length !== expected.records) {
    throw new DataError(
      `${source}: expected ${expected.records} records, got ${records.length}; nothing was written`,
    );
  }
  return records.length;
}

/** The cached file when it already holds the right bytes (sha256 only: it was checked on write). */
function cachedResult(split: Gsm8kSplit, file: string): PullResult | null {
  if (!existsSync(file)) return null;
  const sha = hashFileSync(file);
  if (sha !== GSM8K_FILES[split].sha256) return null;
  return { split, file, status: 'cached', sha256: sha, records: GSM8K_FILES[split].records };
}

function errorCode(e: unknown): string {
  const err = e as { cause?: { code?: string; message?: string }; code?: string; message?: string };
  return err.cause?.code ?? err.code ?? err.cause?.message ?? err.message ?? String(e);
}

function causeMessage(e: unknown): string {
  const err = e as { cause?: { message?: string }; message?: string };
  return err.cause?.message ?? err.message ?? String(e);
}

async function download(
  split: Gsm8kSplit,
  url: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
  onProgress?: (p: PullProgress) => void,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = () => new DownloadError(`${url}: timed out after ${timeoutMs / 1000} s`);
  let res: Response;
  try {
    res = await fetchImpl(url, { redirect: 'follow', signal });
  } catch (e) {
    if (signal.aborted) throw timedOut();
    throw new DownloadError(`cannot reach ${url} (${errorCode(e)}); ${OFFLINE_HINT}`);
  }
  if (!res.ok) {
    throw new DownloadError(
      `${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}; check the URL (baseUrl / EXP_GSM8K_URL)`,
    );
  }
  // With a compressed body Content-Length counts the compressed bytes, so it can only be
  // compared with what we receive when there is no Content-Encoding.
  const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const lengthHeader = res.headers.get('content-length');
  const declared = !encoded && lengthHeader !== null ? Number(lengthHeader) : null;
  const total = declared ?? GSM8K_FILES[split].bytes;
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        onProgress?.({ split, url, received, total });
      }
    }
  } catch (e) {
    if (signal.aborted) throw timedOut();
    throw new DownloadError(
      `${url}: truncated body: received ${received} of ${total} bytes before the connection closed (${causeMessage(e)})`,
    );
  }
  if (declared !== null && received !== declared) {
    throw new DownloadError(
      `${url}: truncated body: received ${received} of ${declared} bytes (Content-Length)`,
    );
  }
  return Buffer.concat(chunks);
}

/**
 * Downloads the official GSM8K train/test JSONL files into the cache (`data/gsm8k`). A file is
 * written (atomically) only after its sha256 and record count check out, so a failed pull never
 * replaces what was there; a cached file with the right sha256 is not fetched again.
 */
export async function pullGsm8k(opts: PullOptions = {}): Promise<PullResult[]> {
  const baseUrl = opts.baseUrl ?? process.env.EXP_GSM8K_URL ?? GSM8K_DEFAULT_BASE_URL;
  const dir = opts.dir ? resolveUserPath(opts.dir) : gsm8kCacheDir();
  const fetchImpl = opts.fetchImpl ?? fetch;
  const results: PullResult[] = [];
  for (const split of opts.splits ?? GSM8K_SPLITS) {
    const file = path.join(dir, `${split}.jsonl`);
    const cached = cachedResult(split, file);
    if (cached) {
      results.push(cached);
      continue;
    }
    const url = gsm8kUrl(split, baseUrl);
    const bytes = await download(split, url, fetchImpl, opts.timeoutMs ?? 120_000, opts.onProgress);
    const records = checkGsm8kBytes(bytes, GSM8K_FILES[split], url);
    writeFileAtomic(file, bytes);
    results.push({
      split,
      file,
      status: 'downloaded',
      source: url,
      sha256: GSM8K_FILES[split].sha256,
      records,
    });
  }
  return results;
}

/** `<dir>/<split>.jsonl`, or the same file inside a clone of the repository. */
function findLocalSplit(dir: string, split: Gsm8kSplit): string {
  const candidates = [path.join(dir, `${split}.jsonl`), path.join(dir, GSM8K_FILES[split].path)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) {
    throw new DataError(
      `${candidates[0]}: GSM8K ${split} split not found (expected the official ${split}.jsonl there or at ${GSM8K_FILES[split].path})`,
    );
  }
  return found;
}

/**
 * The offline path of `pullGsm8k`: copies the official files from a local folder (flat, or a
 * clone of openai/grade-school-math) into the cache after the same sha256 and count checks.
 */
export function importGsm8kDir(
  from: string,
  opts: { dir?: string; splits?: readonly Gsm8kSplit[] } = {},
): PullResult[] {
  const src = resolveUserPath(from);
  const dir = opts.dir ? resolveUserPath(opts.dir) : gsm8kCacheDir();
  const results: PullResult[] = [];
  const anySplit = GSM8K_SPLITS.some((split) =>
    [`${split}.jsonl`, GSM8K_FILES[split].path].some((f) => existsSync(path.join(src, f))),
  );
  if (!anySplit) {
    throw new DataError(
      `${src}: not a GSM8K folder (no train.jsonl or test.jsonl there or in grade_school_math/data/); to import another benchmark, give its JSON or JSONL file`,
    );
  }
  for (const split of opts.splits ?? GSM8K_SPLITS) {
    const source = findLocalSplit(src, split);
    const file = path.join(dir, `${split}.jsonl`);
    const bytes = readFileSync(source);
    const records = checkGsm8kBytes(bytes, GSM8K_FILES[split], source);
    const cached = cachedResult(split, file);
    if (cached) {
      results.push({ ...cached, source });
      continue;
    }
    writeFileAtomic(file, bytes);
    results.push({
      split,
      file,
      status: 'imported',
      source,
      sha256: GSM8K_FILES[split].sha256,
      records,
    });
  }
  return results;
}
