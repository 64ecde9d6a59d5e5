// runEvaluation: zero-shot evaluation of models over datasets under one task, the counterpart of
// the original's run_comprehensive_evaluation. Every finished sample is appended to
// <outDir>/samples/<model>/<dataset>.jsonl at once (samples_<evalType>/ for another evaluation of
// the same run, e.g. post_sft), so a rerun continues where a killed one stopped; the results table
// is computed from those logs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { firstN, type Problem, BASELINE_DATASET, DEFAULT_SEED } from '@exp/data';
import {
  StopStringCriteria,
  cutAtStopStrings,
  type CausalLM,
  type GenerationResult,
  type HfTokenizer,
} from '@exp/models';
import { getExtractor } from '../extract/registry.js';
import { buildResultsTable, type ResultRow } from '../results/table.js';
import type { CiMethod } from '../stats/intervals.js';
import { SampleLog, readSampleLog } from '../samples/log.js';
import type { SampleRecord } from '../samples/record.js';
import { TaskError } from '../task/errors.js';
import { tokenSpans } from '../likelihood/score.js';
import { renderPrompts } from '../task/prompt.js';
import type { Task } from '../task/schema.js';

export interface EvalModel {
  /** Name used in logs and tables ('llama', 'tiny-diffllama', ...). */
  name: string;
  lm: CausalLM;
  tokenizer: HfTokenizer;
}

export interface EvalDataset {
  /** Name used in logs and tables ('clean', 'inf', ...). */
  name: string;
  problems: readonly Problem[];
  /**
   * Per problem id, its noise's [start, end) character spans in the question: what a knockout
   * evaluation (RunEvaluationOptions.knockout) blocks.
   */
  noiseSpans?: ReadonlyMap<string, readonly (readonly [number, number])[]>;
}

export interface EvalProgress {
  model: string;
  dataset: string;
  /** Samples finished in this set (including ones a previous run logged). */
  done: number;
  total: number;
  /** Samples a previous run had already logged (not generated again). */
  resumed: number;
  /** Tokens generated in this set by this run, and their rate. */
  generatedTokens: number;
  tokensPerSecond: number;
  /** 'start' before the set's first sample, 'sample' after each, 'end' when the set is done. */
  event: 'start' | 'sample' | 'end';
}

/**
 * Rows decoded together by default. A decode step of the real 375M models reads all 1.5 GB of
 * float32 weights whatever its rows, so on the 2-core CPU 32 rows decode ~190 tok/s against ~90
 * at 8 (README, "The seed's run on this machine"); results do not depend on it.
 */
export const DEFAULT_BATCH_SIZE = 32;

export interface RunEvaluationOptions {
  models: readonly EvalModel[];
  datasets: readonly EvalDataset[];
  task: Task;
  /** The first N items of each set (-1 or undefined: all). */
  maxSamples?: number;
  /** The run folder: samples/ go inside it. */
  outDir: string;
  /** Recorded in every sample line (default: the folder's name). */
  runId?: string;
  /** Rows generated at once by the continuous-batching scheduler (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /** Seed of every random choice: k-shot draws and bootstrap resamples (default 42). */
  seed?: number;
  /** Solved problems k-shot prompts draw from (GSM8K train); needed by k-shot templates. */
  fewshot?: readonly Problem[];
  /** The models compared by the paired difference, [a, b] = a - b (e.g. ['diffllama', 'llama']). */
  pair?: readonly [string, string];
  /** The dataset degradation is measured against (default 'clean'). */
  baseline?: string;
  /** Interval of a single Pass@1 in the table: 'wilson' (default) or 'clopper-pearson'. */
  ciMethod?: CiMethod;
  /** The results' eval_type (default 'zero_shot'); another keeps its logs in samples_<evalType>/. */
  evalType?: string;
  /**
   * Decode completions with transformers 4's clean_up_tokenization_spaces (" ." -> ".",
   * "1 ,000" -> "1,000"), to reproduce older runs. Default false: as transformers 5 decodes,
   * which leaves BPE text (Llama 3) as generated.
   */
  decodeCleanup?: boolean;
  onProgress?: (p: EvalProgress) => void;
  /** Stops between decoding steps; finished samples are kept, rows in flight are dropped. */
  signal?: AbortSignal;
  /**
   * Generation with attention to the noise knocked out from layer `fromLayer` on: only the items
   * with noise spans (EvalDataset.noiseSpans) are generated, their spans placed where the
   * question sits in the prompt and on the tokens they overlap (the models need a decoder with
   * the knockout inputs: loadCausalLM's `knockout`).
   */
  knockout?: { fromLayer: number };
}

