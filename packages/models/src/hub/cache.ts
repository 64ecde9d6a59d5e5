// The Hugging Face cache layout, shared with huggingface_hub / transformers, so a model pulled
// here is found by Python tools and the other way round:
//   <cache>/models--{org}--{name}/blobs/<etag>            file contents (etag = sha256 for LFS)
//   <cache>/models--{org}--{name}/snapshots/<commit>/...  relative symlinks into blobs/
//   <cache>/models--{org}--{name}/refs/<revision>         the commit a branch/tag resolved to
import { getHFHubCachePath, getRepoFolderName } from '@huggingface/hub';
import { copyFile, lstat, mkdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';

export const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub (huggingface_hub's rules). */
export function hubCacheDir(): string {
  return getHFHubCachePath();
}

/** The cache folder of a model repo ("org/name" -> <cache>/models--org--name). */
export function repoCacheFolder(cacheDir: string, repo: string): string {
  return path.join(cacheDir, getRepoFolderName({ type: 'model', name: repo }));
}

/** Size of a file (following symlinks), or undefined when it does not exist. */
export async function fileSize(file: string): Promise<number | undefined> {
  try {
    const s = await stat(file);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** The commit a ref points to in the cache, if any. */
export async function readRef(storage: string, revision: string): Promise<string | undefined> {
  if (COMMIT_HASH.test(revision)) return revision;
  try {
    const commit = (await readFile(path.join(storage, 'refs', revision), 'utf8')).trim();
    return COMMIT_HASH.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

/** Points `pointer` at `blob` with a relative symlink (a copy where symlinks are not allowed). */
export async function linkBlob(blob: string, pointer: string): Promise<void> {
  await mkdir(path.dirname(pointer), { recursive: true });
  try {
    await lstat(pointer);
    await rm(pointer);
  } catch {
    // not there yet
  }
  try {
    await symlink(path.relative(path.dirname(pointer), blob), pointer);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    await copyFile(blob, pointer);
  }
}
