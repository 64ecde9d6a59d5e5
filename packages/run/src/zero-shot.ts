// The run's zero-shot step: models resolved (pulled and exported on first use), datasets loaded,
// runEvaluation with a progress bar per model x dataset, results written and the pivot printed.
import { ProblemSchema, loadGsm8k, readJsonl, resolveUserPath, type Problem } from '@exp/data';
import {
  ciMethods,
  comparisonPair,
  TaskError,
  hasPromptTemplate,
  listPromptTemplates,
  resolveTask as resolveEvalTask,
  runEvaluation,
  withFewshot,
  writeResults,
  type EvalModel,
  type EvalProgress,
  type CiMethods,
  type EvaluationResult,
  type Task,
} from '@exp/eval';
import {
  loadCausalLM,
  loadTokenizer,
  resolveModel,
  type LoadCausalLMOptions,
  type ResolvedModel,
} from '@exp/models';
import { UsageError } from './errors.js';
import type { Reporter } from './events.js';
import type { Progress } from './events.js';
import type { DataFile } from './data.js';
import type { RunOptions, RunPlan } from './plan.js';

/** The task of the run: a task file, or a built-in protocol with an optional prompt template. */
export function resolveTask(o: RunOptions): Task {
  // Flag mistakes are usage errors (exit 2, like an unknown --protocol); a bad task file is not.
  if (o.task && o.protocol) {
    throw new UsageError(
      '--task and --protocol contradict each other (a task file replaces the protocol); pass one',
    );
  }
  if (o.prompt && !hasPromptTemplate(o.prompt)) {
    throw new UsageError(
      `--prompt: unknown prompt template '${o.prompt}' (known: ${listPromptTemplates().join(', ')})`,
    );
  }
  const task = resolveEvalTask({
    protocol: o.protocol,
    file: o.task ? resolveUserPath(o.task) : undefined,
    prompt: o.prompt,
  });
  try {
    return withFewshot(task, { sampler: o.fewshotSampler, seed: o.fewshotSeed });
  } catch (e) {
    if (!(e instanceof TaskError)) throw e;
    const option = o.fewshotSampler !== undefined ? '--fewshot-sampler' : '--fewshot-seed';
    throw new UsageError(`${option}: ${e.message}`);
  }
}

/**
 * One line per model and set whose prompts were cut from the left to fit the model's context
 * (prompt + generation budget > max_position_embeddings), as lm-eval cuts them; none if none.
 */
export function truncationLines(step: string, result: EvaluationResult, task: Task): string[] {
  const lines: string[] = [];
  for (const [model, sets] of Object.entries(result.truncated)) {
    for (const [dataset, cut] of Object.entries(sets)) {
      if (cut === 0) continue;
      const total = result.samples.filter((s) => s.model === model && s.dataset === dataset);
      lines.push(
        `${step}: ${model} ${dataset}: ${cut} of ${total.length} prompts cut from the left to fit the model's context (its last max_position_embeddings - ${task.generation.maxNewTokens} tokens kept, as lm-eval does)`,
      );
    }
  }
  return lines;
}

export function loadProblems(name: string, file: DataFile): Problem[] {
  if (name === 'clean') return loadGsm8k('test');
  return readJsonl(file.path, ProblemSchema);
}

/** Whether a task's prompts need GSM8K train (k-shot examples). */
export function needsTrain(task: Task): boolean {
  return (task.prompt.shots ?? 0) > 0;
}

export interface ModelInfo {
  dir: string;
  modelType: string;
  source: ResolvedModel['source'];
  sourceSha256: ResolvedModel['sourceSha256'];
}

/**
 * Resolves and loads every model of the plan. `decoder: 'present'` skips building the
 * external-kv decode graph, which only generation uses (a step that runs single forwards, such as
 * attention, loads faster and with less memory without it). `valueNorms` asks for exports with
 * value_norms.{i} (the attention step's value-weighted shares), `exportKnockout` for exports with
 * the knockout inputs (the likelihood knockout); a cached export without them is made again
 * once. `knockout` builds the decode graph with the knockout inputs (generation with knockout).
 */
