import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadGsm8k, loadGsm8kFile, resolveUserPath } from '@exp/data';
import { resolveModel } from '@exp/models';
import {
  DEFAULT_SAVE_TOTAL_LIMIT,
  SAVE_DTYPES,
  SftError,
  lastSftCheckpoint,
  trainSft,
  verifyTrainingStep,
  writeTrainingStepValues,
} from '@exp/train';
import { parseOptions } from '../errors.js';
import { optionsFrom } from '../schema-options.js';
import { InterruptedError, type Io } from '../io.js';
import { withProgress } from '../progress.js';
import { interruptedExitCode, interruptible } from '../signals.js';
import {
  DEVICES,
  MANIFEST,
  SftManifest,
  checkpointHashes,
  sftBarUpdates,
  sftDataRecord,
} from '@exp/run';
import type { CommandFactory } from '../cli.js';

/** `exp sft [train]`'s options (yargs shows their defaults, as it always has). */
export const TrainSchema = z.object({
  model: z.string().min(1).describe('Checkpoint folder or model name'),
  data: z.string().min(1).optional().describe('Problems JSONL (default GSM8K train)'),
  samples: z.number().int().positive().default(500).describe('First N problems'),
  epochs: z.number().int().positive().default(2),
  lr: z.number().positive().default(5e-5).describe('Peak learning rate (linear decay)'),
  batchSize: z.number().int().positive().default(2),
  gradAccum: z.number().int().positive().default(2).describe('Micro-batches per optimizer step'),
  weightDecay: z.number().nonnegative().default(0.01),
  maxGradNorm: z.number().positive().default(1.0),
  warmup: z.number().int().nonnegative().default(0).describe('Warmup optimizer steps'),
  maxLength: z.number().int().positive().optional().describe('Truncate items to this many tokens'),
  seed: z.number().int().default(42),
  format: z.enum(['sft', 'qa']).default('sft').describe('sft | qa'),
  lossOn: z.enum(['completion', 'all']).default('completion').describe('completion | all'),
  checkpointEvery: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Write checkpoint-<step> every K steps'),
  saveTotalLimit: z
    .number()
    .int()
    .nonnegative()
    .default(DEFAULT_SAVE_TOTAL_LIMIT)
    .describe("checkpoint-<step> folders kept, the newest (HF's save_total_limit); 0 keeps all"),
  saveDtype: z
    .enum(SAVE_DTYPES)
    .default('source')
    .describe(
      `dtype of final/: ${SAVE_DTYPES.join('|')} (source: the checkpoint's own, e.g. bf16; training runs in float32, 16-bit rounds to nearest even; checkpoint-<step>/ stay float32 for exact resume)`,
    ),
  resume: z.boolean().default(false).describe('Continue from the last checkpoint-<step> in --out'),
  device: z
    .enum(DEVICES)
    .default('cpu')
    .describe(`Where the training step runs: ${DEVICES.join('|')}`),
  threads: z.number().int().positive().optional().describe('CPU threads (default: all cores)'),
  out: z.string().min(1).describe('Output folder'),
});

const isCheckpoint = (dir: string) =>
  existsSync(path.join(dir, 'config.json')) &&
  (existsSync(path.join(dir, 'model.safetensors')) ||
    existsSync(path.join(dir, 'model.safetensors.index.json')));

/**
 * An HF checkpoint folder and the sha256 of its config and weights: the path itself, or the
 * checkpoint a model name resolves to (a preset's generated source, a cached hub snapshot, a
 * registered local checkpoint).
 */
async function sourceCheckpoint(
  model: string,
): Promise<{ dir: string; sha256: Record<string, string> }> {
  const dir = resolveUserPath(model);
  if (isCheckpoint(dir)) return { dir, sha256: checkpointHashes(dir) };
  const r = await resolveModel(model);
  // resolving checked the source's hashes against its export: they are not computed again
  if (r.checkpointDir && isCheckpoint(r.checkpointDir)) {
    return { dir: r.checkpointDir, sha256: r.sourceSha256 };
  }
  throw new Error(
    `${model}: sft needs an HF checkpoint folder (config.json + model.safetensors), and ${r.dir} is an exported folder; pass a checkpoint's path`,
  );
}

/** `exp sft verify`'s options (yargs checks --precision's choices and shows its default). */
export const VerifySchema = z.object({
  checkpoint: z.string().min(1).describe('HF checkpoint folder (config.json + safetensors)'),
  golden: z
    .string()
    .min(1)
    .describe('Reference file with train.*, grad.*, after_adamw.* (golden.safetensors)'),
  out: z
    .string()
    .min(1)
    .optional()
    .describe('Write our train.loss, grad.<name>, after_adamw.<name> as safetensors'),
  precision: z
    .enum(['float32', 'float64'])
    .default('float32')
    .describe('float64 replays the step graph in float64: gradients to rel 1e-4 where |g| > 1e-6'),
});

