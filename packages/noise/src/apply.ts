import { createRng, type Problem, type Rng } from '@exp/data';
import type { DrawnSentence } from './banks/bank.js';
import type { NoiseDefinition } from './definition.js';
import { NoiseError } from './errors.js';
import { insertSentences, slotFor, type NoisePosition, type NoiseSpan } from './insert.js';
import type { NoisyProblem } from './records.js';

/** How sentence noise is placed: the dose, where it goes, and whether types share the slot. */
export interface Placement {
  /** K: distinct noise sentences per question (each with its own span). */
  sentences: number;
  position: NoisePosition;
  /**
   * 'shared': every noise type of a problem uses the same random slot(s), drawn once per problem
   * from the seed, so type and position are not confounded; 'independent': each type draws its
   * own (the original's protocol).
   */
  slots: 'shared' | 'independent';
}

export const DEFAULT_PLACEMENT: Readonly<Placement> = {
  sentences: 1,
  position: 'random',
  slots: 'shared',
};

/**
 * The random stream of one problem for one noise type: derived from (seed, type, problem id)
 * only, so a problem's noise does not depend on the other problems, their order, or `--types`.
 */
export function noiseRng(seed: number, type: string, problemId: string): Rng {
  return createRng(seed).fork(`noise:${type}`).fork(problemId);
}

/** The slot stream of one problem, shared by all noise types: (seed, problem id) only. */
export function slotRng(seed: number, problemId: string): Rng {
  return createRng(seed).fork('noise-slot').fork(problemId);
}

/** `noise_type` written for a definition: its label, else its upper-cased name ("INF"). */
export function noiseLabel(def: NoiseDefinition): string {
  return def.label ?? def.name.toUpperCase();
}

/** A span of a record: where the text went, its type and (SD) topic. */
type NoisySpan = NoiseSpan & { type: string; topic?: string };

/** A labelled sentence: what `sentence` returned, with the type it belongs to. */
type Labelled = DrawnSentence & { type: string };

function drawn(def: NoiseDefinition, problem: Problem, rng: Rng): Labelled {
  const s = def.sentence!(problem, rng);
  const d = typeof s === 'string' ? { text: s } : s;
  return { type: noiseLabel(def), ...d, text: d.text.trim() };
}

/**
 * `mix`: each sentence's type drawn uniformly from `parts` (sentence types), then its sentence
 * from that type's source; spans carry the type they were drawn from.
 */
export function mixNoise(parts: readonly NoiseDefinition[]): NoiseDefinition {
  const notSentence = parts.find((d) => !d.sentence);
  if (notSentence || parts.length === 0) {
    throw new NoiseError(
      `--types-mix: expected sentence noise types${notSentence ? `, '${notSentence.name}' places its own noise` : ''}`,
    );
  }
  return {
    name: 'mix',
    description: `Mixed: each sentence's type drawn from ${parts.map((d) => d.name).join(', ')}`,
    sentence: (problem, rng) => drawn(rng.pick(parts), problem, rng),
  };
}

/** Redraws allowed per wanted sentence before giving up on K distinct ones. */
const DISTINCT_TRIES = 50;

/** K distinct sentences of a sentence type, drawn from the type's text stream. */
function distinctSentences(
  def: NoiseDefinition,
  problem: Problem,
  rng: Rng,
  k: number,
): Labelled[] {
  const out: Labelled[] = [];
  for (let tries = 0; out.length < k; tries++) {
    if (tries >= DISTINCT_TRIES * k) {
      throw new NoiseError(
        `noise type '${def.name}', problem ${problem.id}: only ${out.length} distinct sentences in ${tries} draws (--sentences ${k})`,
      );
    }
    const s = drawn(def, problem, rng);
    if (!out.some((o) => o.text === s.text)) out.push(s);
  }
  return out;
}

function sentenceResult(
  def: NoiseDefinition,
  problem: Problem,
  seed: number,
  placement: Placement,
): { question: string; noise: NoisySpan[] } {
  const rng = noiseRng(seed, def.name, problem.id);
  const sentences = distinctSentences(def, problem, rng.fork('text'), placement.sentences);
  const where = placement.slots === 'shared' ? slotRng(seed, problem.id) : rng.fork('place');
  const items = sentences.map((s) => ({
    text: s.text,
    slot: slotFor(problem.question, placement.position, where),
  }));
  const { question, spans } = insertSentences(problem.question, items);
  const noise = spans.map((span, i) => {
    const { type, topic } = sentences[i]!;
    return { ...span, type, ...(topic === undefined ? {} : { topic }) };
  });
  return { question, noise: noise.sort((a, b) => a.start - b.start) };
}

/** Checks what a custom `inject` returned: spans inside the question, exact, disjoint. */
function checkedInjection(
  def: NoiseDefinition,
  problem: Problem,
  seed: number,
): { question: string; noise: NoisySpan[] } {
  const result = def.inject!(problem, noiseRng(seed, def.name, problem.id));
  const where = `noise type '${def.name}', problem ${problem.id}`;
  if (typeof result?.question !== 'string' || !Array.isArray(result.noise)) {
    throw new NoiseError(`${where}: inject must return { question: string, noise: NoiseSpan[] }`);
  }
  const spans = [...result.noise].sort((a, b) => a.start - b.start);
  let prevEnd = 0;
  for (const s of spans) {
    const ok =
      Number.isInteger(s.start) &&
      Number.isInteger(s.end) &&
      s.start >= prevEnd &&
      s.end >= s.start &&
      result.question.slice(s.start, s.end) === s.text;
    if (!ok) {
      throw new NoiseError(
        `${where}: span ${JSON.stringify(s)} does not match question.slice(start, end) or overlaps another span`,
      );
    }
    prevEnd = s.end;
  }
  const type = noiseLabel(def);
  return {
    question: result.question,
    noise: spans.map((s) => ({ text: s.text, start: s.start, end: s.end, type })),
  };
}

/**
 * Applies a noise type to one problem. Sentence types are placed by `placement` (dose, position,
 * shared slot); types with their own `inject` are checked (every span inside the question,
 * holding exactly its text, no overlaps) and take no placement options. Keys come out in a fixed
 * order: id, question, answer, final, original_question, noise_type, noise, noise_kind,
 * position, sentences, topic, seed.
 */
export function applyNoise(
  def: NoiseDefinition,
  problem: Problem,
  seed: number,
  placement: Placement = DEFAULT_PLACEMENT,
): NoisyProblem {
  if (problem.question.trim() === '') {
    throw new NoiseError(
      `problem ${problem.id}: question: expected some text, got only whitespace`,
    );
  }
  const { question, noise } = def.sentence
    ? sentenceResult(def, problem, seed, placement)
    : checkedInjection(def, problem, seed);
  const topic = noise.find((s) => s.topic !== undefined)?.topic ?? null;
  return {
    id: problem.id,
    question,
    answer: problem.answer,
    final: problem.final,
    original_question: problem.question,
    noise_type: noiseLabel(def),
    noise,
    noise_kind: 'insertion',
    ...(def.sentence ? { position: placement.position } : {}),
    sentences: noise.length,
    topic,
    seed,
  };
}
