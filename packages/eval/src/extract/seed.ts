import { goldFinalText, type Extractor } from './extractor.js';

// A number as the original's patterns captured it: digits with commas and a decimal part.
const N = String.raw`(-?[\d,]*\d(?:\.\d+)?)`;

/**
 * The original project's answer patterns, in its order. The first pattern with any match wins
 * and its LAST match is used. Reproduced with their defects, for comparability with its
 * published numbers:
 * - "Therefore/So/Thus ... N" takes the first number after the word on that line, so
 *   "So 3 + 4 = 7" reads 3;
 * - an early pattern beats a later, better one ("Answer: 5 ... #### 7" reads 5);
 * - nothing stops at a new question the model invents, so its numbers are read too.
 */
const PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`the answer is:?\s*\$?${N}`, 'giu'),
  new RegExp(String.raw`answer:\s*\$?${N}`, 'giu'),
  new RegExp(String.raw`\b(?:therefore|so|thus)\b[^\n]*?\$?${N}`, 'giu'),
  new RegExp(String.raw`####\s*\$?${N}`, 'giu'),
  new RegExp(String.raw`\\boxed\{\s*\$?${N}\s*\}`, 'giu'),
  new RegExp(String.raw`=\s*\$?${N}`, 'giu'),
  new RegExp(String.raw`${N}\s+is the answer`, 'giu'),
  // A lone trailing number: the last line is only a number.
  new RegExp(String.raw`(?:^|\n)[ \t]*\$?${N}[ \t]*\.?\s*$`, 'gu'),
];
const LAST_INTEGER = /\d+/gu;

/**
 * The digits of a number, which is all the original compared: the sign, the decimal point and
 * the thousands separators are lost, so "-3" equals "3" and "3.5" equals "35" (a defect kept
 * on purpose; `strict` is the correct reading).
 */
function digitsOf(text: string): string {
  return text.replace(/\D/gu, '');
}

function lastCapture(re: RegExp, text: string): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(re)) last = m[1] ?? m[0];
  return last;
}

/** The original's extraction: the digit string it compared, or null when the text has no digit. */
export function seedAnswer(completion: string): string | null {
  for (const re of PATTERNS) {
    const hit = lastCapture(re, completion);
    if (hit !== null) return digitsOf(hit);
  }
  const last = lastCapture(LAST_INTEGER, completion);
  return last === null ? null : digitsOf(last);
}

/**
 * The original project's extractor, defects included (see PATTERNS and digitsOf). `extract`
 * returns the digit string the original compared ("1,000" -> "1000", "-3.5" -> "35").
 */
export const seedExtractor: Extractor = {
  name: 'seed',
  description:
    "the original project's ordered patterns and digit-string equality (signs, decimals and separators lost: kept for comparability)",
  extract: seedAnswer,
  isCorrect(predicted, gold) {
    if (predicted === null) return false;
    const p = digitsOf(predicted);
    return p !== '' && p === digitsOf(goldFinalText(gold));
  },
};
