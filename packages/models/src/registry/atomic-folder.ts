// Folders that appear whole or not at all. The content is written into a temporary sibling
// (`<dst>.tmp-<pid>-<rand>`, same filesystem, so rename is atomic) and renamed into place only
// when complete. An existing folder is never removed before its replacement is whole: it is
// renamed aside (`<dst>.old-<pid>-<rand>`), the new one renamed in, then the old one removed.
// A process killed midway leaves only `.tmp-`/`.old-` siblings, which the next write into the
// same place cleans up (restoring an `.old-` folder when the kill fell between the two renames).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const LEFTOVER = /^\.(tmp|old)-(\d+)-[0-9a-f]+$/;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary siblings of `dst` left by dead processes; restores a lost `dst`. */
export function cleanLeftovers(dst: string): void {
  const parent = path.dirname(dst);
  const base = path.basename(dst);
  if (!existsSync(parent)) return;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(base)) continue;
    const m = LEFTOVER.exec(entry.slice(base.length));
    if (!m || processAlive(Number(m[2]))) continue;
    const leftover = path.join(parent, entry);
    if (m[1] === 'old' && !existsSync(dst)) renameSync(leftover, dst);
    else rmSync(leftover, { recursive: true, force: true });
  }
}

/** A fresh sibling name of `dst` for `kind` ('tmp' or 'old'). */
function sibling(dst: string, kind: 'tmp' | 'old'): string {
  return `${dst}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Runs `fill(tmp)` to write the folder's content into an empty temporary folder, then puts it at
 * `dst` (replacing what was there). When `fill` throws, the temporary folder is removed and
 * `dst` is untouched.
 */
export async function writeFolderAtomically<T>(
  dst: string,
  fill: (tmp: string) => Promise<T>,
): Promise<T> {
  let tmp = '';
  try {
    mkdirSync(path.dirname(dst), { recursive: true });
    cleanLeftovers(dst);
    tmp = sibling(dst, 'tmp');
    mkdirSync(tmp);
  } catch (err) {
    throw folderError(err, dst, tmp);
  }
  let result: T;
  try {
    result = await fill(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw folderError(err, dst, tmp);
  }
  try {
    return swapIn(tmp, dst, result);
  } catch (err) {
    throw folderError(err, dst, tmp);
  }
}

/** Why a folder could not be written, for errno codes a user can act on. */
const ERRNO_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a path component is a file, not a folder',
  EEXIST: 'a file is in the way',
  ENAMETOOLONG: 'name too long',
};

/**
 * A filesystem error while writing `dst`, as one line naming `dst` (or the file inside it) rather
 * than the temporary sibling the content was being written to; other errors pass unchanged.
 */
function folderError(err: unknown, dst: string, tmp: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof e.code !== 'string' || !(e.code in ERRNO_REASONS)) return err;
  let where = dst;
  if (typeof e.path === 'string' && tmp && (e.path === tmp || e.path.startsWith(tmp + path.sep))) {
    where = path.join(dst, path.relative(tmp, e.path));
  }
  const wrapped = new Error(
    `cannot write output folder ${dst}${where === dst ? '' : ` (${path.relative(dst, where)})`}: ${ERRNO_REASONS[e.code]} (${e.code})`,
  ) as NodeJS.ErrnoException;
  wrapped.code = e.code;
  wrapped.cause = err;
  return wrapped;
}

/** Puts the finished `tmp` at `dst`, replacing what was there only once `tmp` is in place. */
function swapIn<T>(tmp: string, dst: string, result: T): T {
  if (!existsSync(dst)) {
    renameSync(tmp, dst);
    return result;
  }
  const old = sibling(dst, 'old');
  renameSync(dst, old);
  try {
    renameSync(tmp, dst);
  } catch (err) {
    renameSync(old, dst);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
  return result;
}
