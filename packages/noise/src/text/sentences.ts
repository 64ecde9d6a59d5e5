/** A sentence of a text: `text === source.slice(start, end)` (UTF-16 offsets, no outer whitespace). */
export interface Sentence {
  text: string;
  start: number;
  end: number;
}

/**
 * Abbreviations whose period never ends a sentence, even before a capital letter: titles precede
 * names ("Mr. Smith", "St. Louis") and these Latin/short forms introduce what follows ("vs. The").
 * Lower-case, without the final period. Time and list abbreviations (a.m., p.m., etc., lbs.) are
 * NOT here: they often end a sentence ("wakes up at 6 a.m. She is"), so they follow the general
 * rule (a boundary only before a capital, digit, quote or bracket).
 */
const NEVER_FINAL = new Set([
  'mr',
  'mrs',
  'ms',
  'mx',
  'dr',
  'prof',
  'rev',
  'st',
  'mt',
  'vs',
  'e.g',
  'i.e',
  'cf',
  'approx',
  'fig',
]);
/** Abbreviations that never end a sentence when a number follows ("No. 5"). */
const BEFORE_NUMBER = new Set(['no', 'nos', 'vol', 'pp', 'p', 'ch', 'sec']);
/** Time abbreviations: initialisms that may end a sentence (other initialisms like U.S. do not). */
const TIME_INITIALISMS = new Set(['a.m', 'p.m']);

const CLOSERS = /["'”’)\]}»]+$/u;
const OPENERS = /^["'“‘([{«]+/u;
const TERMINATOR = /[.!?…]$/u;

/**
 * Whether the word before a whitespace run ends a sentence. `token` is the non-space run before
 * the whitespace, `next` the first word after it.
 */
function endsSentence(token: string, next: string): boolean {
  const core = token.replace(CLOSERS, '');
  if (!TERMINATOR.test(core)) return false;
  // A lower-case continuation means the period belonged to an abbreviation ("lbs. by", "vs.
  // calories") or the mark sits inside a quoted phrase ('"Why?" she asked').
  if (/^\p{Ll}/u.test(next)) return false;
  if (!core.endsWith('.') || core.endsWith('..')) return true;
  const word = core.slice(0, -1).replace(OPENERS, '').toLowerCase();
  if (NEVER_FINAL.has(word)) return false;
  if (BEFORE_NUMBER.has(word) && /^\d/.test(next)) return false;
  // Dotted initialisms ("U.S.", "e.g."): only the time forms may end a sentence.
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) return TIME_INITIALISMS.has(word);
  return true;
}

/**
 * Splits a text into sentences at whitespace that follows '.', '!', '?' or '…' (optionally
 * followed by closing quotes or brackets), and at blank lines. Because a boundary needs
 * whitespace after the mark, decimals ("$1.50", "$.5"), numbers with commas ("10,000.00") and
 * names like "Amazon.com" are never split; the abbreviation rules above keep "Mr. Smith",
 * "e.g. Apples", "8 a.m. and" together. A single newline inside a sentence is treated as a space
 * (hard-wrapped text), a blank line always ends a paragraph. Single capital letters are not
 * treated as initials, because GSM8K ends sentences with them ("longer than Movie B. Movie B").
 */
export function splitSentences(text: string): Sentence[] {
  const tokens = [...text.matchAll(/\S+/gu)].map((m) => ({ text: m[0], start: m.index }));
  const sentences: Sentence[] = [];
  let start = tokens.length ? tokens[0].start : 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const end = token.start + token.text.length;
    const next = tokens[i + 1];
    const last =
      next === undefined ||
      /\n[^\S\n]*\n/u.test(text.slice(end, next.start)) ||
      endsSentence(token.text, next.text);
    if (last) {
      sentences.push({ text: text.slice(start, end), start, end });
      if (next) start = next.start;
    }
  }
  return sentences;
}
