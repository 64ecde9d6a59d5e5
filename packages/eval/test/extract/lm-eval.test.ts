import { getExtractor } from '../../src/extract/registry.js';
import { lmEvalNormalize } from '../../src/extract/lm-eval.js';

const strict = getExtractor('lm-eval-strict');
const flexible = getExtractor('lm-eval-flexible');
const solution = 'Tom keeps 16 - 3 - 4 = <<16-3-4=9>>9 apples a day.\n#### 18';

describe('lm-eval exact_match normalisation', () => {
  test.each([
    ['1,000', '1000'],
    ['$18', '18'],
    [solution, '18'],
    ['a #### b #### 7', '7'], // (?s).*#### is greedy: up to the last "#### "
    ['line\n#### 7', '7'], // dotAll: across lines
    ['18.', '18'],
    ['18.\n', '18\n'], // Python's $ matches before a final newline
    ['18..', '18.'], // one pass of re.sub
    ['18.00', '18.00'],
    ['[INVALID]', '[invalid]'],
  ])('%j -> %j', (text, expected) => {
    expect(lmEvalNormalize(text)).toBe(expected);
  });
});

describe('lm-eval-strict: "#### (-?[0-9.,]+)", first match', () => {
  test.each([
    ['She earns 18.\n#### 18', '18'],
    ['#### 5\n#### 7', '5'], // first match
    ['#### -3', '-3'],
    ['#### 1,000', '1000'],
    ['#### 18.', '18'],
    ['#### 18.00', '18.00'],
    ['####18', '[invalid]'], // the space is part of the pattern
    ['#### $18', '[invalid]'], // `$` is not in the class
    ['The answer is 18', '[invalid]'],
    ['', '[invalid]'],
  ])('%j -> %j', (completion, expected) => {
    expect(strict.extract(completion)).toBe(expected);
  });
});

describe('lm-eval-flexible: last of "(-?[$0-9.,]{2,})|(-?[0-9]+)"', () => {
  test.each([
    ['The answer is 18.', '18'],
    ['3 + 4 = 7', '7'],
    ['The answer is $29.00', '29.00'],
    ['It costs $1,200.', '1200'],
    ['The answer is -3', '-3'],
    ['The answer is \u22123', '3'], // the Unicode minus is not "-"
    ['The answer is 3/4', '4'],
    ['Well... I do not know', '..'], // "..." is a run of the first group; \.$ drops one dot
    ['no number', '[invalid]'],
    ['The answer is 18.\nQuestion: Tom has 7 cats', '7'], // no cut: lm-eval relies on stop strings
  ])('%j -> %j', (completion, expected) => {
    expect(flexible.extract(completion)).toBe(expected);
  });
});

describe('lm-eval isCorrect: plain string equality after normalisation', () => {
  test.each([
    [strict, '#### 18', solution, true],
    [strict, '#### 18', '18', true],
    [strict, '#### 18.00', solution, false], // quirk kept: 18.00 != 18
    [strict, 'The answer is 18', solution, false], // [invalid]
    [flexible, 'The answer is 18.', solution, true],
    [flexible, 'The answer is $29.00', '#### 29', false], // the users' complaint, reproduced
    [flexible, 'So .5 cups', '#### 0.5', false], // .5 != 0.5
    [flexible, 'It costs $1,000.', '#### 1000', true],
  ])('%#: %j', (extractor, completion, gold, expected) => {
    expect(extractor.isCorrect(extractor.extract(completion), gold)).toBe(expected);
  });

  test('null never matches', () => {
    expect(strict.isCorrect(null, solution)).toBe(false);
  });
});
