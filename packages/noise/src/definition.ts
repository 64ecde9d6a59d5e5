import type { Problem, Rng } from '@exp/data';
import type { SentenceSource } from './banks/bank.js';
import type { NoiseSpan } from './insert.js';

/** What a noise type returns for one problem: the noisy question and where the noise went. */
export interface NoiseResult {
  question: string;
  noise: NoiseSpan[];
}

/**
 * A noise type: data (name, description) plus one function, either
 * - `sentence(problem, rng)`: one noise sentence (exp then places it, K times for a dose K, at the
 *   asked position, in the slot the problem shares across types), or
 * - `inject(problem, rng)`: the whole noisy question and its spans (the type places its own noise;
 *   dose and position options do not apply).
 * Both must be pure functions of the problem and the random stream they are given: every random
 * choice is drawn from `rng`, so the same seed gives the same noise.
 */
export interface NoiseDefinition {
  /** Lower-case identifier used in `--types` and in file names (`gsm8k_<name>_test.jsonl`). */
  name: string;
  /** Value of the records' `noise_type` field; defaults to the upper-cased name ("INF"). */
  label?: string;
  /** One line for help texts and reports. */
  description: string;
  sentence?: SentenceSource;
  inject?(problem: Problem, rng: Rng): NoiseResult;
}

/** The spec of a noise type that adds sentences; see `sentenceNoise`. */
export interface SentenceNoiseSpec {
  name: string;
  label?: string;
  description: string;
  /** The sentence to insert (it should end with '.', '!' or '?'), optionally with its topic. */
  sentence: SentenceSource;
}

/**
 * A noise type that inserts sentences at sentence boundaries, with the placement protocol of
 * `slotFor` (by default one sentence at a random boundary: never first, never after the
 * question). Sentences and positions draw from separate streams, so changing a template bank
 * does not move where the noise goes.
 */
export function sentenceNoise(spec: SentenceNoiseSpec): NoiseDefinition {
  return {
    name: spec.name,
    ...(spec.label === undefined ? {} : { label: spec.label }),
    description: spec.description,
    sentence: spec.sentence,
  };
}
