// `exp run`: data generation -> zero-shot evaluation -> SFT and post-SFT evaluation -> attention
// -> report.
// The run folder is <out>/<run-id>/; a rerun with the same id continues it.
import { existsSync, rmSync } from 'node:fs';
import { checkGsm8kCopy, resultsDir, resolveUserPath } from '@exp/data';
import {
  CI_METHODS,
  DEFAULT_BATCH_SIZE,
  ciMethods,
  formatPivot,
  writeResults,
  type CiMethods,
  type ResultRow,
} from '@exp/eval';
import { listModels } from '@exp/models';
import { DEFAULT_SAVE_TOTAL_LIMIT } from '@exp/train';
import { buildReport } from '@exp/report';
import { flagName, parseOptions } from '../errors.js';
import type { CommandFactory } from '../cli.js';
import { InterruptedError, UsageError, type Io } from '../io.js';
import { checkDatasetNames, prepareData, type DataFile } from './run-data.js';
import {
  assertSameData,
  assertSameOptions,
  createRunFolder,
  holdsResults,
  readManifest,
  recordedAttempts,
  writeRunManifest,
  type Attempt,
  type RunFolder,
} from './run-folder.js';
import {
  DATASETS,
  DEVICES,
  MODELS,
  MODES,
  PROTOCOLS,
  SAVE_DTYPE_CHOICES,
  planRun,
  RunOptionsSchema,
  type RunOptions,
  type RunPlan,
} from './run-plan.js';
import {
  needsTrain,
  printTables,
  resolveTask,
  truncationLines,
  zeroShotStep,
  type ZeroShotOutcome,
} from './run-zero-shot.js';
import { attentionStep } from './run-attention.js';
import { givenOptions, RESUME_ALONGSIDE, resumeOptions } from './run-resume.js';
import { RUN_SFT_SETTINGS, sftStep } from './run-sft.js';
import { formatRunDisk, knownModelShape, runDisk } from './run-disk.js';
import { INSTRUCTIONS } from './instructions.js';
import { runSetup } from './setup.js';
import { versions } from './versions.js';
import { installSignalHandlers, interruptedExitCode, interruptible } from '../signals.js';

/** Ctrl-C or SIGTERM aborts between decoding steps; a second one leaves at once (signals.ts). */
function interruptSignal(io: Io): { signal: AbortSignal; dispose: () => void } {
  return interruptible((sig) =>
    io.err(
      `interrupted (${sig}): finishing the samples in flight is skipped; logged samples are kept`,
    ),
  );
}

function gsm8kCopies(withTrain: boolean) {
  const entry = (split: 'test' | 'train') => {
    const c = checkGsm8kCopy(split);
    return { file: c.file, sha256: c.sha256, official: c.official };
  };
  return { test: entry('test'), ...(withTrain ? { train: entry('train') } : {}) };
}

/** A model is a registered name or a folder; anything else is refused before any work. */
function checkModelNames(names: readonly string[]): void {
  const known = listModels();
  for (const name of names) {
    if (known.includes(name) || existsSync(resolveUserPath(name))) continue;
    throw new UsageError(
      `--models: expected a known model (${known.join(', ')}) or the path of a checkpoint or exported folder, got "${name}"`,
    );
  }
}

async function executeRun(plan: RunPlan, options: RunOptions, io: Io): Promise<number> {
  const out = options.out ? resolveUserPath(options.out) : resultsDir();
  const task = resolveTask(options);
  const folder = createRunFolder(out, options.runId);
  const written: { manifest: Record<string, unknown> | null } = { manifest: null };
  try {
    return await runInFolder(plan, options, io, task, folder, written);
  } catch (e) {
    if (!(e instanceof InterruptedError)) recordFailure(folder, written.manifest, e);
    throw e;
  }
}

/**
 * A run that fails before its first result leaves nothing behind (its folder goes, unless it was
 * there before this invocation); one that fails later keeps its folder, marked failed with the
 * error, and a rerun with the same id continues it. A refused rerun (other options or data) has
 * written nothing and leaves the run as it was.
 */
