// Key math information (KMI) as character spans of a clean question, and the mapping of those
// spans into a noisy question through its recorded noise spans.
import { NUMBER_WORDS, questionSentenceIndex, splitSentences } from '@exp/noise';
import {
  HOW_WORDS,
  OPERATION_WORDS,
  QUESTION_STOP_WORDS,
  SEED_MATH_KEYWORDS,
  UNIT_WORDS,
} from './kmi-words.js';
import type { CharSpan } from './types.js';

export const KMI_CLASSIFIERS = ['exp', 'seed'] as const;
export type KmiClassifier = (typeof KMI_CLASSIFIERS)[number];

/** Why a span is KMI (the first rule that matched it). */
export type KmiRule =
  'number' | 'number-word' | 'unit' | 'operation' | 'question' | 'keyword' | 'context';

export interface KmiSpan extends CharSpan {
  rule: KmiRule;
}

/** 'seed': words this many places either side of a number are KMI too (its context windows). */
export const SEED_CONTEXT_WINDOW = 2;

// 'exp' numbers: "16", "80,000", "1.5", "$.5", "$2", "150%", "3/4", "5th".
const EXP_NUMBER =
  /[$€£]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:\/\d+)?(?:st|nd|rd|th)?%?/gu;
// 'seed' pieces in text order: digit runs (with inner , . /), $ and % signs, words.
const SEED_PIECE = /\d+(?:[.,/]\d+)*|[$%]|\p{L}+(?:['’]\p{L}+)*/gu;
const WORD = /\p{L}+(?:['’]\p{L}+)*/gu;

/** The lookup form of a word: lower case, without a possessive 's. */
function lookupForm(word: string): string {
  return word.toLowerCase().replace(/['’]s$/u, '');
}

/** Character range [start, end) of the question block (the question sentence and what follows). */
function questionBlock(question: string): CharSpan {
  const sentences = splitSentences(question);
  if (sentences.length === 0) return { start: question.length, end: question.length };
  return { start: sentences[questionSentenceIndex(sentences)]!.start, end: question.length };
}

/** The 'exp' rule of a word, or null; `next` is the following word (for "how many"). */
function expWordRule(word: string, next: string, inQuestionBlock: boolean): KmiRule | null {
  if (NUMBER_WORDS.has(word)) return 'number-word';
  if (UNIT_WORDS.has(word)) return 'unit';
  if (OPERATION_WORDS.has(word)) return 'operation';
  if (!inQuestionBlock) return null;
  // "how" is a stop word except where it asks for a quantity ("how many", "how long").
  if (word === 'how') return HOW_WORDS.has(next) ? 'question' : null;
  return QUESTION_STOP_WORDS.has(word) ? null : 'question';
}

function expSpans(question: string): KmiSpan[] {
  const out: KmiSpan[] = [];
  for (const m of question.matchAll(EXP_NUMBER)) {
    out.push({ start: m.index, end: m.index + m[0].length, rule: 'number' });
  }
  const block = questionBlock(question);
  const words = [...question.matchAll(WORD)];
  const inNumber = (at: number): boolean => out.some((n) => n.start <= at && at < n.end);
  words.forEach((m, i) => {
    if (inNumber(m.index)) return; // the "th" of "5th"
    const next = lookupForm(words[i + 1]?.[0] ?? '');
    const rule = expWordRule(lookupForm(m[0]), next, m.index >= block.start);
    if (rule) out.push({ start: m.index, end: m.index + m[0].length, rule });
  });
  return out.sort((a, b) => a.start - b.start);
}

function seedSpans(question: string): KmiSpan[] {
  const pieces = [...question.matchAll(SEED_PIECE)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    text: m[0],
  }));
  const rules: (KmiRule | null)[] = pieces.map(({ text }) => {
    if (/^\d/u.test(text)) return 'number';
    const w = lookupForm(text);
    if (NUMBER_WORDS.has(w)) return 'number-word';
    if (UNIT_WORDS.has(w) || text === '%' || text === '$') return 'unit';
    return SEED_MATH_KEYWORDS.has(w) ? 'keyword' : null;
  });
  const numberAt = rules.map((r) => r === 'number' || r === 'number-word');
  numberAt.forEach((isNumber, i) => {
    if (!isNumber) return;
    const lo = Math.max(0, i - SEED_CONTEXT_WINDOW);
    const hi = Math.min(pieces.length - 1, i + SEED_CONTEXT_WINDOW);
    for (let j = lo; j <= hi; j++) rules[j] ??= 'context';
  });
  return pieces.flatMap((p, i) =>
    rules[i] ? [{ start: p.start, end: p.end, rule: rules[i]! }] : [],
  );
}

/**
 * The KMI spans of a clean question, sorted and disjoint (offsets into `question`).
 *
 * 'exp' (ours): numbers written with digits (decimals, thousands, fractions, money, percents,
 * ordinals), number words ("three", "half", "dozen", "twice"), units and quantities ("dollars",
 * "hours", "per", "each", "%"), comparison/operation words ("more", "total", "left",
 * "remaining"), and every content word of the question block (the question sentence and any
 * remark after it: "How many bolts in total does it take?" -> How, many, bolts, total, take).
 *
 * 'seed' (the original's keyword classifier, reconstructed): digit runs, number words, units and
 * $/%, ~200 math keywords anywhere in the question, plus a context window of
 * SEED_CONTEXT_WINDOW words either side of every number.
 */
export function kmiSpans(question: string, classifier: KmiClassifier = 'exp'): KmiSpan[] {
  if (!(KMI_CLASSIFIERS as readonly string[]).includes(classifier)) {
    throw new RangeError(
      `classifier: expected one of ${KMI_CLASSIFIERS.join(', ')}, got ${String(classifier)}`,
    );
  }
  return classifier === 'exp' ? expSpans(question) : seedSpans(question);
}

/**
 * The text each noise span added to a noisy question: the span plus the whitespace joining it to
 * what follows (what @exp/noise's stripNoise removes), sorted by start.
 */
export function noiseChunks(question: string, noise: readonly CharSpan[]): CharSpan[] {
  const spans = [...noise].sort((a, b) => a.start - b.start);
  return spans.map((s, i) => {
    const limit = spans[i + 1]?.start ?? question.length;
    const joint = /^\s*/u.exec(question.slice(s.end, limit))![0].length;
    return { start: s.start, end: s.end + joint };
  });
}

/** The clean question back from a noisy one: the noisy text less its noise chunks. */
export function withoutNoise(question: string, noise: readonly CharSpan[]): string {
  let out = '';
  let from = 0;
  for (const c of noiseChunks(question, noise)) {
    out += question.slice(from, c.start);
    from = c.end;
  }
  return out + question.slice(from);
}

/** Where character `pos` of the clean question sits in the noisy one (after every chunk inserted at or before it). */
export function toNoisyOffset(pos: number, chunks: readonly CharSpan[]): number {
  let shift = 0;
  for (const c of chunks) {
    if (pos < c.start - shift) break;
    shift += c.end - c.start;
  }
  return pos + shift;
}

/** Clean-question spans in noisy-question coordinates; a span an insertion falls inside is split. */
export function mapSpansToNoisy<S extends CharSpan>(
  spans: readonly S[],
  chunks: readonly CharSpan[],
): S[] {
  const out: S[] = [];
  for (const span of spans) {
    let start = span.start;
    while (start < span.end) {
      // Extend the piece while consecutive clean characters stay consecutive in the noisy text.
      const from = toNoisyOffset(start, chunks);
      let end = start + 1;
      while (end < span.end && toNoisyOffset(end, chunks) === from + (end - start)) end++;
      out.push({ ...span, start: from, end: from + (end - start) });
      start = end;
    }
  }
  return out;
}
