import {
  getExtractor,
  listExtractors,
  registerExtractor,
  unregisterExtractor,
} from '../../src/extract/registry.js';
import type { Extractor } from '../../src/extract/extractor.js';

const lastWord: Extractor = {
  name: 'last-word',
  description: 'the last word',
  extract: (c) => c.trim().split(/\s+/).pop() || null,
  isCorrect: (p, g) => p === g,
};

describe('extractor registry', () => {
  afterEach(() => unregisterExtractor('last-word'));

  test('built-ins in order', () => {
    expect(listExtractors()).toEqual(['seed', 'strict', 'lm-eval-strict', 'lm-eval-flexible']);
  });

  test('register, use, refuse a duplicate, replace, unregister', () => {
    registerExtractor(lastWord);
    expect(listExtractors()).toEqual([
      'seed',
      'strict',
      'lm-eval-strict',
      'lm-eval-flexible',
      'last-word',
    ]);
    expect(getExtractor('last-word').extract('it is nine')).toBe('nine');
    expect(() => registerExtractor(lastWord)).toThrow(
      "registerExtractor: 'last-word' is already registered (pass { replace: true } to replace it)",
    );
    registerExtractor({ ...lastWord, description: 'v2' }, { replace: true });
    expect(getExtractor('last-word').description).toBe('v2');
    expect(unregisterExtractor('last-word')).toBe(true);
    expect(unregisterExtractor('last-word')).toBe(false);
  });

  test('unknown names list the known ones', () => {
    expect(() => getExtractor('nope')).toThrow(
      "unknown extractor 'nope' (known: seed, strict, lm-eval-strict, lm-eval-flexible)",
    );
  });

  test('bad names and shapes are refused', () => {
    expect(() => registerExtractor({ ...lastWord, name: 'Bad Name' })).toThrow(
      'registerExtractor: name: expected lower-case letters, digits or \'-\', got "Bad Name"',
    );
    expect(() =>
      registerExtractor({ ...lastWord, extract: undefined } as unknown as Extractor),
    ).toThrow("registerExtractor: 'last-word': expected extract and isCorrect functions");
  });
});