export interface EvaluationResult {
  /** Pass@1 per model x dataset x extractor, with CIs, degradation and the paired difference. */
  rows: ResultRow[];
  /** Every logged sample of this run's models and datasets, in item order. */
  samples: SampleRecord[];
  /** True when `signal` stopped the run before every sample was done. */
  aborted: boolean;
  /** Logged prompts cut from the left to fit the model's context, per model and dataset. */
  truncated: Record<string, Record<string, number>>;
}

export const ZERO_SHOT = 'zero_shot';

/** samples/<model>/<dataset>.jsonl inside a run folder (samples_<evalType>/ unless zero-shot). */
export function sampleLogPath(
  outDir: string,
  model: string,
  dataset: string,
  evalType: string = ZERO_SHOT,
): string {
  const root = evalType === ZERO_SHOT ? 'samples' : `samples_${evalType}`;
  return path.join(outDir, root, model, `${dataset}.jsonl`);
}

/**
 * The evaluations whose sample logs a run folder holds, as { folder, evalType } (the inverse of
 * sampleLogPath): samples/ is zero-shot, samples_<evalType>/ another (e.g. samples_post_sft/).
 * Zero-shot first, then the others by folder name.
 */
export function sampleLogFolders(outDir: string): { folder: string; evalType: string }[] {
  const isDir = (name: string) => statSync(path.join(outDir, name)).isDirectory();
  const names = existsSync(outDir) ? readdirSync(outDir).sort() : [];
  const out: { folder: string; evalType: string }[] = [];
  if (names.includes('samples') && isDir('samples'))
    out.push({ folder: 'samples', evalType: ZERO_SHOT });
  for (const name of names) {
    const m = /^samples_(.+)$/.exec(name);
    if (m && m[1] !== ZERO_SHOT && isDir(name)) out.push({ folder: name, evalType: m[1] });
  }
  return out;
}

/** The gold an extractor compares with: the worked solution when it has `####`, else the number. */
function goldFor(problem: Problem): string {
  return problem.answer.includes('####') ? problem.answer : problem.final;
}

/** The task's stopping: stop strings by decoded text; EOS ids from the model unless disabled. */
function generationOptions(task: Task, tokenizer: HfTokenizer, seed: number) {
  const g = task.generation;
  return {
    maxNewTokens: g.maxNewTokens,
    doSample: g.doSample ?? false,
    ...(g.temperature !== undefined ? { temperature: g.temperature } : {}),
    ...(g.topK !== undefined ? { topK: g.topK } : {}),
    ...(g.topP !== undefined ? { topP: g.topP } : {}),
    repetitionPenalty: g.repetitionPenalty ?? 1,
    seed,
    ...(task.stopAtEos === false ? { stopTokenIds: [] } : {}),
    stoppingCriteria: task.stopStrings.length
      ? [new StopStringCriteria(task.stopStrings, tokenizer)]
      : [],
  };
}

/** The task's extractors, plus seed and strict (always scored: the flat fields and tables use them). */
export function scoredExtractors(task: Task): string[] {
  return [...new Set([...task.extractors, 'seed', 'strict'])];
}

interface SetContext {
  model: EvalModel;
  dataset: EvalDataset;
  items: readonly Problem[];
  /** Positions in `items` this evaluation generates (all but with a knockout). */
  scored: readonly number[];
  opts: RunEvaluationOptions;
  runId: string;
  seed: number;
}

