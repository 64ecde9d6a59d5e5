// The numbers a noisy question adds: the distractors whose pull at the answer position is
// measured. Numbers are compared by value in the canonical form of @exp/data's gold answers
// (1,200 and 1200.0 are both "1200"), with eval's own number reader.
import { findNumbers } from '../extract/numbers.js';
import { formatRational } from '../extract/rational.js';

/** The canonical strings of the numbers written in `text`, in order, without repeats. */
function numbersIn(text: string): string[] {
  return [...new Set(findNumbers(text).map((n) => formatRational(n.value)))];
}

/**
 * The numbers that appear only in the noise: written in one of `noise` (the inserted span
 * texts), but neither in the clean question nor equal to the gold answer `gold` (canonical, as
 * Problem.final). In order of first appearance.
 */
export function noiseOnlyNumbers(
  noise: readonly string[],
  cleanQuestion: string,
  gold: string,
): string[] {
  const known = new Set([...numbersIn(cleanQuestion), gold]);
  return numbersIn(noise.join('\n')).filter((n) => !known.has(n));
}