export async function loadModels(
  plan: RunPlan,
  o: RunOptions,
  report: Reporter,
  load: Pick<LoadCausalLMOptions, 'decoder' | 'knockout'> & {
    valueNorms?: boolean;
    exportKnockout?: boolean;
  } = {},
): Promise<{ models: EvalModel[]; info: Record<string, ModelInfo> }> {
  const { valueNorms, exportKnockout, ...loadOptions } = load;
  const models: EvalModel[] = [];
  const info: Record<string, ModelInfo> = {};
  for (const name of plan.models) {
    const bar = report.bar(`model ${name}`);
    let resolved: ResolvedModel;
    try {
      // presets keep their own fixed init seed: the run's seed chooses data, not weights
      resolved = await resolveModel(name, {
        ...(valueNorms ? { valueNorms } : {}),
        ...(exportKnockout ? { knockout: true } : {}),
        onProgress: (p) => {
          if (p.step === 'pull' && p.pull.total)
            bar.update(p.pull.downloaded, p.pull.total, p.pull.file);
          else if (p.step === 'init') report.out(`model ${name}: ${p.message}`);
          else if (p.step === 'reexport')
            report.out(`model ${name}: exporting again (${p.reason})`);
        },
      });
    } finally {
      bar.stop();
    }
    if (resolved.exported) report.out(`model ${name}: exported to ${resolved.dir}`);
    const lm = await loadCausalLM(resolved.dir, {
      ...loadOptions,
      device: o.device,
      threads: o.threads,
    });
    const tokenizer = await loadTokenizer(resolved.dir, { modelVocabSize: lm.config.vocabSize });
    models.push({ name: resolved.name, lm, tokenizer });
    info[resolved.name] = {
      dir: resolved.dir,
      modelType: lm.config.modelType,
      source: resolved.source,
      sourceSha256: resolved.sourceSha256,
    };
  }
  return { models, info };
}

/**
 * runEvaluation's progress for a step: a bar per model x dataset, and one line when a set starts
 * from logged samples and when it ends. `stop` clears a bar left by an error.
 */
export function evalProgress(
  report: Reporter,
  step: string,
): { onProgress: (p: EvalProgress) => void; stop: () => void } {
  let bar: Progress | null = null;
  const onProgress = (p: EvalProgress) => {
    const label = `${p.model} ${p.dataset}`;
    if (p.event === 'start') {
      bar = report.bar(step === 'zero-shot' ? label : `${step} ${label}`);
      bar.update(p.done, p.total);
      if (p.resumed) report.out(`${step}: ${label}: ${p.resumed} samples already logged`);
      return;
    }
    bar?.update(p.done, p.total, `| ${p.tokensPerSecond.toFixed(0)} tok/s`);
    if (p.event === 'end') {
      bar?.stop();
      bar = null;
      report.out(
        `${step}: ${label}: ${p.done}/${p.total} samples (${p.generatedTokens} tokens generated, ${p.tokensPerSecond.toFixed(1)} tok/s)`,
      );
    }
  };
  return { onProgress, stop: () => (bar as Progress | null)?.stop() };
}

export interface ZeroShotOutcome {
  result: EvaluationResult;
  task: Task;
  models: Record<string, ModelInfo>;
  files: { csv: string; json: string; arrow: string };
  /** How the table's intervals were computed (printed with them). */
  methods: CiMethods;
}

/** What every evaluation step of a run gets. */
export interface RunStepArgs {
  plan: RunPlan;
  options: RunOptions;
  task: Task;
  data: Record<string, DataFile>;
  runDir: string;
  runId: string;
  report: Reporter;
  signal: AbortSignal;
}

/** The settings every evaluation of the run shares (zero-shot and post-SFT). */
export function evaluationSettings(args: RunStepArgs) {
  const { plan, options } = args;
  return {
    task: args.task,
    maxSamples: plan.evalSamples,
    outDir: args.runDir,
    runId: args.runId,
    batchSize: options.batchSize,
    seed: plan.seed,
    decodeCleanup: options.decodeCleanup,
    ciMethod: options.ciMethod,
    signal: args.signal,
  };
}

export async function zeroShotStep(args: RunStepArgs): Promise<ZeroShotOutcome> {
  const { plan, options, task, report } = args;
  const datasets = plan.datasets.map((name) => ({
    name,
    problems: loadProblems(name, args.data[name]!),
  }));
  for (const d of datasets) {
    if (plan.evalSamples > d.problems.length) {
      report.out(
        `zero-shot: --max-samples ${plan.evalSamples} is more than ${d.name} has; using all ${d.problems.length}`,
      );
    }
  }
  // With the attention and knockout steps on, their outputs and inputs come with the first
  // export (not a second one).
  const { models, info } = await loadModels(plan, options, report, {
    ...(plan.steps.attention ? { valueNorms: true } : {}),
    ...(plan.steps.knockout ? { exportKnockout: true } : {}),
  });
  const fewshot = needsTrain(task) ? loadGsm8k('train') : undefined;
  const progress = evalProgress(report, 'zero-shot');
  try {
    const result = await runEvaluation({
      models,
      datasets,
      ...evaluationSettings(args),
      fewshot,
      pair: comparisonPair(info),
      onProgress: progress.onProgress,
    });
    const files = writeResults(args.runDir, result.rows);
    return {
      result,
      task,
      models: info,
      files,
      methods: ciMethods({ ciMethod: options.ciMethod }),
    };
  } finally {
    progress.stop();
    for (const m of models) await m.lm.dispose();
  }
}
