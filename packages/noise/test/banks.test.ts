import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRng } from '@exp/data';
import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_BANK,
  INF_LISTS,
  INF_TEMPLATES,
  loadTemplateBank,
  numbersIn,
  parseTemplateBank,
  splitSentences,
} from '../src/index.js';
import { makeInfSentence } from '../src/banks/inf.js';
import { makeRcsSentence } from '../src/banks/rcs.js';
import { templateSlots } from '../src/banks/slots.js';
import { ORIGINAL_TEMPLATES, tmpDir } from './shared.js';

/** Each sentence must stay one sentence once inserted, end with a period and hold no '..'. */
function expectOneSentence(s: string): void {
  expect(splitSentences(s).map((x) => x.text)).toEqual([s]);
  expect(s).toMatch(/^[A-Z].*\.$/);
  expect(s).not.toContain('..');
}

const int = (s: string): number => Number(s.replace(/,/g, ''));

/** The text of what a sentence source returned. */
const textOf = (s: string | { text: string }): string => (typeof s === 'string' ? s : s.text);

describe('INF bank', () => {
  it('has at least 30 templates whose slots all exist', () => {
    expect(INF_TEMPLATES.length).toBeGreaterThanOrEqual(30);
    for (const t of INF_TEMPLATES) {
      for (const slot of templateSlots(t)) {
        expect(/^n:\d+-\d+(?::\d+)?$/.test(slot) || slot in INF_LISTS).toBe(true);
      }
    }
  });

  it('generates varied one-sentence facts with numbers', () => {
    const rng = createRng('inf-bank');
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = makeInfSentence(rng);
      expectOneSentence(s);
      expect(numbersIn(s).size).toBeGreaterThan(0);
      seen.add(s);
    }
    expect(seen.size).toBeGreaterThan(1800);
  });
});

describe('RCS bank', () => {
  /** Checks the arithmetic of every fact form the bank produces; returns false for an unknown form. */
  function checkFact(s: string): boolean {
    const N = '(\\d[\\d,]*)';
    const forms: [RegExp, (a: number, b: number, c: number) => boolean][] = [
      [new RegExp(`${N} times ${N} is ${N}\\.`), (a, b, c) => a * b === c],
      [new RegExp(`${N} plus ${N} equals ${N}`), (a, b, c) => a + b === c],
      [new RegExp(`${N} minus ${N} is ${N}`), (a, b, c) => a - b === c && c > 0],
      [new RegExp(`${N} divided by ${N} is ${N}`), (a, b, c) => a / b === c],
      [new RegExp(`half of ${N} is ${N}`), (a, b) => a / 2 === b],
      [new RegExp(`twice ${N} is ${N}`), (a, b) => 2 * a === b],
      [new RegExp(`${N} squared is ${N}`), (a, b) => a * a === b],
      [new RegExp(`${N}% of ${N} is ${N}`), (a, b, c) => (a * b) / 100 === c],
      [new RegExp(`a third of ${N} is ${N}`), (a, b) => a / 3 === b],
      [new RegExp(`a quarter of ${N} is ${N}`), (a, b) => a / 4 === b],
      [
        new RegExp(`there are ${N} (\\w+) in (?:an?) \\w+, so ${N} \\w+ is ${N} (\\w+)`),
        (a, b, c) => a * b === c,
      ],
    ];
    const swap = new RegExp(`${N} times ${N} is the same as ${N} times ${N}\\.`).exec(s);
    if (swap) return swap[1] === swap[4] && swap[2] === swap[3];
    for (const [re, ok] of forms) {
      const m = re.exec(s);
      if (!m) continue;
      const nums = m
        .slice(1)
        .filter((x) => /^\d/.test(x))
        .map(int);
      // A conversion names the same small unit on both sides.
      if (re.source.startsWith('there are') && m[2] !== m[5]) return false;
      return ok(nums[0], nums[1], nums[2]);
    }
    return false;
  }

  it('states only true arithmetic, in one sentence', () => {
    const rng = createRng('rcs-bank');
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const s = makeRcsSentence(rng);
      expectOneSentence(s);
      expect([s, checkFact(s)]).toEqual([s, true]);
      seen.add(s);
    }
    expect(seen.size).toBeGreaterThan(2000);
    expect(checkFact('Note that 7 times 8 is 56.')).toBe(true);
    expect(checkFact('Note that 7 times 8 is 57.')).toBe(false);
    expect(
      checkFact('Recall that there are 60 minutes in an hour, so 3 hours is 180 minutes.'),
    ).toBe(true);
    expect(
      checkFact('Recall that there are 60 minutes in an hour, so 3 hours is 190 minutes.'),
    ).toBe(false);
    expect(checkFact('Note that 3 times 4 is the same as 4 times 3.')).toBe(true);
    expect(checkFact('Note that 3 times 4 is the same as 4 times 5.')).toBe(false);
  });

  it('never repeats a number of the question or its answer', () => {
    const problem = {
      id: 'p',
      question: 'Tom has 2, 3, 4, 5, 6, 7, 8, 9, 10, 12 and 1,000 pens.',
      answer: '#### 20',
      final: '20',
    };
    for (let seed = 0; seed < 300; seed++) {
      for (const source of [DEFAULT_BANK.rcs, DEFAULT_BANK.inf]) {
        const s = textOf(source(problem, createRng(seed)));
        for (const n of numbersIn(s))
          expect(['2', '3', '4', '5', '6', '7', '8', '9', '10', '12', '1000', '20']).not.toContain(
            n,
          );
      }
    }
  });
});

