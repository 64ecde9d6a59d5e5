import { getExtractor } from '../../src/extract/registry.js';

const strict = getExtractor('strict');
const gold = 'She sells 16 - 3 - 4 = <<16-3-4=9>>9 eggs.\n#### 18';

describe('strict extract', () => {
  test.each([
    // Each marker.
    ['#### 18', '18'],
    ['She earns 9 * 2 = 18 dollars.\n#### 18', '18'],
    ['The answer is 18.', '18'],
    ['the answer is: 18', '18'],
    ['Answer: 18', '18'],
    ['The final answer is 18 dollars.', '18'],
    ['Final answer: $18', '18'],
    ['So we get \\boxed{18}.', '18'],
    ['\\boxed{\\frac{3}{4}}', '0.75'],
    ['Thus 18 is the answer.', '18'],
    ['First 3 eggs. 18 is the answer', '18'],
    // The LAST marker with a number wins, not the first.
    ['The answer is 5. Wait, recheck: the answer is 7.', '7'],
    ['#### 5\nActually the answer is 7', '7'],
    // A marker with no number falls back to the one before it.
    ['The answer is 12. The answer is unclear.', '12'],
    // The segment's last number.
    ['The answer is 5 apples and 3 pears. 9', '3'],
    // No marker: the last number.
    ['She has 3 + 4 = 7 apples', '7'],
    ['7', '7'],
    // Decimals, commas, currency.
    ['The answer is 3.50', '3.5'],
    ['The answer is $29.00.', '29'],
    ['The answer is .5', '0.5'],
    ['The answer is 1,200,000.', '1200000'],
    ['The answer is 1,234.5', '1234.5'],
    ['The answer is 1,2345', '2345'], // not a thousands group: 1 then 2345
    ['The answer is 12,00', '0'], // "12" then "00"
    // Thousands groups by a space, a no-break space or a narrow no-break space (Math-Verify).
    ['#### 1 200', '1200'],
    ['The answer is 1 200 000.', '1200000'],
    ['The answer is 1\u00A0200', '1200'],
    ['The answer is 1\u202F200\u202F000', '1200000'],
    ['The answer is 12 345.5', '12345.5'],
    ['The answer is $1 200', '1200'],
    ['The answer is -1 200', '-1200'],
    ['The answer is 1 2345', '2345'], // not a group of three: 1 then 2345
    ['The answer is 1 20', '20'], // 1 then 20
    ['The answer is 1 200 45', '45'], // 1200 then 45
    ['The answer is 1,200 000', '0'], // one separator per number: 1200 then 000
    ['The answer is 1 200,000', '0'], // 1200 then 000 (,000 starts no number of its own)
    ['The answer is 3 and 200', '200'],
    ['The answer is 5\t200', '200'], // a tab separates
    // Signs.
    ['The answer is -3.', '-3'],
    ['The answer is \u22123', '-3'],
    ['The answer is +4', '4'],
    ['The answer is (-3)', '-3'],
    ['10-3', '3'], // an operator after a digit, not a sign
    ['x-3', '3'], // after a letter
    ['f(2)-3', '3'], // after a closing bracket
    ['The change is -$5', '-5'],
    // Fractions and exponents.
    ['The answer is 3/4', '0.75'],
    ['The answer is 6/8.', '0.75'],
    ['The answer is 1/3', '1/3'],
    ['The answer is -2/6', '-1/3'],
    ['The answer is 5/0', null], // a zero denominator: neither a value nor two numbers
    ['The answer is 1e3', '1000'],
    ['The answer is 2.5E-2', '0.025'],
    ['1{,}000 is the answer', '1000'],
    // Number words inside a marker segment only.
    ['The answer is twelve.', '12'],
    ['The answer is twenty-five apples', '25'],
    ['The answer is one hundred and five', '105'],
    ['The answer is two thousand three hundred', '2300'],
    ['She had twelve apples and 3 pears', '3'],
    // Rambling into a new question: its numbers are not read.
    ['She pays 5 * 4 = 20 dollars.\nQuestion: Tom has 7 cats. How many?\nAnswer: 7', '20'],
    ['The answer is 20.\n\nQ: Tom has 7 cats.\nA: 7', '20'],
    ['The answer is 20</s>The answer is 7', '20'],
    ['The total is 20<|eot_id|>\n#### 7', '20'],
    ['20 apples<|im_end|>7', '20'],
    ['20<|endoftext|>7', '20'],
    ['20<|end_of_text|>7', '20'],
    ['Q: first line is a question 7', null],
    // No number.
    ['I do not know.', null],
    ['', null],
  ])('%j -> %j', (completion, expected) => {
    expect(strict.extract(completion)).toBe(expected);
  });
});

describe('strict isCorrect', () => {
  test.each([
    ['18', gold, true],
    ['18', '18', true],
    ['18.0', '18', true],
    ['3.5', '3.50', true],
    ['0.75', '3/4', true],
    ['3/4', '0.75', true],
    ['1000', '1,000', true],
    ['-3', '3', false],
    ['3', '-3', false],
    ['17', gold, false],
    [null, gold, false],
    ['18', 'no number', false],
  ])('%j vs %j -> %j', (predicted, g, expected) => {
    expect(strict.isCorrect(predicted, g)).toBe(expected);
  });

  test('extract then isCorrect on a completion with a dollar answer', () => {
    expect(strict.isCorrect(strict.extract('The answer is $29.00.'), '#### 29')).toBe(true);
  });
});
