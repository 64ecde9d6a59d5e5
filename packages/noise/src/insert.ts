import type { Rng } from '@exp/data';
import { NoiseError } from './errors.js';
import { splitSentences, type Sentence } from './text/sentences.js';

/** Where inserted text went: `question.slice(start, end) === text` (UTF-16 offsets). */
export interface NoiseSpan {
  text: string;
  start: number;
  end: number;
}

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
