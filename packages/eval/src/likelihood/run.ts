// runLikelihood: the gold solution's likelihood for models x datasets, one resumable per-item
// log per model and dataset (<outDir>/likelihood/<model>/<dataset>.jsonl), like runEvaluation's
// sample logs; the summary is computed from the logs (summarizeLikelihood).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BASELINE_DATASET, DEFAULT_SEED, firstN, type Problem } from '@exp/data';
import type { EvalModel } from '../run/run-evaluation.js';
import { SampleLog, readSampleLog } from '../samples/log.js';
import { renderPrompts } from '../task/prompt.js';
import type { Task } from '../task/schema.js';
import { LikelihoodRecordSchema, type LikelihoodRecord } from './record.js';
import { scoreTexts, type ScoreOptions, type ScoreText } from './score.js';

/** A set to score; `noiseNumbers` maps a problem id to the numbers only its noise holds. */
export interface LikelihoodDataset {
  name: string;
  problems: readonly Problem[];
  noiseNumbers?: ReadonlyMap<string, readonly string[]>;
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
  onProgress?: (p: { model: string; dataset: string; done: number; total: number }) => void;
}

/** likelihood/<model>/<dataset>.jsonl inside a run folder. */
export function likelihoodLogPath(outDir: string, model: string, dataset: string): string {
  return path.join(outDir, 'likelihood', model, `${dataset}.jsonl`);
}

/** Items scored between appends to the log. */
const CHUNK = 32;

/**
 * Every committed record of a run folder's likelihood logs (models and sets by name), for the
 * summary of a finished or running run; no likelihood/ folder gives none.
 */
export function readLikelihoodLogs(outDir: string): LikelihoodRecord[] {
  const root = path.join(outDir, 'likelihood');
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

const sftPrompt = (p: Problem) => `Question: ${p.question}\n\nAnswer:`;

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
      const items = firstN(dataset.problems, opts.maxSamples);
      const log = SampleLog.open(
        likelihoodLogPath(opts.outDir, model.name, dataset.name),
        LikelihoodRecordSchema,
      );
      try {
        const todo = items.map((_, i) => i).filter((i) => !log.done.has(items[i]!.id));
        const prompts = todo.length
          ? renderPrompts(opts.task, items, { fewshot: opts.fewshot, seed })
          : [];
        const numbersOf = (p: Problem) =>
          dataset.name === baseline
            ? [...(candidates.get(p.id) ?? [])]
            : [...(dataset.noiseNumbers?.get(p.id) ?? [])];
        // Chunks, so that a killed run keeps what it scored.
        for (let c = 0; c < todo.length; c += CHUNK) {
          const chunk = todo.slice(c, c + CHUNK);
          const texts = (format: 'sft' | 'protocol'): ScoreText[] =>
            chunk.map((i) => ({
              prompt: format === 'sft' ? sftPrompt(items[i]!) : prompts[i]!,
              solution: items[i]!.answer,
              numbers: numbersOf(items[i]!),
            }));
          const score = (t: ScoreText[]) =>
            scoreTexts(model.lm, model.tokenizer, t, {
              batchTokens: opts.batchTokens,
              reduce: opts.reduce,
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
            done: items.length - todo.length + c + chunk.length,
            total: items.length,
          });
        }
        for (const p of items) {
          const rec = log.done.get(p.id);
          if (rec) out.push(rec);
        }
      } finally {
        log.close();
      }
    }
  }
  return out;
}