function recordFailure(
  folder: RunFolder,
  manifest: Record<string, unknown> | null,
  e: unknown,
): void {
  if (folder.created && !holdsResults(folder.dir)) {
    rmSync(folder.dir, { recursive: true, force: true });
    return;
  }
  if (!manifest) return;
  manifest.status = 'failed';
  manifest.error = String((e as Error)?.message ?? e).split('\n')[0];
  manifest.finished = new Date().toISOString();
  const attempt = (manifest.attempts as Attempt[]).at(-1)!;
  Object.assign(attempt, { status: 'failed', finished: manifest.finished });
  writeRunManifest(folder.dir, manifest);
}

async function runInFolder(
  plan: RunPlan,
  options: RunOptions,
  io: Io,
  task: ReturnType<typeof resolveTask>,
  folder: RunFolder,
  written: { manifest: Record<string, unknown> | null },
): Promise<number> {
  const previous = folder.resumed ? readManifest(folder.dir) : null;
  const started = new Date().toISOString();
  const t0 = Date.now();
  const measured = { ...options, task: options.task ?? null };
  // Options first: a refused rerun must not regenerate the noisy sets with its other seed.
  if (previous) assertSameOptions(folder.id, previous, measured);
  const data: Record<string, DataFile> = await prepareData(plan, io, {
    needTrain: plan.steps.zeroShot && needsTrain(task),
  });
  if (previous) {
    assertSameData(folder.id, previous, data);
    io.out(`run ${folder.id}: continuing (${folder.dir})`);
  }
  // this invocation's step times; `timings` holds their totals over every attempt
  const timings: Record<string, number> = { data_ms: Date.now() - t0 };
  const attempt: Attempt = { started, finished: null, status: 'running', timings };
  const manifest: Record<string, unknown> = {
    run: folder.id,
    status: 'running',
    started: (previous?.started as string | undefined) ?? started,
    resumed_at: previous ? [...((previous.resumed_at as string[]) ?? []), started] : [],
    command: ['exp', ...(io.args ?? [])],
    options: measured,
    operational: { threads: options.threads ?? null, batchSize: options.batchSize },
    plan,
    task,
    versions: versions(),
    // which interval each column of experiment_results holds (the report labels them with it)
    ci_methods: ciMethods({ ciMethod: options.ciMethod }),
    seeds: {
      run: plan.seed,
      noise: Object.fromEntries(Object.entries(data).map(([k, f]) => [k, f.seed])),
    },
    data,
    // the GSM8K copy used (EXP_GSM8K_DIR or the default): hashes and whether they are the official ones
    gsm8k: gsm8kCopies(plan.steps.sft || needsTrain(task)),
    models: {},
    sft: plan.steps.sft
      ? {
          ...RUN_SFT_SETTINGS,
          samples: plan.sft.samples,
          epochs: plan.sft.epochs,
          seed: plan.seed,
          saveTotalLimit: options.saveTotalLimit ?? DEFAULT_SAVE_TOTAL_LIMIT,
          saveDtype: options.saveDtype ?? 'source',
        }
      : null,
    attempts: [...recordedAttempts(previous), attempt],
  };
  writeRunManifest(folder.dir, manifest);
  written.manifest = manifest;

  const stepArgs = { plan, options, task, data, runDir: folder.dir, runId: folder.id, io };
  let outcome: ZeroShotOutcome | null = null;
  let aborted = false;
  if (plan.steps.zeroShot) {
    const { signal, dispose } = interruptSignal(io);
    const t1 = Date.now();
    try {
      outcome = await zeroShotStep({ ...stepArgs, signal });
    } finally {
      dispose();
      timings.zero_shot_ms = Date.now() - t1;
    }
    manifest.models = outcome.models;
    aborted = outcome.result.aborted;
    for (const f of Object.values(outcome.files)) io.out(`zero-shot: wrote ${f}`);
    printTables(io, outcome);
  } else io.out('zero-shot: skipped (--skip-zero-shot)');

  if (!aborted && plan.steps.sft) {
    const { signal, dispose } = interruptSignal(io);
    const t = Date.now();
    try {
      const sft = await sftStep({ ...stepArgs, signal });
      manifest.sft = { ...(manifest.sft as object), models: sft.models };
      aborted = sft.aborted;
      if (sft.result) {
        // one results table: the zero-shot rows, then the post-SFT ones
        const rows: ResultRow[] = [...(outcome?.result.rows ?? []), ...sft.result.rows];
        const files = writeResults(folder.dir, rows);
        io.out(`post-sft: wrote ${files.csv}`);
        for (const line of truncationLines('post-sft', sft.result, task)) io.out(line);
        for (const extractor of ['seed', 'strict']) {
          io.out('');
          io.out(formatPivot(sft.result.rows, extractor, manifest.ci_methods as CiMethods));
        }
      }
    } finally {
      dispose();
      timings.sft_ms = Date.now() - t;
    }
  } else if (!plan.steps.sft) {
    io.out(options.skipSft ? 'sft: skipped (--skip-sft)' : 'sft: off (--enable-sft runs it)');
  }
  if (!aborted && plan.steps.attention) {
    const t2 = Date.now();
    try {
      const a = await attentionStep({ plan, options, task, data, runDir: folder.dir, io });
      for (const s of a.skipped) io.out(`attention: ${s}: no noise spans in its records; skipped`);
      if (a.files.length)
        io.out(`attention: wrote ${a.files[0]} (+${a.files.length - 1} sample maps)`);
    } finally {
      timings.attention_ms = Date.now() - t2;
    }
  } else if (!plan.steps.attention) io.out('attention: skipped (--skip-attention)');
  // The manifest is final before the report is built: the report shows the run's real status.
  manifest.status = aborted ? 'interrupted' : 'finished';
  manifest.finished = new Date().toISOString();
  Object.assign(attempt, { status: manifest.status, finished: manifest.finished });
  writeRunManifest(folder.dir, manifest);
  if (!aborted && !options.skipReport) {
    const t3 = Date.now();
    const { files, notes } = await buildReport(folder.dir);
    // only the report's own facts are added afterwards
    timings.report_ms = Date.now() - t3;
    writeRunManifest(folder.dir, manifest);
    for (const n of notes) io.out(`report: ${n}`);
    io.out(`report: ${files.length} files; open ${folder.dir}/report.html`);
  }
  io.out(`manifest: ${folder.dir}/manifest.json`);
  if (aborted) {
    const out = options.out ? ` --out ${options.out}` : '';
    io.out(`interrupted: continue with \`pnpm exp run --resume ${folder.id}${out}\``);
    return interruptedExitCode();
  }
  return 0;
}

