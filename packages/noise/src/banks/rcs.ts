import type { Rng } from '@exp/data';
import { formatInt } from '../text/numbers.js';

/**
 * Redundant calculation steps (RCS): a true arithmetic fact or unit conversion, computed here
 * (never typed by hand), behind a lead-in phrase that presents it as general knowledge. Lead-ins
 * that sound like a step of *this* problem ("As a quick check", "We know that", "Note that",
 * "Observe that") are not used: they would tell the model the fact belongs to the solution.
 * Facts draw fresh operands for each problem; `avoidingProblemNumbers` rejects draws that repeat
 * a number of the question, its worked solution or its answer, so a fact can never be a step of
 * the real solution.
 */
export const RCS_LEADS: readonly string[] = [
  'Recall that {fact}.',
  'Remember that {fact}.',
  'For reference, {fact}.',
  'As a general fact, {fact}.',
  'In general, {fact}.',
  'As everyone learns in school, {fact}.',
  'It is a well-known fact that {fact}.',
  'Incidentally, {fact}.',
  'As a matter of arithmetic, {fact}.',
  'By the way, {fact}.',
];

/** A unit conversion: `per` small units in one big unit; `lo..hi` big units are converted. */
interface Conversion {
  per: number;
  small: string;
  one: string;
  many: string;
  lo: number;
  hi: number;
}

export const RCS_CONVERSIONS: readonly Conversion[] = [
  { per: 60, small: 'minutes', one: 'an hour', many: 'hours', lo: 2, hi: 12 },
  { per: 60, small: 'seconds', one: 'a minute', many: 'minutes', lo: 2, hi: 15 },
  { per: 24, small: 'hours', one: 'a day', many: 'days', lo: 2, hi: 9 },
  { per: 7, small: 'days', one: 'a week', many: 'weeks', lo: 2, hi: 12 },
  { per: 12, small: 'months', one: 'a year', many: 'years', lo: 2, hi: 10 },
  { per: 100, small: 'cents', one: 'a dollar', many: 'dollars', lo: 2, hi: 20 },
  { per: 12, small: 'inches', one: 'a foot', many: 'feet', lo: 2, hi: 12 },
  { per: 3, small: 'feet', one: 'a yard', many: 'yards', lo: 2, hi: 30 },
  { per: 16, small: 'ounces', one: 'a pound', many: 'pounds', lo: 2, hi: 12 },
  { per: 4, small: 'quarts', one: 'a gallon', many: 'gallons', lo: 2, hi: 15 },
  { per: 1000, small: 'meters', one: 'a kilometer', many: 'kilometers', lo: 2, hi: 9 },
  { per: 1000, small: 'grams', one: 'a kilogram', many: 'kilograms', lo: 2, hi: 9 },
  { per: 100, small: 'centimeters', one: 'a meter', many: 'meters', lo: 2, hi: 15 },
  { per: 12, small: 'eggs', one: 'a dozen', many: 'dozen', lo: 2, hi: 10 },
];

/** An integer in [lo, hi]. */
function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

const f = formatInt;

/** Fact generators; each returns a lower-case clause that is arithmetically true. */
export const RCS_FACTS: readonly ((rng: Rng) => string)[] = [
  (rng) => {
    const [a, b] = [between(rng, 3, 19), between(rng, 3, 19)];
    return `${a} times ${b} is ${f(a * b)}`;
  },
  (rng) => {
    const [a, b] = [between(rng, 12, 95), between(rng, 12, 95)];
    return `${a} plus ${b} equals ${f(a + b)}`;
  },
  (rng) => {
    const a = between(rng, 40, 160);
    const b = between(rng, 11, a - 5);
    return `${a} minus ${b} is ${f(a - b)}`;
  },
  (rng) => {
    const [b, q] = [between(rng, 2, 12), between(rng, 3, 25)];
    return `${f(b * q)} divided by ${b} is ${q}`;
  },
  (rng) => {
    const h = between(rng, 6, 150);
    return `half of ${f(2 * h)} is ${h}`;
  },
  (rng) => {
    const a = between(rng, 6, 150);
    return `twice ${a} is ${f(2 * a)}`;
  },
  (rng) => {
    const a = between(rng, 4, 25);
    return `${a} squared is ${f(a * a)}`;
  },
  (rng) => {
    const p = rng.pick([5, 10, 20, 25, 50, 75]);
    const n = 20 * between(rng, 4, 50);
    return `${p}% of ${f(n)} is ${f((p * n) / 100)}`;
  },
  (rng) => {
    const k = between(rng, 4, 60);
    return `a third of ${f(3 * k)} is ${k}`;
  },
  (rng) => {
    const k = between(rng, 4, 60);
    return `a quarter of ${f(4 * k)} is ${k}`;
  },
  (rng) => {
    const [a, b] = [between(rng, 3, 40), between(rng, 3, 40)];
    return `${a} times ${b} is the same as ${b} times ${a}`;
  },
  (rng) => {
    const c = rng.pick(RCS_CONVERSIONS);
    const x = between(rng, c.lo, c.hi);
    return `there are ${f(c.per)} ${c.small} in ${c.one}, so ${x} ${c.many} is ${f(x * c.per)} ${c.small}`;
  },
];

/** One RCS sentence: a lead-in around a fact; each generator (all conversions are one) equally likely. */
export function makeRcsSentence(rng: Rng): string {
  const lead = rng.pick(RCS_LEADS);
  const fact = rng.pick(RCS_FACTS)(rng);
  const text = lead.replace('{fact}', fact);
  return text.charAt(0).toUpperCase() + text.slice(1);
}
