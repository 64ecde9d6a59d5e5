import { normalizeNumber, parseGoldAnswer } from '../src/answer.js';

describe('parseGoldAnswer', () => {
  test.each([
    ['x\n#### 1,000', '1000'],
    ['#### -3', '-3'],
    ['#### 4.33', '4.33'],
    ['#### 3.50', '3.5'],
    ['#### $18', '18'],
    ['a #### 2\nthen #### 7', '7'],
    ['#### +12', '12'],
    ['#### 0.0', '0'],
    ['#### -0', '0'],
    ['#### 007', '7'],
    ['#### .5', '0.5'],
  ])('%j -> %s', (text, want) => {
    expect(parseGoldAnswer(text)).toBe(want);
  });

  test('no marker or no number gives null', () => {
    expect(parseGoldAnswer('the answer is 3')).toBeNull();
    expect(parseGoldAnswer('#### seven')).toBeNull();
    expect(normalizeNumber('1.2.3')).toBeNull();
    expect(normalizeNumber('')).toBeNull();
  });
});