export const runCommand: CommandFactory = (io) => (y) =>
  y.command(
    'run',
    'Run the experiment: data generation, zero-shot evaluation, SFT, attention analysis, report',
    (c) =>
      c
        .option('quick-test', {
          type: 'boolean',
          describe: '20 eval samples, 50 SFT samples x 1 epoch, 5 attention samples',
        })
        .option('max-samples', {
          type: 'number',
          describe: 'Evaluation samples per dataset (-1 = all 1,319)',
        })
        .option('skip-data-gen', {
          type: 'boolean',
          describe: 'Use the noisy datasets already in data/',
        })
        .option('skip-zero-shot', { type: 'boolean', describe: 'Skip zero-shot evaluation' })
        .option('skip-sft', { type: 'boolean', describe: 'Skip fine-tuning' })
        .option('skip-attention', { type: 'boolean', describe: 'Skip attention analysis' })
        .option('skip-report', {
          type: 'boolean',
          describe: 'Do not write the report (run `exp report <run-dir>` later)',
        })
        .option('models', {
          type: 'string',
          describe: `Models, comma-separated (${MODELS.join(',')})`,
        })
        .option('datasets', {
          type: 'string',
          describe: `Datasets, comma-separated (${DATASETS.join(',')}, noise cells such as inf-k2-late, imported sets)`,
        })
        .option('mode', {
          type: 'string',
          describe: `Preset: ${MODES.join('|')} (quick: 20 eval, no SFT, 5 attention; medium: 100 eval, SFT 200x2, 10; full: all, SFT 500x2, 20)`,
        })
        .option('enable-sft', { type: 'boolean', describe: 'Run SFT even in quick mode' })
        .option('sft-samples', {
          type: 'number',
          describe: 'Training examples for SFT (default 500)',
        })
        .option('sft-epochs', { type: 'number', describe: 'SFT epochs (default 2)' })
        .option('save-total-limit', {
          type: 'number',
          describe: `SFT checkpoint-<step> folders kept per model, the newest (HF's save_total_limit; default ${DEFAULT_SAVE_TOTAL_LIMIT}; 0 keeps all)`,
        })
        .option('save-dtype', {
          type: 'string',
          describe: `dtype of sft/<model>/final, which post-SFT evaluation runs: ${SAVE_DTYPE_CHOICES.join('|')} (default source: the model's own, bf16 for the real ones; training runs in float32)`,
        })
        .option('attention-samples', { type: 'number', describe: 'Samples for attention analysis' })
        .option('seed', { type: 'number', describe: 'Seed for every random choice (default 42)' })
        .option('ci-method', {
          type: 'string',
          describe: `Interval of a single Pass@1: ${CI_METHODS.join('|')} (default wilson; paired differences use Newcombe's, degradation a bootstrap)`,
        })
        .option('setup', {
          type: 'boolean',
          describe: 'Only set up the environment (as `exp setup`)',
        })
        .option('instructions', { type: 'boolean', describe: 'Print the usage guide and exit' })
        .option('device', {
          type: 'string',
          describe: `Where models run: ${DEVICES.join('|')} (default cpu)`,
        })
        .option('threads', {
          type: 'number',
          describe: 'CPU threads per model (default: all cores)',
        })
        .option('batch-size', {
          type: 'number',
          describe: `Rows generated at once (continuous batching; results do not depend on it; default ${DEFAULT_BATCH_SIZE})`,
        })
        .option('decode-cleanup', {
          type: 'boolean',
          describe:
            'Decode completions with transformers 4\'s clean_up_tokenization_spaces (" ." -> ".", "1 ,000" -> "1,000"), to reproduce older runs (default: as transformers 5, which leaves Llama 3 text as generated)',
        })
        .option('protocol', {
          type: 'string',
          describe: `Evaluation protocol: ${PROTOCOLS.join('|')} (seed = the original's, the default; lm-eval = lm-evaluation-harness gsm8k)`,
        })
        .option('prompt', {
          type: 'string',
          describe: "Prompt template overriding the protocol's: bare|qa|cot|kshot|sft",
        })
        .option('task', {
          type: 'string',
          describe: 'A task JSON file (same schema as the built-in protocols)',
        })
        .option('fewshot-sampler', {
          type: 'string',
          describe:
            "How k-shot prompts draw their examples: lm-eval (lm-evaluation-harness's draw, --protocol lm-eval's) | per-item (from the seed and the item's id)",
        })
        .option('fewshot-seed', {
          type: 'number',
          describe:
            "Seed of the few-shot draw (default 1234, lm-eval's, with the lm-eval sampler; the run's --seed with per-item)",
        })
        .option('out', { type: 'string', describe: 'Folder of run folders (default results/)' })
        .option('run-id', {
          type: 'string',
          describe:
            'Name of the run folder; an existing one is continued, with the options it was started with',
        })
        .option('resume', {
          type: 'string',
          describe: `Continue run ID with the options its manifest recorded; only ${RESUME_ALONGSIDE.filter(
            (k) => k !== 'verbose',
          )
            .map(flagName)
            .join(
              ', ',
            )} may be given alongside (they do not change results; --device may: it is refused)`,
        }),
    async (argv) => {
      installSignalHandlers(); // before any work: a signal outside a clean-stop step exits at once
      const parsed = parseOptions(RunOptionsSchema, argv);
      const options = parsed.resume
        ? resumeOptions(parsed.resume, givenOptions(argv), parsed)
        : parsed;
      if (options.instructions) {
        io.out(INSTRUCTIONS);
        return;
      }
      if (options.setup) {
        await runSetup({ cuda: false }, io);
        return;
      }
      const plan = planRun(options);
      checkModelNames(plan.models);
      checkDatasetNames(plan.datasets);
      io.out(
        `plan: models ${plan.models.join(',')} | datasets ${plan.datasets.join(',')} | eval samples ${plan.evalSamples === -1 ? 'all' : plan.evalSamples} | sft ${plan.sft.enabled ? `${plan.sft.samples}x${plan.sft.epochs}` : 'off'} | attention samples ${plan.steps.attention ? plan.attentionSamples : 'off'}`,
      );
      const shapes = new Map(plan.models.map((m) => [m, knownModelShape(m)]));
      const { saveTotalLimit, saveDtype } = options;
      const disk = runDisk(plan, shapes, { ...RUN_SFT_SETTINGS, saveTotalLimit, saveDtype });
      for (const line of formatRunDisk(disk)) io.out(line);
      const code = await executeRun(plan, options, io);
      if (code !== 0) throw new InterruptedError(code); // 130 after SIGINT, 143 after SIGTERM
    },
  );
