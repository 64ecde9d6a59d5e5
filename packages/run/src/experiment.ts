// runExperiment: data generation -> zero-shot evaluation -> SFT and post-SFT evaluation ->
// attention, in the run folder <out>/<run-id>/ (a rerun with the same id continues it). The
// report is not built here (@exp/report reads runs; `exp run` builds it afterwards).
import { existsSync, rmSync } from 'node:fs';
import { checkGsm8kCopy, resultsDir, resolveUserPath } from '@exp/data';
import { ciMethods, writeResults, type LikelihoodSummary, type ResultRow } from '@exp/eval';
import { listModels } from '@exp/models';
import { DEFAULT_SAVE_TOTAL_LIMIT } from '@exp/train';
import path from 'node:path';
import { attentionStep } from './attention.js';
import { checkDatasetNames, prepareData, type DataFile } from './data.js';
import { formatRunDisk, knownModelShape, runDisk } from './disk.js';
import { doseResponseStep } from './dose.js';
import { evidenceStep } from './evidence.js';
import { UsageError } from './errors.js';
import { Reporter, type RunEventListener, type RunStep } from './events.js';
import {
  assertSameData,
  assertSameOptions,
  createRunFolder,
  holdsResults,
  recordedAttempts,
  writeRunManifest,
  type RunFolder,
} from './folder.js';
import { readRunManifest, updateRunManifest, type Attempt, type RunManifest } from './manifest.js';
import { knockoutGenerateStep, likelihoodSession, writeLikelihoodTables } from './likelihood.js';
import { planRun, type RunOptions, type RunPlan } from './plan.js';
import { RUN_SFT_SETTINGS, sftStep } from './sft.js';
import { versions } from './versions.js';
import {
  needsTrain,
  resolveTask,
  truncationLines,
  zeroShotStep,
  type RunStepArgs,
} from './zero-shot.js';

export interface RunExperimentControl {
  /**
   * Aborting it stops zero-shot and post-SFT evaluation between decoding steps and fine-tuning
   * between optimizer steps (the samples in flight are dropped, what was logged is kept, and the
   * run is `interrupted` and can be continued); the other steps run to their end.
   */
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  /** The command line recorded in the manifest (default `exp run`). */
  command?: readonly string[];
}

export interface RunOutcome {
  runId: string;
  dir: string;
  status: 'finished' | 'interrupted';
  plan: RunPlan;
}

