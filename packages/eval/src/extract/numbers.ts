import { parseDecimal, rational, type Rational } from './rational.js';

/** A number found in a text: its value and where it was written (UTF-16 offsets). */
export interface FoundNumber {
  readonly value: Rational;
  readonly start: number;
  readonly end: number;
}

/**
 * Numbers as people write answers. Piece by piece:
 * - a sign (`-`, `+` or the Unicode minus `−`) only where no letter, digit or closing bracket
 *   comes before it: in `5-3` and `x-2` the dash is an operator, in `(-3)` or `is -3` a sign;
 * - an optional `$` after the sign;
 * - a fraction `a/b`, tried first so that `3/4` is one number, not 3 and 4;
 * - else digits whose thousands groups have exactly three digits and one separator throughout:
 *   a comma, a space, a no-break space U+00A0 or a narrow no-break space U+202F (`1,200,000`,
 *   `1 200`, `1\u202F200\u202F000`, as Math-Verify reads them; `1,2345` and `1 2345` are 1
 *   followed by 2345), or plain digits, or a bare decimal `.5`, with an optional
 *   fraction part and an optional exponent (`1e3`, `2.5E-2`; at most three exponent digits so a
 *   stray `1e99999` cannot allocate a huge bigint).
 * A trailing `.` is not a decimal point (`is 3.` ends a sentence).
 */
const NUMBER =
  /(?:(?<![\p{L}\p{N})\]}])(?<sign>[-+\u2212]))?\$?(?:(?<num>\d+)\/(?<den>\d+)(?![\d/])|(?<decimal>(?:\d{1,3}(?<sep>[, \u00A0\u202F])\d{3}(?:\k<sep>\d{3})*(?!\d)|\d+)(?:\.\d+)?|\.\d+)(?<exp>[eE][-+]?\d{1,3})?)/gu;
const SEPARATORS = /[, \u00A0\u202F]/g;

function valueOf(m: RegExpExecArray): Rational | null {
  const g = m.groups!;
  const negative = g.sign === '-' || g.sign === '\u2212';
  if (g.num !== undefined) {
    const num = BigInt(g.num);
    return rational(negative ? -num : num, BigInt(g.den!));
  }
  return parseDecimal(`${negative ? '-' : ''}${g.decimal!.replace(SEPARATORS, '')}${g.exp ?? ''}`);
}

/** Every number in `text`, left to right (a fraction with a zero denominator is skipped). */
export function findNumbers(text: string): FoundNumber[] {
  const out: FoundNumber[] = [];
  for (const m of text.matchAll(NUMBER)) {
    const value = valueOf(m);
    if (value) out.push({ value, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** The value of the first number in `text`, or null when it holds none. */
export function firstNumber(text: string): Rational | null {
  return findNumbers(text)[0]?.value ?? null;
}
