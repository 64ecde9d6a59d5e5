// runLikelihood: the gold solution's likelihood for models x datasets, one resumable per-item
// log per model and dataset (<outDir>/likelihood/<model>/<dataset>.jsonl), like runEvaluation's
// sample logs; the summary is computed from the logs (summarizeLikelihood).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BASELINE_DATASET, DEFAULT_SEED, firstN, type Problem } from '@exp/data';
import type { EvalModel } from '../run/run-evaluation.js';
import { SampleLog, readSampleLog } from '../samples/log.js';
import { TaskError } from '../task/errors.js';
import { renderPrompts } from '../task/prompt.js';
import type { Task } from '../task/schema.js';
import { LikelihoodRecordSchema, type LikelihoodRecord } from './record.js';
import { hasWorkedSolution, scoreTexts, type ScoreOptions, type ScoreText } from './score.js';

/**
 * A set to score; `noiseNumbers` maps a problem id to the numbers only its noise holds,
 * `noiseSpans` to its noise's [start, end) character spans in the problem's question (what a
 * knockout run blocks).
 */
export interface LikelihoodDataset {
  name: string;
  problems: readonly Problem[];
  noiseNumbers?: ReadonlyMap<string, readonly string[]>;
  noiseSpans?: ReadonlyMap<string, readonly (readonly [number, number])[]>;
}

export interface RunLikelihoodOptions {
  models: readonly EvalModel[];
  datasets: readonly LikelihoodDataset[];
  /** The evaluated protocol: its prompt template renders the `protocol` texts. */
  task: Task;
  outDir: string;
  /** Recorded in every line (default: the folder's name). */
  runId?: string;
  /** The first N items of each set (-1 or undefined: all). */
  maxSamples?: number;
  /** Seed of the task's few-shot draw (default 42). */
  seed?: number;
  /** Solved problems k-shot prompts draw from (GSM8K train). */
  fewshot?: readonly Problem[];
  /** The clean set (default 'clean'): its items are scored on every noisy set's numbers. */
  baseline?: string;
  /** Tokens per forward batch (default DEFAULT_BATCH_TOKENS). */
  batchTokens?: number;
  /** Where logits are reduced (ScoreOptions.reduce; default 'onnx'). */
  reduce?: ScoreOptions['reduce'];
  /**
   * Attention knockout of the noise: only the items with noise spans (LikelihoodDataset.
   * noiseSpans) are scored, both texts with the spans' tokens knocked out from layer
   * `fromLayer` on (ScoreText.knockout, placed where the question sits in each prompt).
   */
  knockout?: { fromLayer: number };
  /** Folder of the `<model>/<dataset>.jsonl` logs (default `<outDir>/likelihood`). */
  logDir?: string;
  /** Stops between chunks of items when aborted (what was logged is kept). */
  signal?: AbortSignal;
  /** `resumed`: items of the set already logged when it starts (reported once, done = resumed). */
  onProgress?: (p: {
    model: string;
    dataset: string;
    done: number;
    total: number;
    resumed?: number;
  }) => void;
}

/** likelihood/<model>/<dataset>.jsonl inside a run folder (or `<logDir>/<model>/...`). */
export function likelihoodLogPath(
  outDir: string,
  model: string,
  dataset: string,
  logDir = path.join(outDir, 'likelihood'),
): string {
  return path.join(logDir, model, `${dataset}.jsonl`);
}

/** Items scored between appends to the log. */
const CHUNK = 32;

/**
 * Every committed record of a run folder's likelihood logs (models and sets by name), for the
 * summary of a finished or running run; no likelihood/ folder gives none. `logDir` reads another
 * folder of logs (a knockout's).
 */
export function readLikelihoodLogs(
  outDir: string,
  logDir = path.join(outDir, 'likelihood'),
): LikelihoodRecord[] {
  const root = logDir;
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .flatMap((model) =>
      readdirSync(path.join(root, model))
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .flatMap((f) => readSampleLog(path.join(root, model, f), LikelihoodRecordSchema)),
    );
}

const SFT_QUESTION_AT = 'Question: '.length;
const sftPrompt = (p: Problem) => `Question: ${p.question}\n\nAnswer:`;

/** Question-coordinate spans moved to where the question starts in `prompt`. */
function placeSpans(
  prompt: string,
  p: Problem,
  spans: readonly (readonly [number, number])[],
  at: number,
): [number, number][] {
  if (prompt.slice(at, at + p.question.length) !== p.question) {
    throw new TaskError(
      `likelihood: the prompt template does not contain the question verbatim (problem ${p.id}); noise spans cannot be placed`,
    );
  }
  return spans.map(([s, e]) => [s + at, e + at]);
}

