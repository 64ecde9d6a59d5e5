// A checkpoint folder appears whole or not at all: it is filled in a temporary sibling (same
// filesystem, so rename is atomic) and renamed into place. An existing checkpoint is renamed
// aside first and removed only once the new one is in place. Mirrors @exp/models'
// registry/atomic-folder.ts, which that package does not export.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { CheckpointWriteError } from './params.js';

function sibling(dst: string, kind: 'tmp' | 'old'): string {
  return `${dst}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Refuses to replace anything but a missing or empty folder or one holding only `ours`. */
function checkReplaceable(dst: string, ours: readonly string[]): void {
  if (!existsSync(dst)) return;
  if (!statSync(dst).isDirectory()) {
    throw new CheckpointWriteError(`${dst}: exists and is not a folder`);
  }
  const foreign = readdirSync(dst).filter((f) => !ours.includes(f));
  if (foreign.length > 0) {
    throw new CheckpointWriteError(
      `${dst}: holds files a checkpoint does not (${foreign.slice(0, 3).join(', ')}); write into a new or empty folder`,
    );
  }
}

/** Runs `fill(tmp)` in a fresh temporary folder, then puts it at `dst`; on error `dst` is as it was. */
export async function writeFolderAtomically<T>(
  dst: string,
  ours: readonly string[],
  fill: (tmp: string) => Promise<T>,
): Promise<T> {
  checkReplaceable(dst, ours);
  mkdirSync(path.dirname(dst), { recursive: true });
  const tmp = sibling(dst, 'tmp');
  mkdirSync(tmp);
  let result: T;
  try {
    result = await fill(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
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
