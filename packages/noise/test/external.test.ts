import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataError, importPreset, loadGsm8kFile } from '@exp/data';
import { NoiseError } from '../src/errors.js';
import {
  importNoisyBenchmark,
  importNoisyPreset,
  recoverInsertions,
  squashWhitespace,
  stripInsertions,
} from '../src/external.js';
import { stripNoise, type NoiseSpan } from '../src/insert.js';
import { noisyRecords } from '../src/generate.js';
import { NoisyProblemSchema, type NoisyProblem } from '../src/records.js';
import { getNoise } from '../src/registry.js';
import { GSM8K_TEST, SHARED_DIR, tmpDir } from './shared.js';

const GSMPLUS = path.join(SHARED_DIR, 'data/gsm-plus/gsmplus_testmini.jsonl');

/** The record's spans are exact, trimmed, ordered, and stripping them gives the clean question. */
function checkSpans(r: Pick<NoisyProblem, 'question' | 'original_question' | 'noise'>): void {
  r.noise.forEach((s, i) => {
    expect(r.question.slice(s.start, s.end)).toBe(s.text);
    expect(s.text).toBe(s.text.trim());
    expect(s.text).not.toBe('');
    if (i > 0) expect(s.start).toBeGreaterThan(r.noise[i - 1].end);
  });
  expect(squashWhitespace(stripInsertions(r.question, r.noise))).toBe(
    squashWhitespace(r.original_question),
  );
}

/** The spans of a record that must be an insertion. */
function spansOf(original: string, noisy: string): NoiseSpan[] {
  const got = recoverInsertions(original, noisy);
  if (got.kind !== 'insertion') throw new Error(`expected an insertion: ${noisy}`);
  return got.spans;
}