/** Scores what each log lacks and returns every logged record, model by model, set by set. */
export async function runLikelihood(opts: RunLikelihoodOptions): Promise<LikelihoodRecord[]> {
  const runId = opts.runId ?? path.basename(path.resolve(opts.outDir));
  const seed = opts.seed ?? DEFAULT_SEED;
  const baseline = opts.baseline ?? BASELINE_DATASET;
  // The clean item is scored on the distractors of all its noisy variants (pull: clean vs noisy).
  const candidates = new Map<string, Set<string>>();
  for (const d of opts.datasets) {
    for (const [id, numbers] of d.noiseNumbers ?? []) {
      const set = candidates.get(id) ?? new Set<string>();
      numbers.forEach((n) => set.add(n));
      candidates.set(id, set);
    }
  }
  const out: LikelihoodRecord[] = [];
  for (const model of opts.models) {
    for (const dataset of opts.datasets) {
      if (opts.signal?.aborted) break;
      const items = firstN(dataset.problems, opts.maxSamples);
      const spansOf = (p: Problem) => dataset.noiseSpans?.get(p.id) ?? [];
      // items without a worked solution (an imported set's bare answers) have nothing to score,
      // and a knockout scores only the items that have something to knock out
      const scored = items
        .map((_, i) => i)
        .filter((i) => hasWorkedSolution(items[i]!.answer))
        .filter((i) => !opts.knockout || spansOf(items[i]!).length > 0);
      const log = SampleLog.open(
        likelihoodLogPath(opts.outDir, model.name, dataset.name, opts.logDir),
        LikelihoodRecordSchema,
      );
      try {
        const todo = scored.filter((i) => !log.done.has(items[i]!.id));
        const resumed = scored.length - todo.length;
        if (resumed > 0 && todo.length > 0) {
          opts.onProgress?.({
            model: model.name,
            dataset: dataset.name,
            done: resumed,
            total: scored.length,
            resumed,
          });
        }
        const prompts = todo.length
          ? renderPrompts(opts.task, items, { fewshot: opts.fewshot, seed })
          : [];
        const numbersOf = (p: Problem) =>
          dataset.name === baseline
            ? [...(candidates.get(p.id) ?? [])]
            : [...(dataset.noiseNumbers?.get(p.id) ?? [])];
        // Chunks, so that a killed run keeps what it scored.
        for (let c = 0; c < todo.length; c += CHUNK) {
          if (opts.signal?.aborted) break;
          const chunk = todo.slice(c, c + CHUNK);
          const texts = (format: 'sft' | 'protocol'): ScoreText[] =>
            chunk.map((i) => {
              const p = items[i]!;
              const prompt = format === 'sft' ? sftPrompt(p) : prompts[i]!;
              const at = format === 'sft' ? SFT_QUESTION_AT : prompt.indexOf(p.question);
              return {
                prompt,
                solution: p.answer,
                numbers: numbersOf(p),
                ...(opts.knockout ? { knockout: placeSpans(prompt, p, spansOf(p), at) } : {}),
              };
            });
          const score = (t: ScoreText[]) =>
            scoreTexts(model.lm, model.tokenizer, t, {
              batchTokens: opts.batchTokens,
              reduce: opts.reduce,
              ...(opts.knockout ? { knockoutFromLayer: opts.knockout.fromLayer } : {}),
            });
          const sft = await score(texts('sft'));
          const protocol = await score(texts('protocol'));
          chunk.forEach((i, k) => {
            const p = items[i]!;
            log.append({
              run: runId,
              model: model.name,
              dataset: dataset.name,
              id: p.id,
              index: i,
              gold: sft.golds[k]!,
              noise_numbers: dataset.name === baseline ? [] : numbersOf(p),
              sft: sft.scores[k]!,
              protocol: protocol.scores[k]!,
              ms: sft.ms[k]! + protocol.ms[k]!,
            });
          });
          opts.onProgress?.({
            model: model.name,
            dataset: dataset.name,
            done: resumed + c + chunk.length,
            total: scored.length,
          });
        }
        for (const i of scored) {
          const rec = log.done.get(items[i]!.id);
          if (rec) out.push(rec);
        }
      } finally {
        log.close();
      }
    }
  }
  return out;
}
