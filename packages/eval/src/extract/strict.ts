import { cutCompletion } from './cut.js';
import { goldFinalText, type Extractor } from './extractor.js';
import { findNumberWords } from './number-words.js';
import { findNumbers, firstNumber, type FoundNumber } from './numbers.js';
import { formatRational, rationalEquals, type Rational } from './rational.js';

/**
 * A final-answer marker and its segment: the text that should hold the answer. The segment of
 * `####` and "the answer is" runs to the end of the line or sentence; that of `\boxed{` to its
 * closing brace; that of "N is the answer" back to the start of the line or sentence.
 */
interface Marker {
  readonly at: number;
  readonly segment: string;
}

// "answer is", "answer:", "the answer is", "final answer:", "The final answer is:".
const ANSWER_IS = /\b(?:the\s+)?(?:final\s+)?answer\s*(?:is\b\s*:?|:)/giu;
const HASHES = /####/gu;
const BOXED = /\\boxed\s*\{/gu;
const IS_THE_ANSWER = /\bis\s+the\s+(?:final\s+)?answer\b/giu;
// A sentence ends at a line break or at . ! ? followed by white space or the end; the point of
// a decimal (3.5) is followed by a digit, so it never ends one.
const SENTENCE_END = /\n|[.!?](?=\s|$)/u;

function forward(text: string, from: number): string {
  const rest = text.slice(from);
  const end = SENTENCE_END.exec(rest);
  return end ? rest.slice(0, end.index) : rest;
}

function backward(text: string, to: number): string {
  let start = to;
  while (start > 0) {
    const c = text[start - 1];
    if (c === '\n' || ('.!?'.includes(c) && /\s/u.test(text[start] ?? ''))) break;
    start--;
  }
  return text.slice(start, to);
}

/** The content of a brace group whose `{` ends at `open` (nested groups kept). */
function braced(text: string, open: number): string {
  let depth = 1;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open, i);
  }
  return text.slice(open);
}

function markers(text: string): Marker[] {
  const found: Marker[] = [];
  for (const re of [ANSWER_IS, HASHES]) {
    for (const m of text.matchAll(re)) {
      found.push({ at: m.index, segment: forward(text, m.index + m[0].length) });
    }
  }
  for (const m of text.matchAll(BOXED)) {
    found.push({ at: m.index, segment: braced(text, m.index + m[0].length) });
  }
  for (const m of text.matchAll(IS_THE_ANSWER)) {
    found.push({ at: m.index, segment: backward(text, m.index) });
  }
  return found.sort((a, b) => a.at - b.at);
}

/** LaTeX spellings of numbers: `\frac{3}{4}` -> `3/4`, `1{,}000` -> `1,000`, `\$` -> `$`. */
function plainLatex(text: string): string {
  return text
    .replace(/\\d?frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}/gu, '$1/$2')
    .replace(/\{,\}/gu, ',')
    .replace(/\\\$/gu, '$');
}

function lastOf(numbers: readonly FoundNumber[]): Rational | null {
  let best: FoundNumber | null = null;
  for (const n of numbers) if (!best || n.end > best.end) best = n;
  return best?.value ?? null;
}

/** The strict answer of a completion as an exact rational, or null when it holds no number. */
export function strictAnswer(completion: string): Rational | null {
  const text = plainLatex(cutCompletion(completion));
  const all = markers(text);
  for (let i = all.length - 1; i >= 0; i--) {
    const seg = all[i].segment;
    const value = lastOf([...findNumbers(seg), ...findNumberWords(seg)]);
    if (value) return value;
  }
  return lastOf(findNumbers(text));
}

/**
 * The headline extractor: the last final-answer marker that is followed by a number, else the
 * last number, in the completion cut where the model began a new question; exact rational
 * equality with gold. `extract` returns the canonical text of the value (see formatRational).
 */
export const strictExtractor: Extractor = {
  name: 'strict',
  description:
    'last final-answer marker (####, "the answer is", \\boxed{}, "N is the answer") else last number, before any new question; exact rational equality',
  extract(completion) {
    const value = strictAnswer(completion);
    return value ? formatRational(value) : null;
  },
  isCorrect(predicted, gold) {
    if (predicted === null) return false;
    const p = firstNumber(predicted);
    const g = firstNumber(goldFinalText(gold));
    return p !== null && g !== null && rationalEquals(p, g);
  },
};
