import { createRng } from '@exp/data';
import { describe, expect, it } from '@jest/globals';
import { insertAt, insertionSlots, insertSentence, NoiseError, stripNoise } from '../src/index.js';

describe('insertionSlots', () => {
  it('allows every boundary after the first sentence and before the question', () => {
    const q = 'A has 1.50 apples.  B has 2. C has 3.\nHow many?';
    const slots = insertionSlots(q);
    expect(slots.map((s) => s.before)).toEqual([1, 2, 3]);
    expect(slots.map((s) => s.separator)).toEqual(['  ', ' ', '\n']);
    expect(insertAt(q, 'Noise.', slots[0]).question).toBe(
      'A has 1.50 apples.  Noise.  B has 2. C has 3.\nHow many?',
    );
    expect(insertAt(q, 'Noise.', slots[2]).question).toBe(
      'A has 1.50 apples.  B has 2. C has 3.\nNoise.\nHow many?',
    );
  });

  it('keeps trailing parenthetical remarks with the question', () => {
    const q = 'Soup costs $2. What is the cost? (Round to the nearest integer.)';
    expect(insertionSlots(q).map((s) => s.before)).toEqual([1]);
  });

  it('puts the sentence before a one-sentence question', () => {
    const q = 'If Tom has 5 apples, how many?';
    expect(insertionSlots(q)).toEqual([{ at: 0, separator: ' ', before: 0 }]);
    expect(insertionSlots('What is 2+2? (Explain.)')).toEqual([
      { at: 0, separator: ' ', before: 0 },
    ]);
    expect(insertSentence(q, ' Noise. ', createRng(1))).toEqual({
      question: 'Noise. If Tom has 5 apples, how many?',
      span: { text: 'Noise.', start: 0, end: 6 },
    });
  });

  it('rejects an empty question', () => {
    expect(() => insertionSlots(' \n')).toThrow(NoiseError);
  });
});

describe('insertSentence and stripNoise', () => {
  it('records the exact span and can be undone', () => {
    const q = 'Ann has 3 pens.  Bob has 4.50 dollars.  Cy has “2” cats.  How many?';
    for (let seed = 0; seed < 20; seed++) {
      const { question, span } = insertSentence(q, 'The sky is blue 😀.', createRng(seed));
      expect(question.slice(span.start, span.end)).toBe('The sky is blue 😀.');
      expect(stripNoise(question, [span])).toBe(q);
      expect(question).not.toContain('..');
      expect(question.endsWith('How many?')).toBe(true);
      expect(question.startsWith('Ann has 3 pens.  ')).toBe(true);
    }
  });

  it('uses all slots across seeds', () => {
    const q = 'A. B. C. D?';
    const seen = new Set<number>();
    for (let seed = 0; seed < 50; seed++)
      seen.add(insertSentence(q, 'N.', createRng(seed)).span.start);
    expect([...seen].sort((a, b) => a - b)).toEqual([3, 6, 9]);
  });
});