/** The run's plan, checked before any work: models and datasets known, options consistent. */
export function checkRun(options: RunOptions): RunPlan {
  const plan = planRun(options);
  checkModelNames(plan.models);
  checkDatasetNames(plan.datasets);
  return plan;
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

/** The plan as one line, and the disk it needs. */
function describePlan(plan: RunPlan, options: RunOptions, report: Reporter): void {
  report.out(
    `plan: models ${plan.models.join(',')} | datasets ${plan.datasets.join(',')} | eval samples ${plan.evalSamples === -1 ? 'all' : plan.evalSamples} | sft ${plan.sft.enabled ? `${plan.sft.samples}x${plan.sft.epochs}` : 'off'} | attention samples ${plan.steps.attention ? plan.attentionSamples : 'off'}`,
  );
  const shapes = new Map(plan.models.map((m) => [m, knownModelShape(m)]));
  const { saveTotalLimit, saveDtype } = options;
  const disk = runDisk(plan, shapes, { ...RUN_SFT_SETTINGS, saveTotalLimit, saveDtype });
  for (const line of formatRunDisk(disk)) report.out(line);
}

/** Runs the experiment `options` describe (RunOptionsSchema's output), reporting through events. */
export async function runExperiment(
  options: RunOptions,
  control: RunExperimentControl = {},
): Promise<RunOutcome> {
  const report = new Reporter(control.onEvent);
  const plan = checkRun(options);
  describePlan(plan, options, report);
  const out = options.out ? resolveUserPath(options.out) : resultsDir();
  const task = resolveTask(options);
  const folder = createRunFolder(out, options.runId);
  const written: { manifest: RunManifest | null } = { manifest: null };
  const signal = control.signal ?? new AbortController().signal;
  try {
    const aborted = await runInFolder(plan, options, report, task, folder, written, {
      signal,
      command: control.command ?? ['exp', 'run'],
    });
    return {
      runId: folder.id,
      dir: folder.dir,
      status: aborted ? 'interrupted' : 'finished',
      plan,
    };
  } catch (e) {
    recordFailure(folder, written.manifest, e);
    throw e;
  }
}

function gsm8kCopies(withTrain: boolean) {
  const entry = (split: 'test' | 'train') => {
    const c = checkGsm8kCopy(split);
    return { file: c.file, sha256: c.sha256, official: c.official };
  };
  return { test: entry('test'), ...(withTrain ? { train: entry('train') } : {}) };
}

/**
 * A run that fails before its first result leaves nothing behind (its folder goes, unless it was
 * there before this invocation); one that fails later keeps its folder, marked failed with the
 * error, and a rerun with the same id continues it. A refused rerun (other options or data) has
 * written nothing and leaves the run as it was.
 */
function recordFailure(folder: RunFolder, manifest: RunManifest | null, e: unknown): void {
  if (folder.created && !holdsResults(folder.dir)) {
    rmSync(folder.dir, { recursive: true, force: true });
    return;
  }
  if (!manifest) return;
  markFailed(manifest, e);
  writeRunManifest(folder.dir, manifest);
}

function markFailed(manifest: RunManifest, e: unknown): void {
  manifest.status = 'failed';
  manifest.error = String((e as Error)?.message ?? e).split('\n')[0];
  manifest.finished = new Date().toISOString();
  const attempt = manifest.attempts?.at(-1);
  if (attempt) Object.assign(attempt, { status: 'failed', finished: manifest.finished });
}

/**
 * Marks a run that runExperiment finished as failed, with the error, when what follows it fails
 * (`exp run` building the report): a rerun with the same id continues it.
 */
export function recordRunFailure(dir: string, e: unknown): void {
  updateRunManifest(dir, (m) => markFailed(m, e));
}

/** Times a step into `timings[key]` and reports its start and end. */
async function timedStep<T>(
  report: Reporter,
  step: RunStep,
  timings: Record<string, number>,
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  report.step = step;
  report.emit({ type: 'step', step, status: 'started' });
  const t = Date.now();
  try {
    return await fn();
  } finally {
    timings[key] = Date.now() - t;
    report.emit({ type: 'step', step, status: 'finished', ms: timings[key] });
  }
}

/** A step the options leave out: its event, and the line `exp run` prints ("sft: skipped (--skip-sft)"). */
function skipped(report: Reporter, step: RunStep, reason: string): void {
  report.step = step;
  report.emit({ type: 'step', step, status: 'skipped', reason });
  report.out(`${step}: ${reason}`);
}

/**
 * The likelihood step, then the knockout step on the same loaded models, then their tables;
 * returns whether the run was interrupted (its tables are then written by the run that ends)
 * and the likelihood summary it wrote (the evidence table's likelihood rows).
 */
async function likelihoodSteps(
  args: Omit<RunStepArgs, 'signal'>,
  signal: AbortSignal,
  timings: Record<string, number>,
  manifest: RunManifest,
): Promise<{ aborted: boolean; summary: LikelihoodSummary | null }> {
  const { plan, report } = args;
  const stopped = { aborted: true, summary: null };
  const session = likelihoodSession({ ...args, signal });
  let info: Awaited<ReturnType<typeof session.models>>['info'];
  try {
    await timedStep(report, 'likelihood', timings, 'likelihood_ms', () => session.plain());
    if (signal.aborted) return stopped;
    if (plan.steps.knockout) {
      const sets = await timedStep(report, 'knockout', timings, 'knockout_ms', () =>
        session.knockout(plan.steps.knockoutLayers),
      );
      if (signal.aborted) return stopped;
      if (sets.length === 0) {
        report.out('knockout: no noisy dataset with noise spans in this run; nothing to knock out');
      }
    } else skipped(report, 'knockout', 'skipped (--skip-knockout)');
    info = (await session.models()).info;
  } finally {
    // before generation loads the models again, with the knockout decode graph
    await session.dispose();
  }
  if (plan.steps.knockoutGenerate) {
    const g = await timedStep(report, 'knockout-generate', timings, 'knockout_generate_ms', () =>
      knockoutGenerateStep({ ...args, signal }),
    );
    if (g.aborted) return stopped;
    if (g.sets.length === 0) {
      report.out(
        'knockout-generate: no noisy dataset with noise spans in this run; nothing to generate',
      );
    }
  }
  // a run without zero-shot evaluation records the models here (the pair and rescore need them)
  if (Object.keys(manifest.models).length === 0) manifest.models = info;
  report.step = 'likelihood';
  const tables = writeLikelihoodTables(args.runDir, args.runDir, {
    models: manifest.models,
    seed: plan.seed,
  });
  for (const f of tables.files) {
    const step = path.basename(f).startsWith('knockout') ? 'knockout' : 'likelihood';
    report.out(`${step}: wrote ${f}`);
  }
  return { aborted: false, summary: tables.summary };
}

/** Runs the steps in the folder; returns whether the run was interrupted. */
async function runInFolder(
  plan: RunPlan,
  options: RunOptions,
  report: Reporter,
  task: ReturnType<typeof resolveTask>,
  folder: RunFolder,
  written: { manifest: RunManifest | null },
  ctl: { signal: AbortSignal; command: readonly string[] },
): Promise<boolean> {
  const previous = folder.resumed ? readRunManifest(folder.dir) : null;
  const started = new Date().toISOString();
  const measured = { ...options, task: options.task ?? null };
  // Options first: a refused rerun must not regenerate the noisy sets with its other seed.
  if (previous) assertSameOptions(folder.id, previous, measured);
  // this invocation's step times; `timings` holds their totals over every attempt
  const timings: Record<string, number> = {};
  const data: Record<string, DataFile> = await timedStep(
    report,
    'data-gen',
    timings,
    'data_ms',
    () => prepareData(plan, report, { needTrain: plan.steps.zeroShot && needsTrain(task) }),
  );
  report.step = 'run';
  if (previous) {
    assertSameData(folder.id, previous, data);
    report.out(`run ${folder.id}: continuing (${folder.dir})`);
  }
  const attempt: Attempt = { started, finished: null, status: 'running', timings };
  const manifest: RunManifest = {
    run: folder.id,
    status: 'running',
    started: previous?.started ?? started,
    resumed_at: previous ? [...(previous.resumed_at ?? []), started] : [],
    command: [...ctl.command],
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

  const stepArgs = { plan, options, task, data, runDir: folder.dir, runId: folder.id, report };
  let zeroShotRows: ResultRow[] = [];
  let aborted = false;
  if (plan.steps.zeroShot) {
    const outcome = await timedStep(report, 'zero-shot', timings, 'zero_shot_ms', () =>
      zeroShotStep({ ...stepArgs, signal: ctl.signal }),
    );
    manifest.models = outcome.models;
    aborted = outcome.result.aborted;
    zeroShotRows = outcome.result.rows;
    for (const f of Object.values(outcome.files)) report.out(`zero-shot: wrote ${f}`);
    for (const line of truncationLines('zero-shot', outcome.result, outcome.task)) report.out(line);
    const dose = doseResponseStep(folder.dir, manifest);
    if (dose) report.out(`zero-shot: wrote ${dose.csv}`);
    report.emit({
      type: 'results',
      step: 'zero-shot',
      rows: outcome.result.rows,
      methods: outcome.methods,
      extractors: outcome.task.extractors.filter((e) => e === 'seed' || e === 'strict'),
    });
  } else skipped(report, 'zero-shot', 'skipped (--skip-zero-shot)');

  if (!aborted && plan.steps.sft) {
    const sft = await timedStep(report, 'sft', timings, 'sft_ms', () =>
      sftStep({ ...stepArgs, signal: ctl.signal }),
    );
    manifest.sft = { ...manifest.sft, models: sft.models };
    aborted = sft.aborted;
    if (sft.result) {
      // one results table: the zero-shot rows, then the post-SFT ones
      const files = writeResults(folder.dir, [...zeroShotRows, ...sft.result.rows]);
      report.step = 'post-sft';
      report.out(`post-sft: wrote ${files.csv}`);
      for (const line of truncationLines('post-sft', sft.result, task)) report.out(line);
      const dose = doseResponseStep(folder.dir, manifest);
      if (dose) report.out(`post-sft: wrote ${dose.csv}`);
      const methods = ciMethods({ ciMethod: options.ciMethod });
      const extractors = ['seed', 'strict'];
      report.emit({
        type: 'results',
        step: 'post-sft',
        rows: sft.result.rows,
        methods,
        extractors,
      });
    }
  } else if (!plan.steps.sft) {
    skipped(report, 'sft', options.skipSft ? 'skipped (--skip-sft)' : 'off (--enable-sft runs it)');
  }
  let likelihood: LikelihoodSummary | null = null;
  if (!aborted && plan.steps.likelihood) {
    ({ aborted, summary: likelihood } = await likelihoodSteps(
      stepArgs,
      ctl.signal,
      timings,
      manifest,
    ));
  } else if (!plan.steps.likelihood) {
    skipped(report, 'likelihood', 'skipped (--skip-likelihood)');
    skipped(report, 'knockout', 'skipped (--skip-likelihood)');
  }
  if (!aborted && plan.steps.attention) {
    const a = await timedStep(report, 'attention', timings, 'attention_ms', () =>
      attentionStep({ plan, options, task, data, runDir: folder.dir, report }),
    );
    for (const s of a.skipped)
      report.out(`attention: ${s}: no noise spans in its records; skipped`);
    if (a.files.length)
      report.out(`attention: wrote ${a.files[0]} (+${a.files.length - 1} sample maps)`);
  } else if (!plan.steps.attention) {
    skipped(report, 'attention', 'skipped (--skip-attention)');
  }
  // The answer table, from every log the run wrote (samples, likelihood): its last step.
  const evidence = aborted ? null : evidenceStep(folder.dir, { manifest, likelihood });
  if (evidence) report.out(`evidence: wrote ${evidence.csv}`);
  // The manifest is final before any report is built: a report shows the run's real status.
  manifest.status = aborted ? 'interrupted' : 'finished';
  manifest.finished = new Date().toISOString();
  Object.assign(attempt, { status: manifest.status, finished: manifest.finished });
  writeRunManifest(folder.dir, manifest);
  return aborted;
}
