// Pull the files a checkpoint needs from the Hugging Face Hub into the standard HF cache.
// @huggingface/hub resolves the revision (modelInfo) and lists the folder (listFiles); the
// download itself is ours (download.ts: resume, hash check, progress).
import { HubApiError, listFiles, modelInfo, type ListFileEntry } from '@huggingface/hub';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { COMMIT_HASH, fileSize, hubCacheDir, linkBlob, readRef, repoCacheFolder } from './cache.js';
import { downloadBlob, statusError, type FetchContext } from './download.js';
import { HubError, HubNotFoundError, HubUnreachableError } from './errors.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** The files of a checkpoint folder that we fetch; everything else (optimizer state...) is skipped. */
const TOKENIZER_FILES = new Set([
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
]);

export function isCheckpointFile(name: string): boolean {
  return (
    /^(config|generation_config|tokenizer|tokenizer_config|special_tokens_map)\.json$/.test(name) ||
    name === 'model.safetensors.index.json' ||
    name.endsWith('.safetensors')
  );
}

export interface PullProgress {
  /** Path of the file in the repo. */
  file: string;
  /** 0-based position of the file among `count`. */
  index: number;
  count: number;
  /** Bytes present so far and the file's size. */
  downloaded: number;
  total: number;
  /** 'cached': already in the cache (no transfer); 'downloading': bytes arriving; 'done': finished. */
  status: 'cached' | 'downloading' | 'done';
}

export interface PullOptions {
  /** Folder inside the repo holding the checkpoint (e.g. "checkpoint-64434"). */
  subfolder?: string;
  /** Branch, tag or commit; default "main". */
  revision?: string;
  /** Default: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Default: HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Default: HF_TOKEN. */
  token?: string;
  /** Use only the cache, never the network; default: HF_HUB_OFFLINE=1. */
  offline?: boolean;
  onProgress?: (event: PullProgress) => void;
}

// By name, not instanceof: fetch's TypeError may come from another realm (e.g. under jest).
function isNetworkError(err: unknown): boolean {
  return (
    (err as Error | undefined)?.name === 'TypeError' && (err as Error).message === 'fetch failed'
  );
}

/** A snapshot already in the cache for (revision, subfolder) with its config.json, if any. */
async function cachedSnapshot(storage: string, revision: string, subfolder: string) {
  const commit = await readRef(storage, revision);
  if (!commit) return undefined;
  const dir = path.join(storage, 'snapshots', commit, subfolder);
  return (await fileSize(path.join(dir, 'config.json'))) !== undefined ? dir : undefined;
}

/**
 * Downloads config.json, generation_config.json, *.safetensors (+ index), tokenizer.json,
 * tokenizer_config.json and special_tokens_map.json of `repo` (under `subfolder`) into the HF
 * cache and returns the local snapshot folder of the subfolder. Files already cached with the
 * right size are not fetched again; an interrupted download resumes on the next call. When the
 * endpoint cannot be reached but the cache holds the snapshot, the cached folder is returned.
 */