/** The resume hint of a stopped `exp sft`; the error carries 130 / 143. */
function interrupted(io: Io, out: string, last: string | undefined): InterruptedError {
  io.out(
    last
      ? `interrupted: continue from ${path.basename(last)} with \`pnpm exp sft ... --out ${out} --resume\` (same options)`
      : 'interrupted before the first checkpoint (--checkpoint-every K writes one every K steps): nothing to resume',
  );
  return new InterruptedError(interruptedExitCode());
}

export const sftCommand: CommandFactory = (io) => (y) =>
  y.command('sft [action]', 'Supervised fine-tuning of Llama / DiffLlama checkpoints', (m) =>
    m
      .command(
        'verify',
        'One training step (loss, every gradient, one AdamW step) on a golden file batch, compared with golden',
        (c) => optionsFrom(c, VerifySchema, { defaults: true, choices: 'typed' }),
        async (argv) => {
          const o = parseOptions(VerifySchema, argv);
          const report = await verifyTrainingStep(
            resolveUserPath(o.checkpoint),
            resolveUserPath(o.golden),
            { precision: o.precision },
          );
          const e = (v: number) => v.toExponential(2);
          for (const c of report.checks) {
            io.out(
              `${c.pass ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(30)} max abs ${e(c.maxAbs)}  max rel ${e(c.maxRel)}  (${c.criterion}; ${c.count} values)`,
            );
          }
          if (o.out) {
            const out = resolveUserPath(o.out);
            await writeTrainingStepValues(out, report);
            io.out(`sft verify: wrote ${out}`);
          }
          const failed = report.checks.filter((c) => !c.pass).map((c) => c.name);
          if (!report.pass) throw new Error(`verification failed: ${failed.join(', ')}`);
          const closed = report.closedForm.length
            ? ` (${report.closedForm.length} after_adamw from golden's closed form)`
            : '';
          const f64 = o.precision === 'float64' ? ' in float64' : '';
          io.out(`verified loss, ${report.grads.size} gradients${f64} and one AdamW step${closed}`);
        },
      )
      .command(
        ['train', '$0'],
        'Fine-tune a checkpoint on GSM8K train items (loss.jsonl, final/ checkpoint; the default action)',
        (c) => optionsFrom(c, TrainSchema, { defaults: true }),
        async (argv) => {
          const o = parseOptions(TrainSchema, argv);
          const { dir: checkpoint, sha256: checkpointSha256 } = await sourceCheckpoint(o.model);
          const problems = o.data
            ? loadGsm8kFile(resolveUserPath(o.data), 'gsm8k-train')
            : loadGsm8k('train');
          const out = resolveUserPath(o.out);
          const dataFile = o.data ? resolveUserPath(o.data) : undefined;
          const manifest = new SftManifest(
            out,
            {
              command: ['exp', ...(io.args ?? [])],
              options: { ...o, out, ...(dataFile ? { data: dataFile } : {}) },
              seed: o.seed,
              model: { name: o.model, checkpoint, sha256: checkpointSha256 },
              data: sftDataRecord(dataFile, problems.length),
            },
            o.resume,
          );
          // Ctrl-C / SIGTERM: the batch in flight finishes, then a hint how to resume
          const stop = interruptible((sig) =>
            io.err(`interrupted (${sig}): stopping after the batch in flight (again to quit now)`),
          );
          const r = await withProgress(io, 'sft', (bar) => {
            const update = sftBarUpdates(bar);
            return trainSft({
              ...o,
              checkpoint,
              problems,
              out,
              onProgress: (p) => {
                manifest.start(); // training has begun: the options were accepted
                update(p);
              },
              signal: stop.signal,
            });
          })
            .catch((e: unknown) => {
              if (stop.signal.aborted && e instanceof SftError) {
                const last = lastSftCheckpoint(out);
                manifest.end('interrupted', { resumeFrom: last ?? null });
                throw interrupted(io, out, last);
              }
              manifest.end('failed', { error: (e as Error).message });
              throw e;
            })
            .finally(stop.dispose);
          const first = r.losses[0]?.loss;
          const last = r.losses.at(-1)?.loss;
          manifest.end('finished', {
            result: {
              steps: r.steps,
              loss: { first: first ?? null, last: last ?? null },
              final: r.out,
              sha256: checkpointHashes(r.out),
            },
          });
          io.out(`sft: ${r.steps} steps, loss ${first?.toFixed(4)} -> ${last?.toFixed(4)}`);
          io.out(
            `sft: wrote ${r.out}, ${path.join(out, 'loss.jsonl')} and ${path.join(out, MANIFEST)}`,
          );
        },
      ),
  );
