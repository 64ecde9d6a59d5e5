import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { splitSentences } from '../src/index.js';
import { GSM8K_TEST } from './shared.js';

const texts = (s: string): string[] => splitSentences(s).map((x) => x.text);

describe('splitSentences', () => {
  it.each([
    [
      'decimals and money',
      'He paid $1.50 for tea. She paid $.5 more. How much?',
      ['He paid $1.50 for tea.', 'She paid $.5 more.', 'How much?'],
    ],
    [
      'numbers with commas',
      'It costs $1,000.00. He has 10,000 coins. Can he buy it?',
      ['It costs $1,000.00.', 'He has 10,000 coins.', 'Can he buy it?'],
    ],
    [
      'titles',
      'Mr. Smith met Dr. Jones and Mrs. Lee in St. Louis. Ms. Park came too.',
      ['Mr. Smith met Dr. Jones and Mrs. Lee in St. Louis.', 'Ms. Park came too.'],
    ],
    [
      'a.m./p.m. inside a sentence',
      'She works between 8 a.m. and 11 a.m. and rests. How long?',
      ['She works between 8 a.m. and 11 a.m. and rests.', 'How long?'],
    ],
    [
      'a.m. ending a sentence',
      'Kim sleeps at 10 p.m. and wakes at 6 a.m. She naps. How long?',
      ['Kim sleeps at 10 p.m. and wakes at 6 a.m.', 'She naps.', 'How long?'],
    ],
    [
      'e.g. and i.e.',
      'Fruit, e.g. Apples, is cheap, i.e. Cheaper than bread. Why?',
      ['Fruit, e.g. Apples, is cheap, i.e. Cheaper than bread.', 'Why?'],
    ],
    [
      'vs. and lbs.',
      'He lost 30 lbs. by May. Wins vs. Losses count. How many?',
      ['He lost 30 lbs. by May.', 'Wins vs. Losses count.', 'How many?'],
    ],
    [
      'etc. inside brackets',
      'He stops (for gas, food, etc.). If he goes on, how far?',
      ['He stops (for gas, food, etc.).', 'If he goes on, how far?'],
    ],
    [
      'quote after the period',
      'It read "Buy 1, get 1 off."  She bought 2.  How much?',
      ['It read "Buy 1, get 1 off."', 'She bought 2.', 'How much?'],
    ],
    [
      'curly quote after the period',
      'He said “Go home.” She left. Why?',
      ['He said “Go home.”', 'She left.', 'Why?'],
    ],
    ['? and ! ', 'Really? Yes! It is 5. Ok?', ['Really?', 'Yes!', 'It is 5.', 'Ok?']],
    ['? inside a quoted phrase', '"Why?" she asked. Tell me.', ['"Why?" she asked.', 'Tell me.']],
    [
      'domain names',
      'On Amazon.com, boots cost $16. How much?',
      ['On Amazon.com, boots cost $16.', 'How much?'],
    ],
    [
      'capital-letter names end sentences',
      'Movie A is longer than Movie B. Movie B is 2 hours. How long?',
      ['Movie A is longer than Movie B.', 'Movie B is 2 hours.', 'How long?'],
    ],
    [
      'No. before a number',
      'He lives at No. 5 Elm Street. Where?',
      ['He lives at No. 5 Elm Street.', 'Where?'],
    ],
    [
      'trailing parenthetical',
      'What is the cost? (Round to the nearest integer.)',
      ['What is the cost?', '(Round to the nearest integer.)'],
    ],
    ['newline after a period', 'Tom has 5 apples.\nHow many?', ['Tom has 5 apples.', 'How many?']],
    ['hard-wrapped line', 'Tom has 5\napples. How many?', ['Tom has 5\napples.', 'How many?']],
    [
      'blank line ends a paragraph',
      'Prices:\n\nApples cost $2 each. How much?',
      ['Prices:', 'Apples cost $2 each.', 'How much?'],
    ],
    ['ellipsis', 'Wait... Then what? ', ['Wait...', 'Then what?']],
    ['no terminator at all', 'how many apples', ['how many apples']],
  ])('%s', (_label, input, expected) => {
    expect(texts(input)).toEqual(expected);
  });

  it('gives exact offsets and skips outer whitespace', () => {
    const text = '  A is 1.  B is 2.\n\tWhat is A?  ';
    const s = splitSentences(text);
    expect(s.map((x) => [x.start, x.end])).toEqual([
      [2, 9],
      [11, 18],
      [20, 30],
    ]);
    for (const x of s) expect(text.slice(x.start, x.end)).toBe(x.text);
    expect(splitSentences('   ')).toEqual([]);
  });

  it('never splits a GSM8K test question inside a number, and covers all its text', () => {
    const questions = readFileSync(GSM8K_TEST, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { question: string }).question);
    expect(questions).toHaveLength(1319);
    const counts = new Map<number, number>();
    for (const q of questions) {
      const s = splitSentences(q);
      counts.set(s.length, (counts.get(s.length) ?? 0) + 1);
      for (const x of s) expect(q.slice(x.start, x.end)).toBe(x.text);
      // Only whitespace lies between sentences.
      let at = 0;
      for (const x of s) {
        expect(q.slice(at, x.start).trim()).toBe('');
        at = x.end;
      }
      expect(q.slice(at).trim()).toBe('');
      for (const m of q.matchAll(/\d[\d,]*\.\d+|\d{1,3}(?:,\d{3})+/g)) {
        expect(s.some((x) => x.start <= m.index && m.index + m[0].length <= x.end)).toBe(true);
      }
    }
    // 16 single-sentence questions; the rest have 2 to 8 sentences.
    expect(counts.get(1)).toBe(16);
    expect(Math.max(...counts.keys())).toBe(8);
  });
});
