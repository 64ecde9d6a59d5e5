// The SFT loop: epochs of seeded batches, token-weighted gradient accumulation, clipping, a
// linear schedule, AdamW, loss.jsonl and checkpoints that a resumed run continues exactly.
import { ExpError, DEFAULT_SEED } from '@exp/data';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Problem } from '@exp/data';
import { loadTokenizer, type Device, type HfTokenizer } from '@exp/models';
import { IGNORE_INDEX } from './loss.js';
import { readSftLosses, SFT_LOSS_FILE, type SftLossRecord } from './loss-log.js';
import {
  encodeSftDataset,
  sftPadId,
  SftDataError,
  type LossOn,
  type SftFormat,
  type SftFormatName,
} from './data/format.js';
import { selectSftProblems } from './data/select.js';
import { sftBatches, type SftBatch } from './data/collate.js';
import { readCheckpointParams } from './checkpoint/params.js';
import { writeCheckpoint, type CheckpointDtype } from './checkpoint/write.js';
import {
  DEFAULT_SAVE_TOTAL_LIMIT,
  listSftCheckpoints,
  pruneSftCheckpoints,
  removeSftCheckpoint,
} from './checkpoint/prune.js';
import { TrainingStep } from './step-graph.js';
import { Optimizer } from './optim/adamw.js';
import {
  TRAINER_STATE_FILE,
  checkSameRun,
  readOptimizerState,
  readTrainerState,
  writeTrainerState,
  type TrainerState,
} from './checkpoint/trainer-state.js';
import { clipCoefficient } from './optim/clip.js';
import { linearWithWarmup } from './optim/schedule.js';
import { GroupSums } from './group-sums.js';

export interface SftOptions {
  /** HF checkpoint folder trained from. */
  checkpoint: string;
  problems: readonly Problem[];
  /** Default: the checkpoint folder's tokenizer. */
  tokenizer?: HfTokenizer;
  /** Problems used (selectSftProblems: the first N; default all). */
  samples?: number;
  seed?: number;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  gradAccum?: number;
  weightDecay?: number;
  maxGradNorm?: number;
  /** Warmup optimizer steps of the linear schedule. */
  warmup?: number;
  format?: SftFormatName | SftFormat;
  lossOn?: LossOn;
  maxLength?: number;
  /** Output folder: loss.jsonl, checkpoint-<step>/, final/. */
  out: string;
  /** Write checkpoint-<step> with optimizer state every K optimizer steps. */
  checkpointEvery?: number;
  /**
   * Complete checkpoint-<step> folders kept (HF Trainer's save_total_limit): after each new
   * one, older ones beyond this count are deleted. Default 2; 0 keeps all (HF's None).
   */
  saveTotalLimit?: number;
  /**
   * dtype of final/ (training computes in float32; 16-bit rounds to nearest even). Default
   * 'source': the dtype of the checkpoint trained from, as HF Trainer saves a model in its own
   * dtype. checkpoint-<step>/ weights are always float32: they are the exact master weights a
   * resume continues from.
   */
  saveDtype?: CheckpointDtype;
  /** Continue from the last checkpoint-<step> in `out`. */
  resume?: boolean;
  /** Where the training step runs (default cpu) and its CPU threads (default all cores). */
  device?: Device;
  threads?: number;
  onProgress?: (p: SftProgress) => void;
  signal?: AbortSignal;
}

export interface SftProgress {
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
  /** Label tokens of this step. */
  tokens: number;
}

export interface SftResult {
  steps: number;
  losses: SftLossRecord[];
  /** The final checkpoint folder (out/final). */
  out: string;
}

/** What saveDtype accepts. */
/** The fine-tuned checkpoint's folder inside `out` (an HF checkpoint in the save dtype). */
export const SFT_FINAL_DIR = 'final';

/** The dtypes final/ can be saved in, as a literal tuple (option schemas build their enum from it). */
export const SAVE_DTYPES = [
  'source',
  'float32',
  'bfloat16',
  'float16',
] as const satisfies readonly CheckpointDtype[];

export class SftError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'SftError';
  }
}

/** Labels the shifted loss counts (position t>0 of each row, not -100): what the mean divides by. */
function lossTokens(b: SftBatch): number {
  const [B, S] = b.dims;
  let n = 0;
  for (let r = 0; r < B; r++)
    for (let c = 1; c < S; c++) if (b.labels[r * S + c] !== BigInt(IGNORE_INDEX)) n++;
  return n;
}