export async function pullModel(repo: string, options: PullOptions = {}): Promise<string> {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(repo) || repo.includes('..')) {
    throw new HubError(`repo ${JSON.stringify(repo)}: expected "org/name"`);
  }
  const subfolder = (options.subfolder ?? '').replace(/^\/+|\/+$/g, '');
  if (subfolder.split('/').some((p) => p === '..' || p === '.')) {
    throw new HubError(
      `subfolder ${JSON.stringify(options.subfolder)}: must be a plain path inside the repo`,
    );
  }
  const revision = options.revision ?? 'main';
  const endpoint = (options.endpoint ?? process.env.HF_ENDPOINT ?? DEFAULT_ENDPOINT).replace(
    /\/+$/,
    '',
  );
  const token = options.token ?? (process.env.HF_TOKEN || undefined);
  const cacheDir = options.cacheDir ?? hubCacheDir();
  const storage = repoCacheFolder(cacheDir, repo);
  const where = `${repo}@${revision}${subfolder ? `/${subfolder}` : ''}`;
  const offline =
    options.offline ??
    ['1', 'true', 'yes'].includes((process.env.HF_HUB_OFFLINE ?? '').toLowerCase());

  if (offline) {
    const cached = await cachedSnapshot(storage, revision, subfolder);
    if (!cached)
      throw new HubError(
        `${where}: not in the cache ${cacheDir} and offline mode is on (HF_HUB_OFFLINE)`,
      );
    return cached;
  }

  const hub = { hubUrl: endpoint, accessToken: token };
  const ctx = (label: string): FetchContext => ({ endpoint, token, label });
  let commit: string;
  let entries: ListFileEntry[];
  try {
    commit = revision;
    if (!COMMIT_HASH.test(revision)) {
      const info = await callHub(
        ctx(repo),
        `repository or revision "${revision}" not found on ${endpoint}`,
        () => modelInfo({ ...hub, name: repo, revision, additionalFields: ['sha'] }),
      );
      if (typeof info.sha !== 'string' || !COMMIT_HASH.test(info.sha)) {
        throw new HubError(`${repo}: the hub gave no commit hash for revision "${revision}"`);
      }
      commit = info.sha;
    }
    entries = await callHub(
      ctx(`${repo}@${revision}`),
      subfolder ? `subfolder "${subfolder}" not found` : 'repository tree not found',
      async () => {
        const out: ListFileEntry[] = [];
        const list = listFiles({
          ...hub,
          repo: { type: 'model', name: repo },
          revision: commit,
          path: subfolder || undefined,
        });
        for await (const e of list) out.push(e);
        return out;
      },
    );
    if (subfolder && !entries.some((e) => path.posix.basename(e.path) === 'tokenizer.json')) {
      // Trainer checkpoints (e.g. checkpoint-64434) often hold only config + weights; the
      // tokenizer lives at the repo root. Fetch it too so the subfolder is a whole model folder.
      for await (const e of listFiles({
        ...hub,
        repo: { type: 'model', name: repo },
        revision: commit,
      })) {
        if (e.type === 'file' && TOKENIZER_FILES.has(e.path)) entries.push(e);
      }
    }
  } catch (err) {
    if (err instanceof HubUnreachableError) {
      const cached = await cachedSnapshot(storage, revision, subfolder);
      if (cached) return cached;
    }
    throw err;
  }

  const files = entries.filter(
    (e) => e.type === 'file' && isCheckpointFile(path.posix.basename(e.path)),
  );
  const names = files.map((f) => path.posix.basename(f.path));
  if (!names.includes('config.json')) {
    throw new HubNotFoundError(
      `${where}: no config.json in ${subfolder ? `"${subfolder}"` : 'the repo root'}`,
    );
  }
  if (!names.some((n) => n.endsWith('.safetensors'))) {
    throw new HubNotFoundError(
      `${where}: no *.safetensors weights (only safetensors checkpoints are supported)`,
    );
  }

  const snapshot = path.join(storage, 'snapshots', commit);
  await mkdir(path.join(storage, 'blobs'), { recursive: true });
  for (const [index, f] of files.entries()) {
    const etag = f.lfs?.oid ?? f.oid;
    const size = f.lfs?.size ?? f.size;
    if (!etag || !/^[0-9a-f]{40,64}$/.test(etag)) {
      throw new HubError(`${repo}@${commit}: ${f.path}: the hub listed no usable oid`);
    }
    const pointer = path.join(snapshot, ...f.path.split('/'));
    // A root tokenizer file fetched for a subfolder is linked into the subfolder as well.
    const alsoAt =
      subfolder && !f.path.includes('/')
        ? path.join(snapshot, ...subfolder.split('/'), f.path)
        : null;
    const blob = path.join(storage, 'blobs', etag);
    const report = (downloaded: number, status: PullProgress['status']) =>
      options.onProgress?.({
        file: f.path,
        index,
        count: files.length,
        downloaded,
        total: size,
        status,
      });
    if ((await fileSize(pointer)) === size) {
      if (alsoAt) await linkBlob(blob, alsoAt);
      report(size, 'cached');
      continue;
    }
    if ((await fileSize(blob)) !== size) {
      const encoded = f.path.split('/').map(encodeURIComponent).join('/');
      await downloadBlob(
        {
          url: `${endpoint}/${repo}/resolve/${commit}/${encoded}`,
          dest: blob,
          size,
          ...(f.lfs ? { sha256: f.lfs.oid } : { gitSha1: f.oid }),
          onBytes: (n) => report(n, 'downloading'),
        },
        ctx(`${repo}@${commit}: ${f.path}`),
      );
      report(size, 'done');
    } else {
      report(size, 'cached');
    }
    await linkBlob(blob, pointer);
    if (alsoAt) await linkBlob(blob, alsoAt);
  }
  if (revision !== commit) {
    await mkdir(path.join(storage, 'refs', ...revision.split('/').slice(0, -1)), {
      recursive: true,
    });
    await writeFile(path.join(storage, 'refs', ...revision.split('/')), commit);
  }
  return path.join(snapshot, ...(subfolder ? subfolder.split('/') : []));
}

/** Runs a @huggingface/hub call, turning its errors into ours. */
async function callHub<T>(ctx: FetchContext, notFound: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof HubApiError) throw statusError(err.statusCode, ctx, notFound);
    if (isNetworkError(err)) throw new HubUnreachableError(ctx.endpoint, err);
    if (err instanceof HubError) throw err;
    throw new HubError(`${ctx.label}: ${(err as Error).message}`, { cause: err });
  }
}
