import { describe, expect, it } from '@jest/globals';
import { compileTopicPattern, selectTopic } from '../src/index.js';

describe('compileTopicPattern', () => {
  const car = compileTopicPattern('car|drive|story|class');

  it.each([
    ['My car is red.', true],
    ['Two cars and a CAR.', true],
    ['She stories well', true],
    ['The classes start', true],
    ['I drive to work', true],
    ['I take care of it.', false],
    ['A scar on the cart', false],
    ['Cardboard careers', false],
    ['She is driven', false],
  ])('%s -> %s', (text, expected) => {
    expect(car.test(text)).toBe(expected);
  });

  it('treats other patterns as regular expressions, still whole-word', () => {
    const re = compileTopicPattern('colou?r|pa(?:y|id)');
    expect(re.test('two colours')).toBe(true);
    expect(re.test('she paid')).toBe(true);
    expect(re.test('colourful')).toBe(false);
    expect(() => compileTopicPattern('a(b')).toThrow(SyntaxError);
  });
});

describe('selectTopic', () => {
  const topic = (name: string, pattern: string) => ({
    name,
    pattern: compileTopicPattern(pattern),
    sentences: [name],
  });
  const topics = [topic('shop', 'shop|buy'), topic('car', 'car|drive|road')];

  it("'first' takes the first matching topic in order", () => {
    expect(selectTopic('He drives his car to buy bread.', topics, 'first')?.name).toBe('shop');
  });

  it("'most' takes the topic with the most distinct words, ties to the earlier one", () => {
    expect(selectTopic('He drives his car to buy bread.', topics, 'most')?.name).toBe('car');
    expect(selectTopic('He drives to buy bread.', topics, 'most')?.name).toBe('shop');
  });

  it('returns null when nothing matches as a whole word', () => {
    expect(selectTopic('I care about the shopkeeper.', topics, 'first')).toBeNull();
    expect(selectTopic('I care about the shopkeeper.', topics, 'most')).toBeNull();
  });
});