function toRecord(
  ctx: SetContext,
  index: number,
  prompt: string,
  input: PromptInput,
  result: GenerationResult,
  ms: number,
): SampleRecord {
  const problem = ctx.items[index]!;
  const raw = ctx.model.tokenizer.decode(result.tokens, {
    skipSpecialTokens: true,
    ...(ctx.opts.decodeCleanup ? { cleanUpTokenizationSpaces: true } : {}),
  });
  const completion = cutAtStopStrings(raw, ctx.opts.task.stopStrings).text;
  const gold = goldFor(problem);
  const answers: Record<string, string | null> = {};
  const correct: Record<string, boolean> = {};
  for (const name of scoredExtractors(ctx.opts.task)) {
    const ex = getExtractor(name);
    answers[name] = ex.extract(completion);
    correct[name] = ex.isCorrect(answers[name], gold);
  }
  return {
    run: ctx.runId,
    model: ctx.model.name,
    dataset: ctx.dataset.name,
    id: problem.id,
    index,
    prompt,
    completion,
    gold: problem.final,
    answers,
    correct_by: correct,
    predicted: answers.seed!,
    predicted_strict: answers.strict!,
    correct: correct.seed!,
    correct_strict: correct.strict!,
    stop_reason: result.stopString ? `${result.stoppedBy}:${result.stopString}` : result.stoppedBy,
    prompt_tokens: input.ids.length,
    truncated_tokens: input.cut,
    new_tokens: result.tokens.length,
    ms,
  };
}

interface PromptInput {
  /** The token ids generation starts from. */
  ids: number[];
  /** Tokens cut from the prompt's left to fit the model's context (0: none). */
  cut: number;
}

/**
 * Token ids of a prompt as lm-eval's HFLM feeds them: when the prompt and the generation budget
 * do not fit the model's context (max_position_embeddings), only its last
 * context - maxNewTokens tokens are kept. A model that states no context is never cut.
 */
function promptInput(model: EvalModel, task: Task, prompt: string): PromptInput {
  const ids = model.tokenizer.encode(prompt).ids;
  const context = model.lm.config.maxPositionEmbeddings;
  if (context === null) return { ids, cut: 0 };
  const room = context - task.generation.maxNewTokens;
  if (room <= 0) {
    throw new TaskError(
      `task '${task.name}': generation.maxNewTokens ${task.generation.maxNewTokens} leaves no room for a prompt in ${model.name}'s context of ${context} positions`,
    );
  }
  if (ids.length <= room) return { ids, cut: 0 };
  return { ids: ids.slice(ids.length - room), cut: ids.length - room };
}

/**
 * The token spans of a problem's noise in its generation input: the question's character spans
 * moved to where the question sits in the prompt, placed on the tokens they overlap, less the
 * tokens cut from the prompt's left.
 */
function promptSpans(
  ctx: SetContext,
  problem: Problem,
  prompt: string,
  input: PromptInput,
): [number, number][] {
  const at = prompt.indexOf(problem.question);
  if (at < 0) {
    throw new TaskError(
      `knockout: the prompt template does not contain the question verbatim (problem ${problem.id}); noise spans cannot be placed`,
    );
  }
  const chars = (ctx.dataset.noiseSpans?.get(problem.id) ?? []).map(
    ([s, e]) => [s + at, e + at] as const,
  );
  const { offsets } = ctx.model.tokenizer.encode(prompt);
  return tokenSpans(offsets, chars)
    .map(([s, e]): [number, number] => [Math.max(s - input.cut, 0), e - input.cut])
    .filter(([s, e]) => e > s);
}