describe('template files', () => {
  it('loads the original templates and follows its protocol', () => {
    const bank = loadTemplateBank(ORIGINAL_TEMPLATES);
    expect(bank.source).toBe(ORIGINAL_TEMPLATES);
    const p = (question: string) => ({ id: 'x', question, answer: '', final: '0' });
    const rng = createRng(3);
    // "car" is no longer found inside "care", and the default applies.
    expect(bank.sd(p('She takes care of 3 dogs. How many?'), rng)).toEqual({
      text: 'The weather was sunny and pleasant that day.',
      topic: 'default',
    });
    // First topic in file order wins: shopping (topic 0) before travel.
    const store = bank.sd(p('He drove his car to the store. How far?'), rng);
    expect(textOf(store)).toMatch(/shop|store|customers|cashier/i);
    expect(store).toMatchObject({ topic: 'topic 0' });
    expect(textOf(bank.sd(p('He drove his car home. How far?'), rng))).toMatch(
      /car|traffic|road|drivers/i,
    );
  });

  const write = (value: unknown): string => {
    const file = path.join(tmpDir('tpl'), 'bank.json');
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };
  const good = {
    inf: ['A.'],
    rcs: ['B.'],
    sd: { topics: [{ pattern: 'car', sentences: ['C.'] }], default: 'D.' },
  };

  it.each([
    [{ ...good, rcs: undefined }, 'rcs: Invalid input: expected array, received undefined'],
    [{ ...good, inf: [] }, 'inf: expected at least one sentence'],
    [{ ...good, inf: ['No period'] }, "inf.0: expected a sentence ending in '.', '!' or '?'"],
    [{ ...good, rcs: ['Ok.', ' Padded.'] }, 'rcs.1: expected one line without outer whitespace'],
    [
      { ...good, sd: { ...good.sd, topics: [{ pattern: 'a(b', sentences: ['C.'] }] } },
      'sd.topics.0.pattern: expected a valid regular expression',
    ],
    [{ ...good, sd: { topics: [] } }, 'sd.default: Invalid input'],
  ])('rejects a bad bank with file and field (%#)', (value, message) => {
    const file = write(value);
    expect(() => loadTemplateBank(file)).toThrow(`${file}: ${message}`);
  });

  it('rejects bad JSON and missing files', () => {
    expect(() => parseTemplateBank('{', 'x.json')).toThrow(/^x\.json: invalid JSON/);
    expect(() => loadTemplateBank('/no/such/bank.json')).toThrow(
      '/no/such/bank.json: file not found',
    );
  });

  it('accepts a list of default sentences', () => {
    const bank = loadTemplateBank(write({ ...good, sd: { topics: [], default: ['D1.', 'D2.'] } }));
    const got = new Set<string>();
    for (let s = 0; s < 40; s++)
      got.add(textOf(bank.sd({ id: 'x', question: 'Q?', answer: '', final: '0' }, createRng(s))));
    expect([...got].sort()).toEqual(['D1.', 'D2.']);
  });
});
