import type { FoundNumber } from './numbers.js';

const UNITS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SMALL = new Map<string, bigint>([
  ...UNITS.map((w, i) => [w, BigInt(i)] as const),
  ...TENS.map((w, i) => [w, BigInt((i + 2) * 10)] as const),
]);
const SCALES = new Map<string, bigint>([
  ['thousand', 1_000n],
  ['million', 1_000_000n],
  ['billion', 1_000_000_000n],
]);

// Number words are joined by spaces or hyphens, and by "and" after a scale word
// ("one hundred and five"); "five and six" stays two numbers.
const WORD = /[a-z]+/giu;
const JOINER = /^(?:[\s-]+|\s+and\s+)$/iu;

function isNumberWord(w: string): boolean {
  return SMALL.has(w) || w === 'hundred' || SCALES.has(w);
}

/** The value of a run of number words read the usual English way. */
function runValue(words: readonly string[]): bigint {
  let total = 0n;
  let current = 0n;
  for (const w of words) {
    const small = SMALL.get(w);
    const scale = SCALES.get(w);
    if (small !== undefined) current += small;
    else if (w === 'hundred') current = (current || 1n) * 100n;
    else if (scale !== undefined) [total, current] = [total + (current || 1n) * scale, 0n];
  }
  return total + current;
}

interface Run {
  words: string[];
  start: number;
  end: number;
}

function toFound(run: Run): FoundNumber {
  return { value: { num: runValue(run.words), den: 1n }, start: run.start, end: run.end };
}

/**
 * Numbers written as English words ("twelve", "twenty-five", "one hundred and five"), used only
 * inside a final-answer segment: elsewhere "one" is too often a pronoun.
 */
export function findNumberWords(text: string): FoundNumber[] {
  const out: FoundNumber[] = [];
  let run: Run | null = null;
  for (const m of text.matchAll(WORD)) {
    const w = m[0].toLowerCase();
    const last = run?.words[run.words.length - 1];
    if (w === 'and' && last !== undefined && (last === 'hundred' || SCALES.has(last))) continue;
    if (!isNumberWord(w)) {
      if (run) out.push(toFound(run));
      run = null;
    } else if (run && JOINER.test(text.slice(run.end, m.index))) {
      run.words.push(w);
      run.end = m.index + m[0].length;
    } else {
      if (run) out.push(toFound(run));
      run = { words: [w], start: m.index, end: m.index + m[0].length };
    }
  }
  if (run) out.push(toFound(run));
  return out;
}
