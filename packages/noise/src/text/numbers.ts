import { normalizeNumber } from '@exp/data';

/** Numbers written with digits: "1,000", "$1.50", "$.5", "3/4" (as 3 and 4), "7:11". */
const NUMBER = /(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+/gu;

const UNITS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
/** Words that multiply what precedes them ("two hundred", "a dozen", "three dozen"). */
const SCALES: Readonly<Record<string, number>> = {
  dozen: 12,
  dozens: 12,
  hundred: 100,
  hundreds: 100,
  thousand: 1000,
  thousands: 1000,
  million: 1e6,
  millions: 1e6,
  billion: 1e9,
};
/**
 * Words that name a number without being a cardinal: ordinals, fractions (both the fraction and
 * its denominator: "half" is 0.5 and 2), multiplicatives and counting nouns. Counted
 * conservatively: a question saying "half" or "twice" forbids noise mentioning 2.
 */
const OTHER_WORDS: Readonly<Record<string, readonly number[]>> = {
  first: [1],
  once: [1],
  single: [1],
  second: [2],
  twice: [2],
  double: [2],
  doubled: [2],
  doubles: [2],
  pair: [2],
  pairs: [2],
  couple: [2],
  half: [0.5, 2],
  halves: [0.5, 2],
  halved: [0.5, 2],
  third: [3],
  thirds: [3],
  thrice: [3],
  triple: [3],
  tripled: [3],
  fourth: [4],
  fourths: [4],
  quarter: [0.25, 4],
  quarters: [0.25, 4],
  quadruple: [4],
  fifth: [5],
  fifths: [5],
  sixth: [6],
  seventh: [7],
  eighth: [8],
  eighths: [8],
  ninth: [9],
  tenth: [10],
  tenths: [10],
  eleventh: [11],
  twelfth: [12],
  thirteenth: [13],
  fifteenth: [15],
  twentieth: [20],
  thirtieth: [30],
  fiftieth: [50],
  hundredth: [100],
  hundredths: [100],
  thousandth: [1000],
};

/** Every word that names a number (for hygiene checks on sentence banks). */
export const NUMBER_WORDS: ReadonlySet<string> = new Set([
  ...Object.keys(UNITS),
  ...Object.keys(SCALES),
  ...Object.keys(OTHER_WORDS),
]);

/**
 * Numbers written in words, in canonical form: each cardinal word ("two" -> 2), each run of
 * cardinal words as one number as well ("twenty-five" -> 20, 5 and 25; "two hundred and five" ->
 * 2, 100, 5 and 205; "a dozen" -> 12), and the words of OTHER_WORDS ("half" -> 0.5 and 2,
 * "twice" -> 2, "third" -> 3). Deliberately generous: it is used to keep noise from echoing a
 * number of the problem, where a false match only costs a redraw.
 */
function wordNumbers(text: string): number[] {
  const out: number[] = [];
  const words = text.toLowerCase().match(/[a-z]+/gu) ?? [];
  let total = 0;
  let current = 0;
  let inRun = false;
  const close = (): void => {
    if (inRun) out.push(total + current);
    total = current = 0;
    inRun = false;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const unit = UNITS[w];
    const scale = SCALES[w];
    if (unit !== undefined) {
      out.push(unit);
      current += unit;
      inRun = true;
    } else if (scale !== undefined) {
      out.push(scale);
      if (scale >= 1000) {
        total += (inRun ? current || 1 : 1) * scale;
        current = 0;
      } else current = (inRun ? current || 1 : 1) * scale;
      inRun = true;
    } else if ((w === 'a' || w === 'an') && SCALES[words[i + 1] ?? ''] !== undefined) {
      close(); // "a hundred": the scale word starts a run worth 1 x scale
    } else if (w === 'and' && inRun && UNITS[words[i + 1] ?? ''] !== undefined) {
      // "two hundred and five": the run goes on
    } else {
      close();
      for (const n of OTHER_WORDS[w] ?? []) out.push(n);
    }
  }
  close();
  return out;
}

/**
 * The distinct numbers of a text in canonical form ("1,000.50" -> "1000.5"): every number written
 * with digits and, unless `words` is false, every number written in words (see wordNumbers).
 */
export function numbersIn(text: string, opts: { words?: boolean } = {}): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(NUMBER)) {
    const n = normalizeNumber(m[0]);
    if (n !== null) out.add(n);
  }
  if (opts.words !== false) for (const n of wordNumbers(text)) out.add(String(n));
  return out;
}

/** An integer in English style: thousands separated by commas ("12500" -> "12,500"). */
export function formatInt(n: number): string {
  const digits = String(Math.abs(Math.trunc(n)));
  const grouped = digits.replace(/\B(?=(\d{3})+$)/gu, ',');
  return n < 0 ? `-${grouped}` : grouped;
}
