import { getExtractor } from '../../src/extract/registry.js';

const seed = getExtractor('seed');

describe('seed extract: the original patterns in order, last match of the first that matches', () => {
  test.each([
    // Each pattern.
    ['The answer is 42.', '42'],
    ['the answer is: $42', '42'],
    ['Answer: 42', '42'],
    ['Therefore, she has 42 apples.', '42'],
    ['So the total is 42', '42'],
    ['Thus we get 42.', '42'],
    ['#### 42', '42'],
    ['\\boxed{42}', '42'],
    ['3 * 14 = 42', '42'],
    ['42 is the answer', '42'],
    ['She bought apples.\n42', '42'],
    // Fallback: the last integer.
    ['She had 3 apples and 42 pears for me', '42'],
    ['No digits here', null],
    // Earlier pattern beats a later one; last match of that pattern.
    ['Answer: 5\n#### 7', '5'],
    ['The answer is 5. The answer is 6. #### 7', '6'],
    ['3 = 3 and 4 = 42', '42'],
    // Defect: "So ... N" takes the first number after the word.
    ['So 3 + 4 = 7', '3'],
    // Defect: no cut at a new question.
    ['4 + 4 = 8\nQuestion: Tom has 9 cats.\nAnswer: 9', '9'],
    // Defect: signs, decimals and separators lost.
    ['The answer is -3.', '3'],
    ['The answer is 3.5', '35'],
    ['The answer is 1,000', '1000'],
    ['The answer is $29.00', '2900'],
  ])('%j -> %j', (completion, expected) => {
    expect(seed.extract(completion)).toBe(expected);
  });
});

describe('seed isCorrect: digit strings', () => {
  test.each([
    ['42', 'Some work.\n#### 42', true],
    ['42', '42', true],
    ['1000', '1,000', true],
    ['3', '-3', true], // defect kept: the sign is lost
    ['35', '3.5', true], // defect kept: the point is lost
    ['41', '#### 42', false],
    [null, '42', false],
    ['', '42', false],
  ])('%j vs %j -> %j', (predicted, gold, expected) => {
    expect(seed.isCorrect(predicted, gold)).toBe(expected);
  });
});
