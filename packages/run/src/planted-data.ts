// Synthetic problems for the planted models: short GSM8K-shaped questions whose answer is the
// last number of the question's own sentences, and INF-like noise (a sentence about a town, its
// one number not in the question) inserted with @exp/noise's slots, recorded as a noisy set.
import { createRng, type Problem, type Rng } from '@exp/data';
import { insertAt, slotFor, type NoisePosition, type NoisyProblem } from '@exp/noise';

const NAMES = [
  'Tom',
  'Ann',
  'Sam',
  'Lily',
  'Ben',
  'Mia',
  'Max',
  'Eva',
  'Leo',
  'Zoe',
  'Jack',
  'Ivy',
];
const VERBS = ['has', 'sees', 'buys', 'finds', 'gets', 'keeps'];
const OBJECTS = [
  'apples',
  'birds',
  'coins',
  'books',
  'pens',
  'cards',
  'shells',
  'stickers',
  'marbles',
  'cookies',
  'stamps',
  'flowers',
];

/**
 * INF-like noise: facts about a town, with one number slot `{n}`. None uses the question
 * sentences' names, verbs or objects, so a model can learn to tell them apart.
 */
export const PLANTED_NOISE_TEMPLATES: readonly string[] = [
  'The tower in {town} is nearly {n} meters tall.',
  'The bus to {town} leaves every {n} minutes.',
  'The lake near {town} is about {n} meters deep.',
  'The museum in {town} opened {n} years ago.',
  'The bridge in {town} is over {n} years old.',
  'The train to {town} stops at {n} stations.',
  'The school in {town} hired {n} teachers.',
  'The park in {town} covers about {n} hectares.',
];
const TOWNS = ['Brookfield', 'Millbrook', 'Oakdale', 'Riverton', 'Lakeside', 'Fairview'];

/** The noise type recorded in the planted noisy records. */
export const PLANTED_NOISE_TYPE = 'inf';

/** Numbers are drawn from [LO, HI]: single digits, one token each in the planted tokenizer. */
const LO = 2;
const HI = 9;

/** A number in [LO, HI] not in `used` (added to it). */
function freshNumber(rng: Rng, used: Set<number>): number {
  for (;;) {
    const n = LO + rng.int(HI - LO + 1);
    if (!used.has(n)) {
      used.add(n);
      return n;
    }
  }
}

/** Which counting sentence the question asks about (and so which number is the answer). */
export type PlantedAsk = 'last' | 'first';

/**
 * One clean planted problem: `k` counting sentences ("Ann sees 7 birds."), then a question about
 * the objects of the last or the first of them; the gold is that sentence's number.
 */
function cleanProblem(
  rng: Rng,
  id: string,
  used: Set<number>,
  k: number,
  ask: PlantedAsk,
): Problem {
  const names = new Set<string>();
  const objects = new Set<string>();
  const sentences: string[] = [];
  const numbers: number[] = [];
  const objectList: string[] = [];
  for (let i = 0; i < k; i++) {
    let name = rng.pick(NAMES);
    while (names.has(name)) name = rng.pick(NAMES);
    names.add(name);
    let object = rng.pick(OBJECTS);
    while (objects.has(object)) object = rng.pick(OBJECTS);
    objects.add(object);
    objectList.push(object);
    numbers.push(freshNumber(rng, used));
    sentences.push(`${name} ${rng.pick(VERBS)} ${numbers.at(-1)} ${object}.`);
  }
  const at = ask === 'last' ? k - 1 : 0;
  const question = `${sentences.join(' ')} How many ${objectList[at]} are there?`;
  return { id, question, answer: `#### ${numbers[at]}`, final: String(numbers[at]) };
}

/** A noise sentence whose number is not in `used`. */
function noiseSentence(rng: Rng, used: Set<number>): { text: string; number: string } {
  const n = String(freshNumber(rng, used));
  const text = rng
    .pick(PLANTED_NOISE_TEMPLATES)
    .replace('{town}', rng.pick(TOWNS))
    .replace('{n}', n);
  return { text, number: n };
}

export interface PlantedSetOptions {
  /** Problems in the set. */
  n: number;
  seed: number;
  /** Distinguishes sets drawn with one seed (train, test): ids and draws differ per name. */
  name: string;
  /** Counting sentences per problem: a number, or 'mixed' (1, 2 or 3, drawn). Default 1. */
  sentences?: number | 'mixed';
  /** Which counting sentence the question asks about (default 'last'). */
  ask?: PlantedAsk;
}

/** A clean planted set and its INF variant (noise after the last counting sentence). */
export interface PlantedSets {
  clean: Problem[];
  noisy: NoisyProblem[];
  /** Per problem id, the number only its noise holds (likelihood's noiseNumbers). */
  noiseNumbers: Map<string, string[]>;
}

function noisyVariant(
  p: Problem,
  rng: Rng,
  used: Set<number>,
  position: NoisePosition,
  seed: number,
): { record: NoisyProblem; number: string } {
  const { text, number } = noiseSentence(rng, used);
  const { question, span } = insertAt(p.question, text, slotFor(p.question, position, rng));
  const record: NoisyProblem = {
    ...p,
    question,
    original_question: p.question,
    noise_type: PLANTED_NOISE_TYPE,
    noise: [{ ...span, type: PLANTED_NOISE_TYPE }],
    noise_kind: 'insertion',
    position,
    sentences: 1,
    seed,
  };
  return { record, number };
}

/**
 * `n` clean planted problems and their INF variants: one noise sentence after the last counting
 * sentence ('late'), so that "copy the last number" answers with the distractor. Seeded.
 * A one-sentence problem (the default) is answered alike by both planted rules, last and first.
 */
export function plantedSets(opts: PlantedSetOptions): PlantedSets {
  const rng = createRng(opts.seed).fork(`planted/${opts.name}`);
  const clean: Problem[] = [];
  const noisy: NoisyProblem[] = [];
  const noiseNumbers = new Map<string, string[]>();
  for (let i = 0; i < opts.n; i++) {
    const used = new Set<number>();
    const k = opts.sentences === 'mixed' ? 1 + rng.int(3) : (opts.sentences ?? 1);
    const p = cleanProblem(rng, `${opts.name}-${i}`, used, k, opts.ask ?? 'last');
    const { record, number } = noisyVariant(p, rng, used, 'late', opts.seed);
    clean.push(p);
    noisy.push(record);
    noiseNumbers.set(p.id, [number]);
  }
  return { clean, noisy, noiseNumbers };
}