/** Generates what the set's log lacks; returns the logged samples by id and whether it finished. */
async function evaluateSet(
  ctx: SetContext,
): Promise<{ logged: ReadonlyMap<string, SampleRecord>; finished: boolean }> {
  const { model, dataset, items, opts } = ctx;
  const log = SampleLog.open(sampleLogPath(opts.outDir, model.name, dataset.name, opts.evalType));
  try {
    const todo = ctx.scored.filter((i) => !log.done.has(items[i]!.id));
    const resumed = ctx.scored.length - todo.length;
    let generatedTokens = 0;
    let done = resumed;
    const t0 = Date.now();
    const report = (event: EvalProgress['event']) =>
      opts.onProgress?.({
        model: model.name,
        dataset: dataset.name,
        done,
        total: ctx.scored.length,
        resumed,
        generatedTokens,
        tokensPerSecond: generatedTokens / Math.max((Date.now() - t0) / 1000, 1e-3),
        event,
      });
    report('start');
    if (todo.length === 0) {
      report('end');
      return { logged: log.done, finished: true };
    }
    // Every item's prompt, then the missing ones: with the lm-eval sampler shots depend on position.
    const all = renderPrompts(opts.task, items, { fewshot: opts.fewshot, seed: ctx.seed });
    const prompts = todo.map((i) => all[i]!);
    const inputs = prompts.map((p) => promptInput(model, opts.task, p));
    const knockout = opts.knockout
      ? {
          fromLayer: opts.knockout.fromLayer,
          spans: todo.map((i, k) => promptSpans(ctx, items[i]!, prompts[k]!, inputs[k]!)),
        }
      : undefined;
    const stream = model.lm.generateStream(
      inputs.map((x) => x.ids),
      {
        ...generationOptions(opts.task, model.tokenizer, ctx.seed),
        ...(knockout ? { knockout } : {}),
        // one seed per item, so sampling (if asked for) does not depend on scheduling
        seed: todo.map((i) => ctx.seed + i),
        batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
        signal: opts.signal,
      },
    );
    let last = Date.now();
    for await (const { index, result } of stream) {
      if (result.finishReason === 'aborted') continue;
      const now = Date.now();
      const item = todo[index]!;
      log.append(toRecord(ctx, item, prompts[index]!, inputs[index]!, result, now - last));
      last = now;
      generatedTokens += result.tokens.length;
      done++;
      report('sample');
    }
    report('end');
    return { logged: log.done, finished: done === ctx.scored.length };
  } finally {
    log.close();
  }
}

/** Runs every model on every dataset (resuming from the sample logs) and builds the table. */
export async function runEvaluation(opts: RunEvaluationOptions): Promise<EvaluationResult> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const runId = opts.runId ?? path.basename(path.resolve(opts.outDir));
  for (const name of opts.task.extractors) getExtractor(name); // unknown names fail before any work
  let aborted = false;
  const samples: SampleRecord[] = [];
  for (const model of opts.models) {
    for (const dataset of opts.datasets) {
      const items = firstN(dataset.problems, opts.maxSamples);
      // a knockout generates the items that have something to knock out
      const scored = items
        .map((_, i) => i)
        .filter((i) => !opts.knockout || (dataset.noiseSpans?.get(items[i]!.id)?.length ?? 0) > 0);
      const ctx: SetContext = { model, dataset, items, scored, opts, runId, seed };
      let logged: ReadonlyMap<string, SampleRecord>;
      if (aborted || opts.signal?.aborted) {
        // not reached this time: what an earlier run logged still counts
        aborted = true;
        const file = sampleLogPath(opts.outDir, model.name, dataset.name, opts.evalType);
        logged = new Map(existsSync(file) ? readSampleLog(file).map((r) => [r.id, r]) : []);
      } else {
        const set = await evaluateSet(ctx);
        logged = set.logged;
        aborted = !set.finished;
      }
      for (const i of scored) {
        const rec = logged.get(items[i]!.id);
        if (rec) samples.push(rec);
      }
    }
  }
  const rows = buildResultsTable(samples, {
    extractors: scoredExtractors(opts.task),
    seed,
    evalType: opts.evalType ?? ZERO_SHOT,
    baseline: opts.baseline ?? BASELINE_DATASET,
    pair: opts.pair ? [opts.pair[0], opts.pair[1]] : undefined,
    ciMethod: opts.ciMethod,
  });
  const truncated: EvaluationResult['truncated'] = {};
  for (const m of opts.models) {
    truncated[m.name] = Object.fromEntries(opts.datasets.map((d) => [d.name, 0]));
  }
  for (const r of samples) {
    if ((r.truncated_tokens ?? 0) > 0) truncated[r.model]![r.dataset]! += 1;
  }
  return { rows, samples, aborted, truncated };
}
