// kmiSpans on real GSM8K questions (both classifiers), and the mapping of clean-question spans
// into a noisy question through its recorded noise spans.
import {
  kmiSpans,
  mapSpansToNoisy,
  noiseChunks,
  toNoisyOffset,
  withoutNoise,
  type KmiClassifier,
} from '../src/kmi.js';
import { noisy, problems } from './gsm8k-items.js';

const show = (q: string, c: KmiClassifier) =>
  kmiSpans(q, c).map((s) => `${q.slice(s.start, s.end)}/${s.rule}`);

describe('kmiSpans', () => {
  const [janet, robe, josh] = problems(3).map((p) => p.question) as [string, string, string];

  it("'exp' on GSM8K test 1: numbers, number words, units, operations, the question's content words", () => {
    expect(show(robe, 'exp')).toEqual([
      '2/number',
      'half/number-word',
      'How/question',
      'many/question',
      'bolts/question',
      'total/operation',
      'take/question',
    ]);
    expect(show(josh, 'exp')).toEqual([
      '$80,000/number',
      '$50,000/number',
      'increased/operation',
      '150%/number',
      'How/question',
      'much/question',
      'profit/operation',
      'make/question',
    ]);
    // Content words count in the question sentence only: "farmers" is KMI there, not before.
    expect(show(janet, 'exp')).toEqual([
      '16/number',
      'per/unit',
      'day/unit',
      'three/number-word',
      'every/unit',
      'every/unit',
      'day/unit',
      'four/number-word',
      'remainder/operation',
      'daily/unit',
      '$2/number',
      'per/unit',
      'How/question',
      'much/question',
      'dollars/unit',
      'make/question',
      'every/unit',
      'day/unit',
      'farmers/question',
      'market/question',
    ]);
    expect(kmiSpans(robe, 'exp')[0]).toEqual({ start: 13, end: 14, rule: 'number' });
  });

  it("'seed': digit runs, $ and %, keywords, and two words of context either side of a number", () => {
    expect(show(robe, 'seed')).toEqual([
      'robe/context',
      'takes/context',
      '2/number',
      'bolts/context',
      'of/context',
      'fiber/context',
      'and/context',
      'half/number-word',
      'that/context',
      'much/keyword',
      'How/keyword',
      'many/keyword',
      'total/keyword',
      'take/keyword',
    ]);
    expect(show(josh, 'seed').slice(0, 6)).toEqual([
      'buys/keyword',
      'for/context',
      '$/unit',
      '80,000/number',
      'and/context',
      'then/context',
    ]);
  });

  it("'exp' number forms: thousands and decimals, $.5, fractions, ordinals, percents", () => {
    const t = 'She buys 1,000.50 lbs at $.5 each, 3/4 of them 5th and 12% more.';
    expect(show(t, 'exp')).toEqual([
      'buys/question', // a one-sentence text is all question sentence
      '1,000.50/number',
      'lbs/unit',
      '$.5/number',
      'each/unit',
      '3/4/number',
      '5th/number',
      '12%/number',
      'more/operation',
    ]);
  });

  it('refuses an unknown classifier in one line', () => {
    expect(() => kmiSpans('How many?', 'keywords' as KmiClassifier)).toThrow(
      'classifier: expected one of exp, seed, got keywords',
    );
  });
});

describe('noisy coordinates', () => {
  const records = noisy(20);

  it('a noise chunk is the span plus the whitespace joining it to the next sentence', () => {
    // GSM8K test 1 with INF noise (seed 42): the sentence goes before the question, two spaces after.
    const r = records[1]!;
    expect(r.noise.map(({ start, end }) => [start, end])).toEqual([[68, 137]]);
    expect(noiseChunks(r.question, r.noise)).toEqual([{ start: 68, end: 139 }]);
    expect(toNoisyOffset(67, noiseChunks(r.question, r.noise))).toBe(67);
    expect(toNoisyOffset(68, noiseChunks(r.question, r.noise))).toBe(139);
  });

  it('removing the chunks gives back original_question for every record', () => {
    for (const r of records) expect(withoutNoise(r.question, r.noise)).toBe(r.original_question);
  });

  it('mapped KMI spans hold the same text in the noisy question and never touch noise', () => {
    for (const r of records) {
      const spans = kmiSpans(r.original_question, 'exp');
      const mapped = mapSpansToNoisy(spans, noiseChunks(r.question, r.noise));
      expect(mapped.length).toBe(spans.length);
      mapped.forEach((m, i) => {
        const s = spans[i]!;
        expect(r.question.slice(m.start, m.end)).toBe(r.original_question.slice(s.start, s.end));
        for (const n of r.noise) expect(m.end <= n.start || m.start >= n.end).toBe(true);
      });
    }
  });

  it('a span an insertion falls inside is split around it', () => {
    // "ab|cd": 3 characters inserted before clean offset 2.
    const chunks = [{ start: 2, end: 5 }];
    expect(mapSpansToNoisy([{ start: 1, end: 4 }], chunks)).toEqual([
      { start: 1, end: 2 },
      { start: 5, end: 7 },
    ]);
  });
});
