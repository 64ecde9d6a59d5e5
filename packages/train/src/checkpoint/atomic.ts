// A checkpoint folder appears whole or not at all: @exp/models' writeFolderAtomically fills a
// temporary sibling and renames it into place. Here only the refusal to replace a folder that
// holds anything but a checkpoint's own files.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFolderAtomically as writeWhole } from '@exp/models';
import { CheckpointWriteError } from './params.js';

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
  return writeWhole(dst, fill);
}
