// GSM8K test problems as attention items (the lm-eval prompt), clean and with seeded INF noise.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGsm8kFile, type Problem } from '@exp/data';
import { bundledLlama3TokenizerDir, loadTokenizer, type HfTokenizer } from '@exp/models';
import { getNoise, noisyRecords, type NoisyProblem } from '@exp/noise';
import type { AttentionItem } from '../src/types.js';

/** `../shared` beside the repository (EXP_SHARED_DIR overrides). */
export const SHARED_DIR =
  process.env.EXP_SHARED_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared');
export const GSM8K_TEST = path.join(SHARED_DIR, 'data/gsm8k/test.jsonl');

export const PREFIX = 'Question: ';

export function problems(n: number): Problem[] {
  return loadGsm8kFile(GSM8K_TEST, 'gsm8k-test').slice(0, n);
}

/** The first n problems with INF noise, seed 42 (one sentence each). */
export function noisy(n: number, type = 'inf'): NoisyProblem[] {
  return noisyRecords(problems(n), getNoise(type), 42);
}

export function cleanItem(p: Problem): AttentionItem {
  return {
    id: p.id,
    prompt: `${PREFIX}${p.question}\nAnswer:`,
    questionStart: PREFIX.length,
    question: p.question,
    originalQuestion: p.question,
    noise: [],
  };
}

export function noisyItem(r: NoisyProblem, correct?: boolean): AttentionItem {
  return {
    id: r.id,
    prompt: `${PREFIX}${r.question}\nAnswer:`,
    questionStart: PREFIX.length,
    question: r.question,
    originalQuestion: r.original_question,
    noise: r.noise.map(({ start, end }) => ({ start, end })),
    ...(correct === undefined ? {} : { correct }),
  };
}

let tokenizer: Promise<HfTokenizer> | undefined;
export function llama3(): Promise<HfTokenizer> {
  return (tokenizer ??= loadTokenizer(bundledLlama3TokenizerDir()));
}
