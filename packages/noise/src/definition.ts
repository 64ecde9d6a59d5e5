import type { Problem, Rng } from '@exp/data';
import { insertSentence, type NoiseSpan } from './insert.js';

/** What a noise type returns for one problem: the noisy question and where the noise went. */
export interface NoiseResult {
  question: string;
  noise: NoiseSpan[];
}

/**
 * A noise type: data (name, description) plus one function. `inject` must be a pure function of
 * the problem and the random stream it is given: every random choice is drawn from `rng`, so the
 * same seed gives the same noise.
 */
export interface NoiseDefinition {
  /** Lower-case identifier used in `--types` and in file names (`gsm8k_<name>_test.jsonl`). */
  name: string;
  /** Value of the records' `noise_type` field; defaults to the upper-cased name ("INF"). */
  label?: string;
  /** One line for help texts and reports. */
  description: string;
  inject(problem: Problem, rng: Rng): NoiseResult;
}

/** The spec of a noise type that adds one sentence; see `sentenceNoise`. */
export interface SentenceNoiseSpec {
  name: string;
  label?: string;
  description: string;
  /** The sentence to insert (it should end with '.', '!' or '?'). */
  sentence(problem: Problem, rng: Rng): string;
}

/**
 * A noise type that inserts one sentence at a sentence boundary, with the placement protocol of
 * `insertionSlots` (never first, never after the question). The sentence and its position draw
 * from separate forks of the problem's stream ('text' and 'place'), so changing a template bank
 * does not move where the noise goes.
 */
export function sentenceNoise(spec: SentenceNoiseSpec): NoiseDefinition {
  return {
    name: spec.name,
    ...(spec.label === undefined ? {} : { label: spec.label }),
    description: spec.description,
    inject(problem, rng) {
      const text = spec.sentence(problem, rng.fork('text'));
      const { question, span } = insertSentence(problem.question, text, rng.fork('place'));
      return { question, noise: [span] };
    },
  };
}
