import type { Problem, Rng } from '@exp/data';
import { NoiseError } from '../errors.js';
import { numbersIn } from '../text/numbers.js';
import { selectTopic, type Topic, type TopicRule } from '../text/topics.js';

/** A drawn noise sentence and, for topic banks, the topic it came from. */
export interface DrawnSentence {
  text: string;
  topic?: string;
}

/**
 * Produces the noise sentence for one problem; every random choice comes from `rng`. It may
 * return the text alone or with the topic it was drawn from (SD).
 */
export type SentenceSource = (problem: Problem, rng: Rng) => string | DrawnSentence;

/** The sentence sources of the three built-in noise types. */
export interface NoiseBank {
  /** Where the bank came from: "builtin" or the template file's path. */
  source: string;
  inf: SentenceSource;
  rcs: SentenceSource;
  sd: SentenceSource;
}

/** One sentence chosen uniformly from a fixed list (the original protocol for INF and RCS). */
export function pickFrom(sentences: readonly string[]): SentenceSource {
  return (_problem, rng) => rng.pick(sentences);
}

/**
 * Semantic distraction: a sentence of the question's topic (see `selectTopic`), else one of the
 * default sentences.
 */
export function topicSentence(
  topics: readonly Topic[],
  defaults: readonly string[],
  rule: TopicRule,
): SentenceSource {
  return (problem, rng) => {
    const topic = selectTopic(problem.question, topics, rule);
    return { text: rng.pick(topic ? topic.sentences : defaults), topic: topic?.name ?? 'default' };
  };
}

/**
 * Numbers a noise sentence must not mention, so that noise can neither echo a quantity of the
 * problem nor hint at its solution: every number of the question (digits and words: "two",
 * "half", "a dozen"), every number of the worked solution (each line and each `<<...>>`
 * annotation, i.e. every intermediate result) and the gold answer.
 */
export function forbiddenNumbers(problem: Problem): Set<string> {
  const out = numbersIn(problem.question);
  for (const n of numbersIn(problem.answer)) out.add(n);
  out.add(problem.final);
  return out;
}

/** Whether a sentence mentions (in digits or words) a number of `forbidden`. */
export function mentionsAny(sentence: string, forbidden: ReadonlySet<string>): boolean {
  for (const n of numbersIn(sentence)) if (forbidden.has(n)) return true;
  return false;
}

/** Redraws allowed per sentence; a problem with very many numbers may need several hundred. */
const MAX_TRIES = 5000;

/**
 * Draws sentences from `make` until one mentions no number of `forbiddenNumbers(problem)` (in
 * digits or words), so generated numbers can never echo or leak a quantity of the problem.
 */
export function avoidingProblemNumbers(make: (rng: Rng) => string): SentenceSource {
  return (problem, rng) => {
    const forbidden = forbiddenNumbers(problem);
    for (let i = 0; i < MAX_TRIES; i++) {
      const sentence = make(rng);
      if (!mentionsAny(sentence, forbidden)) return sentence;
    }
    throw new NoiseError(
      `problem ${problem.id}: no noise sentence without the problem's numbers (question, solution, answer) in ${MAX_TRIES} draws`,
    );
  };
}
