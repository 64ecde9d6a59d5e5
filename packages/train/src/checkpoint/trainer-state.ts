// What a checkpoint-<step> folder adds to an HF checkpoint so that a resumed run continues
// exactly: trainer_state.json (where the run is, and the options that decide its trajectory) and
// optimizer.bin (AdamW's m and v). Read back with checks that name the file and what is wrong, so
// a damaged checkpoint is refused rather than resumed with wrong state.
import { ExpError } from '@exp/data';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { adamwState, type AdamWState } from '../optim/adamw.js';

export const TRAINER_STATE_FILE = 'trainer_state.json';
export const OPTIMIZER_FILE = 'optimizer.bin';

/** Raised for a checkpoint that cannot be resumed from; the message names the file. */
export class TrainerStateError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'TrainerStateError';
  }
}

const count = z.number().int().nonnegative();
const TrainerStateSchema = z.strictObject({
  step: count,
  epoch: count,
  batch: count,
  run: z.string(),
  names: z.array(z.string()),
});

/** Where a run is: completed optimizer steps and the next micro-batch (epoch, index). */
export interface TrainerState {
  step: number;
  epoch: number;
  batch: number;
  /** JSON of the options that decide the trajectory; a resume with others is refused. */
  run: string;
  /** Parameters in optimizer.bin's order. */
  names: string[];
}

/** Writes optimizer.bin, then trainer_state.json by rename: without it a folder is never resumed. */
export function writeTrainerState(
  dir: string,
  state: TrainerState,
  moments: ReadonlyMap<string, AdamWState>,
): void {
  // optimizer.bin: m then v of each parameter in state.names order, float32
  const parts = state.names.flatMap((n) => [moments.get(n)!.m, moments.get(n)!.v]);
  writeFileSync(
    path.join(dir, OPTIMIZER_FILE),
    Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))),
  );
  const file = path.join(dir, TRAINER_STATE_FILE);
  writeFileSync(file + '.tmp', JSON.stringify(state));
  renameSync(file + '.tmp', file);
}

/** trainer_state.json of `dir`, validated. */
export function readTrainerState(dir: string): TrainerState {
  const file = path.join(dir, TRAINER_STATE_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TrainerStateError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = TrainerStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'the file';
    throw new TrainerStateError(`${file}: ${where}: ${issue.message}`);
  }
  return parsed.data;
}

/** Throws unless `state` was written by a run with the options `run` (the same JSON). */
export function checkSameRun(dir: string, state: TrainerState, run: string): void {
  if (state.run === run) return;
  const was = JSON.parse(state.run) as Record<string, unknown>;
  const now = JSON.parse(run) as Record<string, unknown>;
  const show = (v: unknown) =>
    Array.isArray(v) ? `${v.length} problems` : v === undefined ? 'unset' : JSON.stringify(v);
  const diffs = [...new Set([...Object.keys(was), ...Object.keys(now)])]
    .filter((k) => JSON.stringify(was[k]) !== JSON.stringify(now[k]))
    .map((k) => {
      if (k === 'tokens')
        return 'the items encode to other tokens: other data, format, loss-on or max-length';
      const same = Array.isArray(was[k]) && Array.isArray(now[k]) && show(was[k]) === show(now[k]);
      return `${k} ${show(was[k])}, now ${same ? 'other problems' : show(now[k])}`;
    });
  throw new TrainerStateError(
    `${dir}: written by a run with other options (${diffs.join('; ')}), not resumable: pass the same options, or another --out`,
  );
}

/** AdamW's state from optimizer.bin: `sizes` gives each parameter's length (the checkpoint's). */
export function readOptimizerState(
  dir: string,
  state: TrainerState,
  sizes: ReadonlyMap<string, number>,
): Map<string, AdamWState> {
  const file = path.join(dir, OPTIMIZER_FILE);
  const unknown = state.names.find((n) => !sizes.has(n));
  if (unknown !== undefined) {
    throw new TrainerStateError(
      `${path.join(dir, TRAINER_STATE_FILE)}: names parameter '${unknown}', which the model does not have`,
    );
  }
  const total = state.names.reduce((a, n) => a + sizes.get(n)!, 0);
  const buf = readFileSync(file);
  if (buf.byteLength !== 8 * total) {
    throw new TrainerStateError(
      `${file}: ${buf.byteLength} bytes, expected ${8 * total} (m and v of ${state.names.length} parameters, ${total} values in all, float32)`,
    );
  }
  // a copy: readFileSync's buffer may start at an offset a Float32Array cannot view
  const f = new Float32Array(new Uint8Array(buf).buffer);
  const out = new Map<string, AdamWState>();
  let o = 0;
  for (const name of state.names) {
    const n = sizes.get(name)!;
    const s = adamwState(n);
    s.step = state.step;
    s.m.set(f.subarray(o, o + n));
    s.v.set(f.subarray(o + n, o + 2 * n));
    o += 2 * n;
    out.set(name, s);
  }
  return out;
}
