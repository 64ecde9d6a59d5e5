import type { Extractor } from './extractor.js';

/**
 * lm-evaluation-harness's `gsm8k` task (version 3), reproduced byte for byte so that our numbers
 * can be set beside published lm-eval numbers, quirks included (`18.00` != `18`, `.5` != `0.5`).
 */

/** The fallback of lm-eval's regex filter when nothing matches. */
export const LM_EVAL_INVALID = '[invalid]';

// `strict-match`: lm-eval's `#### (\-?[0-9\.\,]+)` (the escapes are redundant in JS), first match.
const STRICT_MATCH = /#### (-?[0-9.,]+)/u;
// `flexible-extract`: `(-?[$0-9.,]{2,})|(-?[0-9]+)`, last match, first non-empty group.
const FLEXIBLE_EXTRACT = /(-?[$0-9.,]{2,})|(-?[0-9]+)/gu;

/**
 * exact_match's `regexes_to_ignore` in lm-eval's order, each removed everywhere as Python's
 * `re.sub` does. `(?s).*#### ` is dotAll; Python's `$` also matches before a final newline,
 * which JS's `$` does not, hence `(?=\n?$)` for `\.$`.
 */
const IGNORE: readonly RegExp[] = [/,/gu, /\$/gu, /.*#### /gsu, /\.(?=\n?$)/gu];

/**
 * lm-eval's exact_match normalisation of one string: the ignored regexes removed in order, then
 * lower-cased (`ignore_case`). JS's toLowerCase and Python's lower agree on everything but a few
 * exotic letters, none of which can survive in a GSM8K number.
 */
export function lmEvalNormalize(text: string): string {
  let s = text;
  for (const re of IGNORE) s = s.replace(re, '');
  return s.toLowerCase();
}

/** lm-eval's `strict-match` filter: the number after the first `#### `, else `[invalid]`. */
export function lmEvalStrictMatch(completion: string): string {
  const m = STRICT_MATCH.exec(completion);
  return m ? m[1].trim() : LM_EVAL_INVALID;
}

/** lm-eval's `flexible-extract` filter: the last number-like run, else `[invalid]`. */
export function lmEvalFlexibleExtract(completion: string): string {
  let last: RegExpExecArray | null = null;
  for (const m of completion.matchAll(FLEXIBLE_EXTRACT)) last = m;
  if (!last) return LM_EVAL_INVALID;
  return (last[1] || last[2]).trim();
}

function lmEvalExtractor(
  name: string,
  description: string,
  filter: (completion: string) => string,
): Extractor {
  return {
    name,
    description,
    extract: (completion) => lmEvalNormalize(filter(completion)),
    // `predicted` is already normalised; the reference (the whole worked solution, or just its
    // number) is normalised the same way, then plain string equality as in lm-eval.
    isCorrect: (predicted, gold) => predicted !== null && predicted === lmEvalNormalize(gold),
  };
}

export const lmEvalStrictExtractor = lmEvalExtractor(
  'lm-eval-strict',
  "lm-evaluation-harness gsm8k strict-match: '#### N' (first), exact_match string equality",
  lmEvalStrictMatch,
);

export const lmEvalFlexibleExtractor = lmEvalExtractor(
  'lm-eval-flexible',
  'lm-evaluation-harness gsm8k flexible-extract: last number-like run, exact_match string equality',
  lmEvalFlexibleExtract,
);
