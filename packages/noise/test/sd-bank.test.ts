import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createRng, loadGsm8kFile, type Problem } from '@exp/data';
import {
  SD_DEFAULT,
  SD_GENERAL,
  SD_TOPICS,
  makeSdSentence,
  scoreTopics,
  sdSentencesOf,
  sdTopicOf,
} from '../src/banks/sd.js';
import { STOP_WORDS, properNames, sharesWordWith } from '../src/text/topics.js';
import { GSM8K_TEST, SHARED_DIR } from './shared.js';

const test = loadGsm8kFile(GSM8K_TEST, 'gsm8k-test');
const train = loadGsm8kFile(path.join(SHARED_DIR, 'data/gsm8k/train.jsonl'), 'gsm8k-train');
const byId = new Map(test.map((p) => [p.id, p]));

const sdRng = (seed: number, p: Problem) =>
  createRng(seed).fork('noise:sd').fork(p.id).fork('text');

function shares(problems: readonly Problem[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of problems) {
    const t = sdTopicOf(p.question);
    out.set(t, (out.get(t) ?? 0) + 1);
  }
  return out;
}

/** The most times any one sentence is drawn over the problems, for each seed. */
function maxReuse(problems: readonly Problem[], seeds: readonly number[]): number[] {
  return seeds.map((seed) => {
    const counts = new Map<string, number>();
    for (const p of problems) {
      const { text } = makeSdSentence(p, sdRng(seed, p));
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    return Math.max(...counts.values());
  });
}

const words = (s: string) => s.toLowerCase().match(/[a-z]+/gu) ?? [];

const PRONOUNS =
  'i me my mine myself you your yours yourself yourselves he him his himself she her hers ' +
  'herself it its itself we us our ours ourselves they them their theirs themselves this that ' +
  'these those someone somebody everyone everybody anyone anybody nobody none one ones';
const NUMBER_WORDS =
  'zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen ' +
  'sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety ' +
  'hundred thousand million billion dozen dozens half halves twice thrice double triple ' +
  'quadruple pair pairs couple couples single first second seconds third fourth fifth sixth ' +
  'seventh eighth ninth tenth once quarter quarters both score scores';
const QUANTITY =
  'more most less least fewer fewest extra each every per all several few enough total only ' +
  'remaining rest';
const UNITS_AND_TIMES =
  'hour hours minute minutes day days week weeks month months year years weekend weekends daily ' +
  'weekly monthly yearly annual hourly mile miles kilometer kilometers meter meters centimeter ' +
  'inch inches foot feet yard yards pound pounds ounce ounces gallon gallons liter liters gram ' +
  'grams kilogram kilograms ton tons percent dollar dollars cent cents morning mornings ' +
  'afternoon afternoons evening evenings night nights noon midnight today tomorrow yesterday ' +
  'tonight ago';
const MONEY_AND_CHANGE =
  'price prices cost costs pay pays paid paying spend spent save saves saving earn earns profit ' +
  'discount discounts sale sales tax taxes tip tips fee fees interest refund free cheap ' +
  'expensive bonus charge charges rate rates budget loan debt worth lose loses lost break ' +
  'breaks broke broken spoil spoils rot crack cracks waste steal melt melts spill';
const AGE_SIZE_SPEED_COLOR =
  'old older oldest young younger youngest age ages aged born small smaller large larger big ' +
  'bigger little tiny huge giant tall taller short shorter long longer wide heavy fast faster ' +
  'quick quickly slow slowly rapid rapidly early late full empty filled red blue green yellow ' +
  'white black pink purple orange brown gray grey gold silver';
const BANNED = new Map<string, string>();
for (const [kind, list] of Object.entries({
  PRONOUNS,
  NUMBER_WORDS,
  QUANTITY,
  UNITS_AND_TIMES,
  MONEY_AND_CHANGE,
  AGE_SIZE_SPEED_COLOR,
})) {
  for (const w of list.split(' ')) BANNED.set(w, kind);
}

describe('SD bank hygiene', () => {
  const all = [...SD_TOPICS.flatMap((t) => t.sentences), ...SD_DEFAULT];

  it('has many topics and sentences', () => {
    expect(SD_TOPICS.length).toBeGreaterThanOrEqual(30);
    expect(all.length).toBeGreaterThanOrEqual(600);
    for (const t of SD_TOPICS) expect([t.name, t.sentences.length >= 14]).toEqual([t.name, true]);
    expect(SD_DEFAULT.length).toBeGreaterThanOrEqual(20);
    expect(new Set(SD_TOPICS.map((t) => t.name)).size).toBe(SD_TOPICS.length);
    expect(SD_TOPICS.map((t) => t.name)).not.toContain(SD_GENERAL);
  });

  it('every sentence is one generic line: capital, lower-case words, a final period', () => {
    const bad = all.filter(
      (s) =>
        !/^[A-Z][a-z ,-]*[a-z]\.$/u.test(s) ||
        s.length < 25 ||
        s.length > 110 ||
        /^(?:The|A|An) /u.test(s),
    );
    expect(bad).toEqual([]);
  });

  it('no sentence has a digit, pronoun, number, quantity, unit, time, money, size or color word', () => {
    const bad = all.flatMap((s) =>
      words(s)
        .filter((w) => BANNED.has(w))
        .map((w) => `${s} (${BANNED.get(w)}: ${w})`),
    );
    expect(bad).toEqual([]);
    expect(all.filter((s) => /\d/u.test(s))).toEqual([]);
  });

  it('sentences are unique across the whole bank', () => {
    const seen = new Set<string>();
    const dups = all.filter((s) => {
      const k = s.toLowerCase();
      const dup = seen.has(k);
      seen.add(k);
      return dup;
    });
    expect(dups).toEqual([]);
  });

  it('keywords are base-form words, not stop words, listed once per topic', () => {
    for (const t of SD_TOPICS) {
      const kws = [...t.strong, ...t.words, ...t.weak];
      expect([t.name, kws.filter((k) => !/^[A-Za-z]+$/u.test(k) || STOP_WORDS.has(k))]).toEqual([
        t.name,
        [],
      ]);
      expect([t.name, kws.length - new Set(kws.map((k) => k.toLowerCase())).size]).toEqual([
        t.name,
        0,
      ]);
    }
  });
});

describe('SD topic choice', () => {
  it('scoreTopics gives every topic a score, weights 3/2/1 with weak words capped at 2', () => {
    const q = 'The cashier at the store charged Tom $5. He paid the price and spent the cost.';
    const s = scoreTopics(q);
    expect(s.map((x) => x.name)).toEqual(SD_TOPICS.map((t) => t.name));
    const of = (name: string) => s.find((x) => x.name === name);
    expect(of('shopping')).toMatchObject({ score: 6 }); // cashier 3 + store 3
    // dollar, charge, pay, price, spend, cost: six weak words, 2 in all.
    expect(of('money')?.score).toBe(2);
    expect(of('money')?.hits.length).toBe(6);
    expect(sdTopicOf(q)).toBe('shopping');
  });

  it.each([
    // Janet's ducks and eggs at the farmers' market: farm, not shopping.
    ['gsm8k-test-0', 'farm'],
    // A mother goes shopping ... the cashier.
    ['gsm8k-test-272', 'shopping'],
    // Candy from a store, change from the cashier.
    ['gsm8k-test-671', 'shopping'],
    // Only dollars: "divide 100 dollars between them".
    ['gsm8k-test-544', 'money'],
    // Only "$100": money, not shopping.
    ['gsm8k-test-1167', 'money'],
    // Pennies, nickels and dimes in a piggy bank.
    ['gsm8k-test-256', 'money'],
  ])('%s -> %s', (id, topic) => {
    expect(sdTopicOf(byId.get(id)?.question ?? '')).toBe(topic);
  });

  it.each([
    ['She takes care of 3 dogs. How many?', 'pets'],
    ['Tom takes care of 5 scars. How many?', SD_GENERAL],
    ['Tom drives his car 5 miles. How far?', 'driving'],
    ['Ann got 3 of them for Christmas.', 'party'],
    // "Rose" and "Penny" are names here, not flowers or coins.
    ['Ann and Rose have 3 pencils.', 'school'],
    ['Tom and Penny have 4 of them.', SD_GENERAL],
    ['Tom has 4 pennies.', 'money'],
    ['What is the sum of 3 and 4?', SD_GENERAL],
  ])('%s -> %s', (question, topic) => {
    expect(sdTopicOf(question)).toBe(topic);
  });

  // Measured: general 13 of 1,319 test problems (1.0%), 114 of 7,473 train problems (1.5%); the
  // largest topics: test food 92 (7.0%), school 91, money 67; train school 513 (6.9%), food 454.
  it('general takes a small share of GSM8K test and train, and no topic dominates', () => {
    for (const [problems, general] of [
      [test, 0.015],
      [train, 0.02],
    ] as const) {
      const s = shares(problems);
      expect((s.get(SD_GENERAL) ?? 0) / problems.length).toBeLessThanOrEqual(general);
      expect(Math.max(...s.values()) / problems.length).toBeLessThanOrEqual(0.08);
      // Every topic is used.
      expect(s.size).toBe(SD_TOPICS.length + 1);
    }
  });
});

describe('makeSdSentence', () => {
  // Measured max reuse: test 8-10 over seeds 1..5 (bound 2% of 1,319 = 26); train 28-31 over
  // seeds 1..2 (bound 1% of 7,473 = 74).
  it('no sentence is drawn for more than 2% of the test set (1% of train)', () => {
    for (const m of maxReuse(test, [1, 2, 3, 4, 5])) expect(m).toBeLessThanOrEqual(26);
    for (const m of maxReuse(train, [1, 2])) expect(m).toBeLessThanOrEqual(74);
  });

  it("draws from the question's topic, deterministically", () => {
    for (const p of test.slice(0, 200)) {
      const a = makeSdSentence(p, sdRng(7, p));
      expect(a).toEqual(makeSdSentence(p, sdRng(7, p)));
      expect(a.topic).toBe(sdTopicOf(p.question));
      expect(sdSentencesOf(a.topic)).toContain(a.text);
    }
    expect(sdSentencesOf(SD_GENERAL)).toBe(SD_DEFAULT);
  });

  it("no chosen sentence shares a word with the question's names", () => {
    const clashes = test.filter((p) => {
      const { text } = makeSdSentence(p, sdRng(1, p));
      return sharesWordWith(text, properNames(p.question));
    });
    expect(clashes).toEqual([]);
  });

  it('redraws around a name: no "Bakers ..." beside Mr. Baker', () => {
    const drawn = (question: string) =>
      new Set(
        Array.from({ length: 400 }, (_, seed) => {
          const p = { id: 'x', question, answer: '', final: '12' };
          return makeSdSentence(p, sdRng(seed, p)).text;
        }),
      );
    const bakers = 'Bakers often sift flour for a lighter texture.';
    expect(drawn('Tom and Sue bake 12 cakes. How many?').has(bakers)).toBe(true);
    const withName = drawn('Tom and Mr. Baker bake 12 cakes. How many?');
    expect(withName.has(bakers)).toBe(false);
    expect([...withName].every((s) => sdSentencesOf('baking').includes(s))).toBe(true);
  });
});
