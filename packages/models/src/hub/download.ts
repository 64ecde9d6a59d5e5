// One file from the hub into the blob store: resumable (HTTP Range on `<blob>.incomplete`),
// verified (sha256 for LFS files, git blob sha1 for the small ones), atomic (renamed into place
// only when complete and verified). Hand-written instead of @huggingface/hub's
// downloadFileToCacheDir because that one neither verifies, resumes nor reports progress.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { fileSize } from './cache.js';
import {
  HubAuthError,
  HubDownloadError,
  HubError,
  HubNotFoundError,
  HubUnreachableError,
} from './errors.js';

export interface FetchContext {
  /** Hub endpoint (scheme + host), for error messages and the same-origin token rule. */
  endpoint: string;
  token?: string;
  /** What is being fetched, for error messages ("org/name@commit: path"). */
  label: string;
}

const MAX_REDIRECTS = 10;

/**
 * GET with redirects followed by hand: the token goes only to the endpoint's own origin, never
 * to the CDN a resolve URL redirects to (signed CDN URLs refuse an Authorization header).
 */
export async function hubFetch(
  url: string,
  ctx: FetchContext,
  headers: Record<string, string> = {},
): Promise<Response> {
  const origin = new URL(ctx.endpoint).origin;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sameOrigin = new URL(current).origin === origin;
    let res: Response;
    try {
      res = await fetch(current, {
        redirect: 'manual',
        headers: {
          ...headers,
          ...(ctx.token && sameOrigin ? { Authorization: `Bearer ${ctx.token}` } : {}),
        },
      });
    } catch (err) {
      throw new HubUnreachableError(hop === 0 ? ctx.endpoint : new URL(current).origin, err);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      current = new URL(location, current).href;
      continue;
    }
    return res;
  }
  throw new HubError(`${ctx.label}: more than ${MAX_REDIRECTS} redirects from ${url}`);
}

/** The error for a failed hub response (401/403 mention HF_TOKEN, 404 says what is missing). */
export function statusError(status: number, ctx: FetchContext, notFound: string): HubError {
  if (status === 401) {
    return new HubAuthError(
      `${ctx.label}: 401 Unauthorized from ${ctx.endpoint}: the repo is private, gated or missing; ` +
        (ctx.token
          ? 'the token in HF_TOKEN was refused'
          : 'set HF_TOKEN to a token that can read it'),
      401,
    );
  }
  if (status === 403) {
    return new HubAuthError(
      `${ctx.label}: 403 Forbidden from ${ctx.endpoint}: this token may not read the repo ` +
        '(gated repos: accept the licence on the hub first); check HF_TOKEN',
      403,
    );
  }
  if (status === 404) return new HubNotFoundError(`${ctx.label}: ${notFound}`);
  return new HubError(`${ctx.label}: HTTP ${status} from ${ctx.endpoint}`);
}

export interface BlobDownload {
  url: string;
  /** Final path of the blob; the partial file is `${dest}.incomplete`. */
  dest: string;
  size: number;
  /** sha256 hex of the content (LFS files: the hub's lfs.oid). */
  sha256?: string;
  /** git blob sha1 hex (non-LFS files: the hub's oid). */
  gitSha1?: string;
  /** Called with the number of bytes present so far. */
  onBytes?: (bytes: number) => void;
}

function newHash(d: BlobDownload): { hash: Hash; expected: string; kind: string } | undefined {
  if (d.sha256) return { hash: createHash('sha256'), expected: d.sha256, kind: 'sha256' };
  if (d.gitSha1) {
    return {
      hash: createHash('sha1').update(`blob ${d.size}\0`),
      expected: d.gitSha1,
      kind: 'git sha1',
    };
  }
  return undefined;
}

async function hashExisting(file: string, hash: Hash | undefined): Promise<void> {
  if (!hash) return;
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/** Downloads (or resumes) one blob; leaves a resumable `.incomplete` when the transfer breaks. */
export async function downloadBlob(d: BlobDownload, ctx: FetchContext): Promise<void> {
  const incomplete = `${d.dest}.incomplete`;
  let have = (await fileSize(incomplete)) ?? 0;
  if (have > d.size) {
    await rm(incomplete, { force: true });
    have = 0;
  }
  let res = await hubFetch(d.url, ctx, have > 0 ? { Range: `bytes=${have}-` } : {});
  if (res.status === 416) {
    // The partial file is not a prefix the server recognises: start over.
    await res.body?.cancel();
    await rm(incomplete, { force: true });
    have = 0;
    res = await hubFetch(d.url, ctx);
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw statusError(res.status, ctx, 'file not found');
  }
  if (res.status === 206) {
    const start = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
    if (Number(start) !== have) {
      await res.body?.cancel();
      throw new HubDownloadError(
        `${ctx.label}: server resumed at byte ${start}, expected ${have}`,
        false,
      );
    }
  } else {
    have = 0; // a full body: the server ignored (or was not sent) a Range
  }

  const check = newHash(d);
  if (have > 0) await hashExisting(incomplete, check?.hash);
  const fh = await open(incomplete, have > 0 ? 'a' : 'w');
  let bytes = have;
  try {
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        if (bytes > d.size) break;
        check?.hash.update(chunk);
        let done = 0;
        while (done < chunk.length) done += (await fh.write(chunk, done)).bytesWritten;
        d.onBytes?.(bytes);
      }
    }
  } catch (err) {
    await fh.close();
    throw new HubDownloadError(
      `${ctx.label}: download interrupted after ${bytes} of ${d.size} bytes (${(err as Error).message}); run again to resume`,
      true,
    );
  }
  await fh.close();
  if (bytes < d.size) {
    throw new HubDownloadError(
      `${ctx.label}: download ended after ${bytes} of ${d.size} bytes; run again to resume`,
      true,
    );
  }
  if (bytes > d.size) {
    await rm(incomplete, { force: true });
    throw new HubDownloadError(
      `${ctx.label}: server sent more than the expected ${d.size} bytes`,
      false,
    );
  }
  if (check) {
    const got = check.hash.digest('hex');
    if (got !== check.expected) {
      await rm(incomplete, { force: true });
      throw new HubDownloadError(
        `${ctx.label}: ${check.kind} mismatch (expected ${check.expected}, got ${got}); the partial file was removed, run again`,
        false,
      );
    }
  }
  await rename(incomplete, d.dest);
}
