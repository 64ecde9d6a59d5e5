// Checkpoint rotation as HF Trainer's `save_total_limit`: after a new checkpoint-<step> is
// complete, only the newest `limit` complete ones are kept. Deletion comes after the new
// checkpoint's trainer_state.json is in place, oldest first, and each folder loses its
// trainer_state.json before anything else, so a kill at any moment leaves the newest
// checkpoint whole and never a half-deleted folder that looks resumable.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { TRAINER_STATE_FILE } from './trainer-state.js';

/** Checkpoints kept when no limit is given: HF's usual `save_total_limit=2`. */
export const DEFAULT_SAVE_TOTAL_LIMIT = 2;

export interface SftCheckpointFolder {
  step: number;
  dir: string;
  /** trainer_state.json is present: the folder can be resumed from. */
  complete: boolean;
}

/** The checkpoint-<step> folders of `out`, oldest first. */
export function listSftCheckpoints(out: string): SftCheckpointFolder[] {
  if (!existsSync(out)) return [];
  return readdirSync(out)
    .map((f) => /^checkpoint-(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => {
      const dir = path.join(out, m[0]);
      return { step: Number(m[1]), dir, complete: existsSync(path.join(dir, TRAINER_STATE_FILE)) };
    })
    .sort((a, b) => a.step - b.step);
}

/** Deletes a checkpoint folder so that no moment of it reads as a complete checkpoint. */
export function removeSftCheckpoint(dir: string): void {
  rmSync(path.join(dir, TRAINER_STATE_FILE), { force: true });
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Keeps the newest `limit` complete checkpoints of `out` (0 keeps all, like HF's None) and
 * deletes the rest, oldest first; incomplete leftovers older than the newest complete one (a
 * run killed while writing them) go too. Returns the deleted folders.
 */
export function pruneSftCheckpoints(out: string, limit: number): string[] {
  if (limit === 0) return [];
  const all = listSftCheckpoints(out);
  const complete = all.filter((c) => c.complete);
  if (complete.length === 0) return [];
  const keepFrom = complete[Math.max(0, complete.length - limit)]!.step;
  const newest = complete.at(-1)!.step;
  const doomed = all.filter((c) => (c.complete ? c.step < keepFrom : c.step < newest));
  for (const c of doomed) removeSftCheckpoint(c.dir);
  return doomed.map((c) => c.dir);
}