describe('recoverInsertions', () => {
  const span = (noisy: string, text: string): NoiseSpan => {
    const start = noisy.indexOf(text);
    return { text, start, end: start + text.length };
  };

  test.each([
    ['start', 'Tom has 3 apples. How many?', 'It is sunny. ', 0],
    ['middle', 'Tom has 3 apples. Ann has 2 pears. How many?', 'The sky is blue. ', 18],
    ['end', 'Tom has 3 apples. How many?', ' Ann sings.', 27],
  ])('one sentence inserted at the %s is one exact span', (_where, original, inserted, at) => {
    const noisy = original.slice(0, at) + inserted + original.slice(at);
    const want = [span(noisy, inserted.trim())];
    expect(recoverInsertions(original, noisy)).toEqual({ kind: 'insertion', spans: want });
    expect(want[0].start).toBe(inserted.startsWith(' ') ? at + 1 : at);
    checkSpans({ question: noisy, original_question: original, noise: want });
  });

  test('two insertions are two spans, in order; stripping them gives back the question exactly', () => {
    const original = 'Tom has 3 apples. Ann has 2 pears. How many?';
    const noisy = 'Bob is 9. Tom has 3 apples. Ann has 2 pears. Her cat is grey. How many?';
    const spans = spansOf(original, noisy);
    expect(spans).toEqual([
      { text: 'Bob is 9.', start: 0, end: 9 },
      { text: 'Her cat is grey.', start: 45, end: 61 },
    ]);
    expect(stripInsertions(noisy, spans)).toBe(original);
    expect(stripNoise(noisy, spans)).toBe(original);
  });

  test('an inserted sentence sharing words with its neighbours stays one sentence-shaped span', () => {
    // The minimal diff keeps the second "A " and inserts "cat eats three fish. A "; the span slides.
    expect(
      spansOf(
        'A cat eats nine sausages. A dog eats fast. How long?',
        'A cat eats nine sausages. A cat eats three fish. A dog eats fast. How long?',
      ),
    ).toEqual([{ text: 'A cat eats three fish.', start: 26, end: 48 }]);
    // The diff keeps the inserted "Zack's locker" and "." and splits the sentence in three.
    expect(
      spansOf(
        "Zack's locker is big. Peter's is small. How big?",
        "Mike's locker is as big as Zack's locker. Zack's locker is big. Peter's is small. How big?",
      ),
    ).toEqual([{ text: "Mike's locker is as big as Zack's locker.", start: 0, end: 41 }]);
    // The "." of "$0.5" lines up with the clean question's full stop.
    const noisy = 'Pops cost $0.8 each and cookies cost $0.5 each. How much?';
    expect(spansOf('Pops cost $0.8 each. How much?', noisy)).toEqual([
      { text: 'and cookies cost $0.5 each', start: 20, end: 46 },
    ]);
  });

  test('clauses and punctuation: the whitespace the insertion brought goes with it', () => {
    const clause = 'He ran 4 miles, which took 2 hours. How far?';
    expect(spansOf('He ran 4 miles. How far?', clause)).toEqual([
      { text: ', which took 2 hours', start: 14, end: 34 },
    ]);
    expect(stripInsertions(clause, [{ text: ', which took 2 hours', start: 14, end: 34 }])).toBe(
      'He ran 4 miles. How far?',
    );
    const comma = 'He buys hay, oats, carrots, and sugar. How much?';
    expect(spansOf('He buys hay, oats, carrots and sugar. How much?', comma)).toEqual([
      { text: ',', start: 26, end: 27 },
    ]);
    // stripNoise takes the run after the span, which here belongs to the clean question.
    expect(stripInsertions(comma, [{ text: ',', start: 26, end: 27 }])).toBe(
      'He buys hay, oats, carrots and sugar. How much?',
    );
    expect(stripNoise(comma, [{ text: ',', start: 26, end: 27 }])).toBe(
      'He buys hay, oats, carrotsand sugar. How much?',
    );
  });

  test('a replaced word, or a space turned into a hyphen, is a rewrite', () => {
    const rewrite = { kind: 'rewrite' };
    expect(
      recoverInsertions('She has 5 cats. How many legs?', 'Martha has 5 cats. How many legs?'),
    ).toEqual(rewrite);
    expect(spansOf('A b. How many?', 'A b. How many more?')).toEqual([
      { text: 'more', start: 14, end: 18 },
    ]);
    expect(
      recoverInsertions('It takes one hour. How long?', 'It takes one-hour. How long?'),
    ).toEqual(rewrite);
    expect(recoverInsertions('Tom has 3 apples.', 'Tom had 3 apples. Ann is 4.')).toEqual(rewrite);
  });

  test('a whitespace-only change, or none, is an insertion of nothing', () => {
    expect(spansOf('Tom has 3 apples.  How many?', 'Tom  has 3 apples. How many? ')).toEqual([]);
    expect(spansOf('Same.', 'Same.')).toEqual([]);
  });

  test('unicode: offsets are UTF-16 code units, as String.slice counts', () => {
    const noisy = 'Zoë pays 5 €. Ünïcode 😀 costs ¥3. How much?';
    expect(spansOf('Zoë pays 5 €. How much?', noisy)).toEqual([
      { text: 'Ünïcode 😀 costs ¥3.', start: 14, end: 34 },
    ]);
    const cjk = 'Andy，who weighs 200 lbs， wants to lose 30 lbs. How long?';
    expect(spansOf('Andy wants to lose 30 lbs. How long?', cjk)).toEqual([
      { text: '，who weighs 200 lbs，', start: 4, end: 24 },
    ]);
  });
});

describe('our own noisy sets', () => {
  const problems = loadGsm8kFile(GSM8K_TEST, 'gsm8k-test');

  test.each(['inf', 'rcs', 'sd'])(
    '%s: the diff finds exactly the spans the generator wrote, for all 1319 records',
    (type) => {
      const records = noisyRecords(problems, getNoise(type), 42);
      expect(records).toHaveLength(1319);
      for (const r of records) {
        const spans = r.noise.map(({ text, start, end }) => ({ text, start, end }));
        expect(spansOf(r.original_question, r.question)).toEqual(spans);
        expect(stripInsertions(r.question, spans)).toBe(stripNoise(r.question, spans));
        expect(stripInsertions(r.question, spans)).toBe(r.original_question);
      }
    },
  );
});

