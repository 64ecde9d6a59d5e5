// A run folder made by hand, with outcomes chosen so the answer is known: a manifest (one
// DiffLlama and one Llama, task `strict`), sample logs and, on request, likelihood logs.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  LikelihoodRecordSchema,
  SampleRecordSchema,
  type LikelihoodRecord,
  type SampleRecord,
} from '@exp/eval';

export const PAIR = ['diffllama', 'llama'] as const;
export const SEED = 7;

/** The manifest of a synthetic run over `datasets` (first 'clean'), task extractors `strict`. */
export function manifest(datasets: readonly string[]) {
  const models = [PAIR[1], PAIR[0]];
  return {
    run: 'syn',
    status: 'finished',
    started: '2026-12-08T00:00:00.000Z',
    command: ['exp', 'run'],
    options: { models, datasets },
    plan: { models, datasets },
    task: { name: 'seed', extractors: ['strict'] },
    versions: {},
    seeds: { run: SEED },
    data: {},
    models: Object.fromEntries(
      models.map((m) => [m, { dir: `/m/${m}`, modelType: m, source: null, sourceSha256: null }]),
    ),
  };
}

/** One sample: its completion ends in `#### 42` when right, `#### 41` when wrong. */
export function sample(model: string, dataset: string, index: number, ok: boolean): SampleRecord {
  const answer = ok ? '42' : '41';
  return SampleRecordSchema.parse({
    run: 'syn',
    model,
    dataset,
    id: `q${index}`,
    index,
    prompt: `Question ${index}?`,
    completion: `So it is ${answer}.\n#### ${answer}`,
    gold: '42',
    answers: { strict: answer },
    correct_by: { strict: ok },
    predicted: answer,
    predicted_strict: answer,
    correct: ok,
    correct_strict: ok,
    stop_reason: 'eos',
    prompt_tokens: 5,
    new_tokens: 6,
    ms: 1,
  });
}

/** Outcomes written as 'T'/'F' per item: { model: { dataset: 'TTF…' } }. */
export type Outcomes = Record<string, Record<string, string>>;

/**
 * A run folder with the manifest and sample logs of `outcomes` (samples/ for zero-shot, or
 * samples_<evalType>/ for the others); returns its path.
 */
export function syntheticRun(
  datasets: readonly string[],
  evaluations: Record<string, Outcomes>,
): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'exp-syn-')), 'syn');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest(datasets), null, 2));
  for (const [evalType, outcomes] of Object.entries(evaluations)) {
    const folder = evalType === 'zero_shot' ? 'samples' : `samples_${evalType}`;
    for (const [model, sets] of Object.entries(outcomes)) {
      mkdirSync(path.join(dir, folder, model), { recursive: true });
      for (const [dataset, marks] of Object.entries(sets)) {
        const lines = [...marks].map((c, i) =>
          JSON.stringify(sample(model, dataset, i, c === 'T')),
        );
        writeFileSync(path.join(dir, folder, model, `${dataset}.jsonl`), lines.join('\n') + '\n');
      }
    }
  }
  return dir;
}

/**
 * A likelihood record: both formats score `mean` nats/token over 10 tokens (final answer:
 * `final`), with the gold '42' and the distractor '7' at the answer position at `gold`/`pull`.
 */
export function likelihoodRecord(
  model: string,
  dataset: string,
  i: number,
  v: { mean: number; final: number; gold: number; pull: number },
): LikelihoodRecord {
  const score = {
    prompt_tokens: 20,
    solution_tokens: 10,
    sum: 10 * v.mean,
    mean: v.mean,
    final_tokens: 1,
    final_sum: v.final,
    numbers: { '42': [100, Math.log(v.gold)], '7': [101, Math.log(v.pull)] },
  };
  return LikelihoodRecordSchema.parse({
    run: 'syn',
    model,
    dataset,
    id: `q${i}`,
    index: i,
    gold: '42',
    noise_numbers: dataset === 'clean' ? [] : ['7'],
    sft: score,
    protocol: score,
    ms: 1,
  });
}

/** Writes likelihood/<model>/<dataset>.jsonl of `records` into the run folder. */
export function writeLikelihoodLogs(dir: string, records: readonly LikelihoodRecord[]): void {
  const files = new Map<string, string[]>();
  for (const r of records) {
    const f = path.join(dir, 'likelihood', r.model, `${r.dataset}.jsonl`);
    files.set(f, [...(files.get(f) ?? []), JSON.stringify(r)]);
  }
  for (const [f, lines] of files) {
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, lines.join('\n') + '\n');
  }
}
