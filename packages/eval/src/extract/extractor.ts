import { ExpError } from '@exp/data';
/** One way of reading the final answer out of a model's completion, selected by name. */
export interface Extractor {
  /** Lower-case registry key, also the `extractor` column of the results tables. */
  readonly name: string;
  /** One line for `--help` and the run manifest. */
  readonly description: string;
  /**
   * The extracted answer as a string (for the lm-eval extractors the filtered, normalised string
   * lm-eval compares, `[invalid]` included), or null when nothing is found.
   */
  extract(completion: string): string | null;
  /**
   * Whether `predicted` (what `extract` returned) matches `gold`; gold is the final number
   * ("72", "1,000") or a whole GSM8K worked solution ending in "#### 72". Each extractor
   * normalises gold its own way, so that rescoring needs only the completion and the gold.
   */
  isCorrect(predicted: string | null, gold: string): boolean;
}

/** A misuse of the extractor registry (bad name, duplicate, unknown extractor). */
export class ExtractorError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractorError';
  }
}

const GOLD_MARK = '####';

/**
 * The part of a gold answer that holds the final number: the text after the last `####` of a
 * worked solution, or the whole string when it is already the final number.
 */
export function goldFinalText(gold: string): string {
  const at = gold.lastIndexOf(GOLD_MARK);
  return (at < 0 ? gold : gold.slice(at + GOLD_MARK.length)).trim();
}
