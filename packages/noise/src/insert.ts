import type { Rng } from '@exp/data';
import { NoiseError } from './errors.js';
import { splitSentences, type Sentence } from './text/sentences.js';

/** Where inserted text went: `question.slice(start, end) === text` (UTF-16 offsets). */
export interface NoiseSpan {
  text: string;
  start: number;
  end: number;
}

/** Where noise sentences are asked to go (see `slotFor`). */
export const NOISE_POSITIONS = ['random', 'early', 'middle', 'late', 'before-question'] as const;
export type NoisePosition = (typeof NOISE_POSITIONS)[number];

/**
 * Index of the sentence that opens the question block: the last sentence, together with any
 * parenthetical remarks after it ("What is the cost per serving? (Round to the nearest
 * integer.)"), so that noise never separates a question from its instructions.
 */
export function questionSentenceIndex(sentences: readonly Sentence[]): number {
  let q = sentences.length - 1;
  while (q > 0 && /^[([]/u.test(sentences[q].text)) q--;
  return q;
}

/** A place a sentence may go: before `sentences[index]`, followed by `separator`. */
export interface InsertionSlot {
  /** Offset in the question where the inserted sentence starts. */
  at: number;
  /** Whitespace written after the inserted sentence (a copy of the whitespace before it). */
  separator: string;
  /** Index of the sentence the inserted one goes before. */
  before: number;
}

/**
 * Every place a noise sentence may go: after sentence k for k = 1..q-1, where sentence q opens the
 * question block, i.e. never before the first sentence and never after the question. The
 * inserted sentence copies the whitespace that separated the two sentences (one space, two
 * spaces or a newline), so spacing gives no hint of where the noise went.
 *
 * A question that is a single sentence (16 of GSM8K's 1,319 test questions) has no such place;
 * there the sentence is put before the question (one slot, `before` 0), because keeping the
 * question last matters more than keeping the noise out of first place, and every noisy record
 * should carry exactly one noise sentence. (The original appended it after the question.)
 */
export function insertionSlots(question: string): InsertionSlot[] {
  const sentences = splitSentences(question);
  if (sentences.length === 0)
    throw new NoiseError('question: expected some text, got only whitespace');
  const q = questionSentenceIndex(sentences);
  if (q === 0) return [{ at: sentences[0].start, separator: ' ', before: 0 }];
  const slots: InsertionSlot[] = [];
  for (let i = 1; i <= q; i++) {
    const at = sentences[i].start;
    slots.push({ at, separator: question.slice(sentences[i - 1].end, at), before: i });
  }
  return slots;
}

/** The question with `sentence` inserted at `slot`, and the span it occupies. */
export function insertAt(
  question: string,
  sentence: string,
  slot: InsertionSlot,
): { question: string; span: NoiseSpan } {
  const text = sentence.trim();
  return {
    question: question.slice(0, slot.at) + text + slot.separator + question.slice(slot.at),
    span: { text, start: slot.at, end: slot.at + text.length },
  };
}

/**
 * The slot a named position gives, among `insertionSlots(question)` (after sentence k, k =
 * 1..q-1, where sentence q opens the question block):
 * - random: one drawn uniformly with `rng` (one draw; the only position that draws);
 * - early: after the first sentence;
 * - late: after the last context sentence, just before the question sentence;
 * - middle: the boundary nearest (in characters) to the middle of the context, i.e. of the text
 *   before the question sentence; ties go to the earlier one;
 * - before-question: before the whole problem text (offset of its first sentence), the one place
 *   `random` never uses.
 * A one-sentence question has a single slot (before it), which every position then gives.
 */
export function slotFor(question: string, position: NoisePosition, rng: Rng): InsertionSlot {
  const slots = insertionSlots(question);
  switch (position) {
    case 'random':
      return rng.pick(slots);
    case 'early':
      return slots[0]!;
    case 'late':
      return slots[slots.length - 1]!;
    case 'middle': {
      const first = splitSentences(question)[0]!.start;
      const target = (first + slots[slots.length - 1]!.at) / 2;
      let best = slots[0]!;
      for (const s of slots) if (Math.abs(s.at - target) < Math.abs(best.at - target)) best = s;
      return best;
    }
    case 'before-question':
      return { at: splitSentences(question)[0]!.start, separator: ' ', before: 0 };
  }
}

/**
 * Inserts several sentences at once, each at its slot of the original question; sentences that
 * share a slot follow one another in the given order, each followed by the slot's separator.
 * Returns the new question and each sentence's span, in the order of `items`.
 */
export function insertSentences(
  question: string,
  items: readonly { text: string; slot: InsertionSlot }[],
): { question: string; spans: NoiseSpan[] } {
  const order = items.map((item, i) => ({ ...item, i })).sort((a, b) => a.slot.at - b.slot.at);
  const spans: NoiseSpan[] = new Array<NoiseSpan>(items.length);
  let out = '';
  let from = 0;
  for (const { text: raw, slot, i } of order) {
    out += question.slice(from, slot.at);
    from = slot.at;
    const text = raw.trim();
    spans[i] = { text, start: out.length, end: out.length + text.length };
    out += text + slot.separator;
  }
  return { question: out + question.slice(from), spans };
}

/** Inserts a sentence at a slot chosen uniformly with `rng` (one draw). */
export function insertSentence(
  question: string,
  sentence: string,
  rng: Rng,
): { question: string; span: NoiseSpan } {
  return insertAt(question, sentence, rng.pick(insertionSlots(question)));
}

/**
 * Undoes sentence insertion: removes every span and the whitespace that joined it to the next
 * sentence. For records written by the built-in noise types this gives back `original_question`
 * exactly.
 */
export function stripNoise(question: string, noise: readonly NoiseSpan[]): string {
  let out = question;
  for (const span of [...noise].sort((a, b) => b.start - a.start)) {
    const joint = /^\s*/u.exec(out.slice(span.end))![0].length;
    out = out.slice(0, span.start) + out.slice(span.end + joint);
  }
  return out;
}