/** The newest complete checkpoint-<step> folder in `out` (what --resume continues from). */
export function lastSftCheckpoint(out: string): string | undefined {
  return listSftCheckpoints(out)
    .filter((c) => c.complete)
    .at(-1)?.dir;
}

/**
 * Fine-tunes `checkpoint` on `problems`. Accumulation is token-weighted: each optimizer step's
 * gradient is that of the mean loss over all label tokens of its gradAccum micro-batches (HF
 * Trainer with num_items_in_batch, transformers >= 4.46); the logged loss is that same mean.
 * Micro-batches group within an epoch; an epoch's last group may be short (as in Trainer).
 */
export async function trainSft(opts: SftOptions): Promise<SftResult> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const epochs = opts.epochs ?? 2;
  const batchSize = opts.batchSize ?? 2;
  const gradAccum = opts.gradAccum ?? 2;
  const maxGradNorm = opts.maxGradNorm ?? 1.0;
  for (const [k, v] of Object.entries({ epochs, batchSize, gradAccum })) {
    if (!(Number.isInteger(v) && v > 0))
      throw new SftError(`${k}: expected a positive integer, got ${v}`);
  }
  const every = opts.checkpointEvery;
  if (every !== undefined && !(Number.isInteger(every) && every > 0)) {
    throw new SftError(`checkpointEvery: expected a positive integer, got ${every}`);
  }
  const keep = opts.saveTotalLimit ?? DEFAULT_SAVE_TOTAL_LIMIT;
  if (!(Number.isInteger(keep) && keep >= 0)) {
    throw new SftError(`saveTotalLimit: expected 0 (keep all) or a positive integer, got ${keep}`);
  }
  const saveDtype = opts.saveDtype ?? 'source';
  // checked now, not when final/ is written after hours of training
  if (!SAVE_DTYPES.includes(saveDtype)) {
    throw new SftError(
      `saveDtype: expected one of ${SAVE_DTYPES.join(', ')}, got ${JSON.stringify(saveDtype)}`,
    );
  }
  const tok = opts.tokenizer ?? (await loadTokenizer(opts.checkpoint));
  const problems = selectSftProblems(opts.problems, {
    n: opts.samples ?? opts.problems.length,
  });
  const { examples } = encodeSftDataset(tok, problems, {
    format: opts.format,
    lossOn: opts.lossOn,
    maxLength: opts.maxLength,
  });
  const config = JSON.parse(readFileSync(path.join(opts.checkpoint, 'config.json'), 'utf8')) as {
    vocab_size: number;
  };
  for (const e of examples) {
    const bad = e.inputIds.find((id) => id < 0 || id >= config.vocab_size);
    if (bad !== undefined) {
      throw new SftDataError(
        `item '${e.id}': token id ${bad} is outside the model's vocabulary (${config.vocab_size})`,
      );
    }
  }
  const padId = sftPadId(tok);
  const epochBatches = (epoch: number) => sftBatches(examples, { batchSize, seed, epoch, padId });
  const perEpoch = Math.ceil(Math.ceil(examples.length / batchSize) / gradAccum);
  const totalSteps = perEpoch * epochs;
  const schedule = linearWithWarmup(opts.warmup ?? 0, totalSteps);
  const baseLr = opts.lr ?? 5e-5;

  // the session first: a device that cannot run it leaves no output folder behind
  // accumulating: each run adds its gradients into the group's sums in place (GroupSums)
  const step = await TrainingStep.create(opts.checkpoint, {
    accumulate: true,
    session: { device: opts.device, threads: opts.threads },
  });
  mkdirSync(opts.out, { recursive: true });
  const lossFile = path.join(opts.out, SFT_LOSS_FILE);
  let losses: SftLossRecord[] = [];
  const run = JSON.stringify({
    seed,
    epochs,
    batchSize,
    gradAccum,
    maxGradNorm,
    lr: baseLr,
    warmup: opts.warmup ?? 0,
    weightDecay: opts.weightDecay ?? 0.01,
    items: examples.map((e) => e.id),
    // what the items encode to: other data, format, loss-on, max-length or tokenizer changes it
    tokens: examples
      .reduce(
        (h, e) => h.update(Int32Array.from([...e.inputIds, ...e.labels])),
        createHash('sha256'),
      )
      .digest('hex'),
  });
  let state: TrainerState = { step: 0, epoch: 0, batch: 0, run, names: [] };
  let source = opts.checkpoint;
  const resumeFrom = opts.resume ? lastSftCheckpoint(opts.out) : undefined;
  if (resumeFrom) {
    state = readTrainerState(resumeFrom);
    checkSameRun(resumeFrom, state, run);
    source = resumeFrom;
    // Records after the checkpoint were from steps that will run again.
    losses = readSftLosses(opts.out).filter((r) => r.step <= state.step);
  } else if (existsSync(path.join(opts.out, SFT_FINAL_DIR))) {
    throw new SftError(
      `${opts.out}: holds a finished run (final/); use another folder or remove it`,
    );
  } else if (existsSync(lossFile) && !opts.resume) {
    throw new SftError(`${opts.out}: holds an earlier run (pass resume, or another folder)`);
  }
  // resume without a checkpoint (killed before the first): start over, dropping its records
  writeFileSync(lossFile + '.tmp', losses.map((r) => JSON.stringify(r) + '\n').join(''));
  renameSync(lossFile + '.tmp', lossFile);

  const raw = readCheckpointParams(source);
  const params = new Map([...raw].map(([k, v]) => [k, v.data]));
  const opt = new Optimizer(params, { lr: baseLr, weightDecay: opts.weightDecay ?? 0.01 });
  if (resumeFrom) {
    const sizes = new Map([...params].map(([n, p]) => [n, p.length]));
    for (const [n, s] of readOptimizerState(resumeFrom, state, sizes)) opt.state.set(n, s);
  }

  const saveCheckpoint = async (next: { epoch: number; batch: number }) => {
    const dir = path.join(opts.out, `checkpoint-${state.step}`);
    // a leftover of a run killed while writing this step (no trainer_state.json): redone
    if (existsSync(dir) && !existsSync(path.join(dir, TRAINER_STATE_FILE)))
      removeSftCheckpoint(dir);
    // float32 whatever saveDtype is: a resume must continue from the exact master weights
    await writeCheckpoint(dir, raw, { sourceDir: opts.checkpoint, dtype: 'float32' });
    const names = [...opt.state.keys()];
    writeTrainerState(dir, { step: state.step, ...next, run, names }, opt.state);
    // only now, with the new checkpoint complete, may older ones go
    pruneSftCheckpoints(opts.out, keep);
  };

  const acc = new GroupSums(step);
  for (let epoch = state.epoch; epoch < epochs; epoch++) {
    const batches = epochBatches(epoch);
    const first = epoch === state.epoch ? state.batch : 0;
    let lossSum = 0;
    let tokens = 0;
    for (let i = first; i < batches.length; i++) {
      if (opts.signal?.aborted) throw new SftError('sft: aborted');
      const b = batches[i]!;
      const n = lossTokens(b);
      const groupEnd = (i + 1) % gradAccum === 0 || i === batches.length - 1;
      // A micro-batch with no label tokens (loss 0/0) contributes nothing: not run at all.
      if (n > 0) {
        lossSum += (await acc.add(params, b, n)) * n;
        tokens += n;
      }
      if (!groupEnd) continue;
      const lr = baseLr * schedule(state.step);
      if (tokens > 0) {
        // mean = sums / total, clipped: both folded into AdamW's one pass as a scale
        const { sums, total, norm } = acc.take();
        opt.lr = lr;
        opt.step(sums, clipCoefficient(norm, maxGradNorm) / total);
      }
      state.step++;
      const rec = {
        step: state.step,
        loss: tokens > 0 ? lossSum / tokens : NaN,
        lr,
      } satisfies SftLossRecord;
      losses.push(rec);
      // One write per line: a crash leaves whole records.
      appendFileSync(lossFile, JSON.stringify(rec) + '\n');
      opts.onProgress?.({ step: state.step, totalSteps, loss: rec.loss, lr, tokens });
      lossSum = 0;
      tokens = 0;
      if (every && state.step % every === 0 && state.step < totalSteps) {
        const last = i === batches.length - 1;
        await saveCheckpoint(last ? { epoch: epoch + 1, batch: 0 } : { epoch, batch: i + 1 });
      }
    }
  }
  const final = path.join(opts.out, SFT_FINAL_DIR);
  await writeCheckpoint(final, raw, { sourceDir: opts.checkpoint, dtype: saveDtype });
  return { steps: state.step, losses, out: final };
}