describe('GSM-Plus "distraction insertion" (testmini)', () => {
  const records = importNoisyPreset('gsmplus-distraction', GSMPLUS);
  const insertions = records.filter((r) => r.noise_kind === 'insertion');
  const rewrites = records.filter((r) => r.noise_kind === 'rewrite');

  test('300 records: 152 insertions with 222 spans, 148 rewrites', () => {
    expect(records).toHaveLength(300);
    expect(insertions).toHaveLength(152);
    expect(rewrites).toHaveLength(148);
    const perRecord: Record<number, number> = {};
    for (const r of insertions) perRecord[r.noise.length] = (perRecord[r.noise.length] ?? 0) + 1;
    expect(perRecord).toEqual({ 1: 104, 2: 34, 3: 10, 4: 1, 5: 2, 6: 1 });
    expect(insertions.reduce((n, r) => n + r.noise.length, 0)).toBe(222);
    for (const r of rewrites) expect(r.noise).toEqual([]);
  });

  test('every span is exact and stripping gives back seed_question up to whitespace', () => {
    for (const r of insertions) checkSpans(r);
  });

  test('records are NoisyProblems with the keys in order, seed null, no position', () => {
    for (const r of records) expect(NoisyProblemSchema.parse(r)).toEqual(r);
    expect(new Set(records.map((r) => Object.keys(r).join(',')))).toEqual(
      new Set([Object.keys(records[36]).join(',')]),
    );
    expect(Object.keys(records[36])).toEqual([
      'id',
      'question',
      'answer',
      'final',
      'original_question',
      'noise_type',
      'noise',
      'noise_kind',
      'seed',
    ]);
    expect(records[36]).toMatchObject({
      id: 'gsmplus-distraction-36',
      final: '40',
      original_question: expect.stringMatching(/^Zack's locker is half/),
      noise_type: 'DISTRACTION',
      noise: [{ text: "Mike's locker is 1/5 as big as Zack's locker.", start: 0, end: 45 }],
      noise_kind: 'insertion',
      seed: null,
    });
    expect(records[56].noise).toEqual([
      { text: 'A cat eats three fish in 50 minutes.', start: 40, end: 76 },
      { text: 'of', start: 126, end: 128 },
    ]);
    expect(records[0]).toMatchObject({ noise_kind: 'rewrite', noise: [] });
  });

  test('the records are the preset import plus noise fields', () => {
    expect(
      records.map(({ id, question, answer, final, original_question }) => {
        return { id, question, answer, final, original_question };
      }),
    ).toEqual(importPreset('gsmplus-distraction', GSMPLUS));
  });
});

describe('importNoisyBenchmark', () => {
  test('a JSON array with a custom mapping; noise_type defaults to EXTERNAL', () => {
    const file = path.join(tmpDir('external'), 'bench.json');
    writeFileSync(
      file,
      JSON.stringify([
        { q: 'Tom has 3 apples. It rains. How many?', a: 3, clean: 'Tom has 3 apples. How many?' },
        { q: 'Tim had 4 pears. How many?', a: '4', clean: 'Tim has 4 pears. How many?' },
      ]),
    );
    const fields = { question: 'q', final: 'a', original: 'clean' };
    expect(importNoisyBenchmark({ file, name: 'toy', fields })).toEqual([
      {
        id: 'toy-0',
        question: 'Tom has 3 apples. It rains. How many?',
        answer: '',
        final: '3',
        original_question: 'Tom has 3 apples. How many?',
        noise_type: 'EXTERNAL',
        noise: [{ text: 'It rains.', start: 18, end: 27 }],
        noise_kind: 'insertion',
        seed: null,
      },
      {
        id: 'toy-1',
        question: 'Tim had 4 pears. How many?',
        answer: '',
        final: '4',
        original_question: 'Tim has 4 pears. How many?',
        noise_type: 'EXTERNAL',
        noise: [],
        noise_kind: 'rewrite',
        seed: null,
      },
    ]);
    expect(
      importNoisyBenchmark({ file, name: 'toy', fields, noiseType: 'WEATHER' }).map(
        (r) => r.noise_type,
      ),
    ).toEqual(['WEATHER', 'WEATHER']);
  });

  test('no original field is an error before reading; a record without it names file and index', () => {
    const file = path.join(tmpDir('external'), 'bench.json');
    expect(() =>
      importNoisyBenchmark({ file, name: 'toy', fields: { question: 'q', final: 'a' } }),
    ).toThrow(
      new NoiseError(
        'import spec for toy: fields.original: expected the field holding the clean question (e.g. seed_question)',
      ),
    );
    writeFileSync(
      file,
      JSON.stringify([
        { q: 'A?', a: 1, clean: 'A?' },
        { q: 'B?', a: 2 },
      ]),
    );
    expect(() =>
      importNoisyBenchmark({
        file,
        name: 'toy',
        fields: { question: 'q', final: 'a', original: 'clean' },
      }),
    ).toThrow(new DataError(`${file}[1]: clean: expected a string, got nothing`));
  });
});
