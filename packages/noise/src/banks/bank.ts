import type { Problem, Rng } from '@exp/data';
import { NoiseError } from '../errors.js';
import { numbersIn } from '../text/numbers.js';
import { selectTopic, type Topic, type TopicRule } from '../text/topics.js';

/** Produces the noise sentence for one problem; every random choice comes from `rng`. */
export type SentenceSource = (problem: Problem, rng: Rng) => string;

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
    return rng.pick(topic ? topic.sentences : defaults);
  };
}

/** Numbers a noise sentence must not mention: the question's numbers and the gold answer. */
export function forbiddenNumbers(problem: Problem): Set<string> {
  const out = numbersIn(problem.question);
  out.add(problem.final);
  return out;
}

const MAX_TRIES = 200;

/**
 * Draws sentences from `make` until one mentions none of the question's numbers nor the gold
 * answer, so generated numbers can never echo (or leak) a quantity of the problem.
 */
export function avoidingProblemNumbers(make: (rng: Rng) => string): SentenceSource {
  return (problem, rng) => {
    const forbidden = forbiddenNumbers(problem);
    for (let i = 0; i < MAX_TRIES; i++) {
      const sentence = make(rng);
      if (![...numbersIn(sentence)].some((n) => forbidden.has(n))) return sentence;
    }
    throw new NoiseError(
      `problem ${problem.id}: no noise sentence without the question's numbers in ${MAX_TRIES} draws`,
    );
  };
}
