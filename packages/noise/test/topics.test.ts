import { describe, expect, it } from '@jest/globals';
import { compileTopicPattern, selectTopic } from '../src/index.js';
import {
  bestWeightedTopic,
  contentWords,
  properNames,
  scoreWeightedTopics,
  sharesWordWith,
  wordForms,
  wordsOf,
} from '../src/text/topics.js';

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

describe('wordsOf, wordForms', () => {
  it('splits words, drops possessives, joins hyphenated words, reads $ as dollar', () => {
    expect(wordsOf("Janet’s T-shirt costs $5; don't.")).toEqual([
      'janet',
      't',
      'shirt',
      'tshirt',
      'costs',
      'dollar',
      'dont',
    ]);
  });

  it.each([
    ['cookies', 'cookie'],
    ['stories', 'story'],
    ['pies', 'pie'],
    ['boxes', 'box'],
    ['glasses', 'glass'],
    ['cars', 'car'],
    ['baked', 'bake'],
    ['baking', 'bake'],
    ['shopping', 'shop'],
    ['planned', 'plan'],
    ['carried', 'carry'],
    ['bought', 'buy'],
    ['children', 'child'],
  ])('%s has the base form %s', (word, base) => {
    expect(wordForms(word).has(base)).toBe(true);
  });

  it.each([
    ['care', 'car'],
    ['bus', 'bu'],
    ['glass', 'glas'],
    ['bed', 'b'],
    ['thing', 'th'],
    ['planes', 'plan'],
  ])('%s does not become %s', (word, base) => {
    expect(wordForms(word).has(base)).toBe(false);
  });
});

describe('properNames, contentWords', () => {
  it('takes capitalised words inside sentences, not sentence starts, titles or acronyms', () => {
    const q = 'Rose met Mr. Baker at the DVD shop. Then Rose and Lily left! How many? Ann: yes';
    expect([...properNames(q)].sort()).toEqual(['baker', 'lily', 'rose']);
  });

  it('drops stop words', () => {
    expect(contentWords('How many of the apples does she have?')).toEqual(['apples']);
  });

  it('sharesWordWith compares base forms of content words', () => {
    expect(sharesWordWith('Bakers often sift flour.', new Set(['baker']))).toBe(true);
    expect(sharesWordWith('Roses smell sweet.', new Set(['rose']))).toBe(true);
    expect(sharesWordWith('Flour is soft.', new Set(['baker']))).toBe(false);
    expect(sharesWordWith('Bakers often sift flour.', new Set())).toBe(false);
  });
});

describe('scoreWeightedTopics, bestWeightedTopic', () => {
  const topic = (name: string, keywords: Record<string, number>) => ({
    name,
    keywords: new Map(Object.entries(keywords)),
  });
  const topics = [
    topic('money', { dollar: 1, cost: 1, pay: 1, price: 1, bank: 3 }),
    topic('shop', { cashier: 3, store: 3, buy: 1 }),
    topic('party', { Christmas: 3, gift: 3 }),
    topic('garden', { rose: 3, flower: 2 }),
  ];

  it('sums the weights of distinct keywords, weak ones capped', () => {
    const q = 'She paid $5, then paid $6. The price and the cost went up. She bought it.';
    const [money, shop] = scoreWeightedTopics(q, topics, { weakCap: 2 });
    expect(money).toEqual({ name: 'money', score: 2, hits: ['pay', 'dollar', 'price', 'cost'] });
    expect(shop).toEqual({ name: 'shop', score: 1, hits: ['buy'] });
    expect(scoreWeightedTopics(q, topics)[0].score).toBe(4);
  });

  it('counts a keyword once however often it occurs', () => {
    expect(scoreWeightedTopics('A cashier, cashiers and the cashier.', topics)[1].score).toBe(3);
  });

  it('names never match lower-case keywords; capitalised keywords match proper nouns', () => {
    expect(scoreWeightedTopics('Ann and Rose have pens.', topics)[3].score).toBe(0);
    expect(scoreWeightedTopics('Ann has roses and Rose has a flower.', topics)[3].score).toBe(5);
    expect(scoreWeightedTopics('Ann got pens for Christmas.', topics)[2].score).toBe(3);
  });

  it('takes the highest score, ties to the earlier topic, null below minScore', () => {
    expect(bestWeightedTopic('The cashier paid $5.', topics, { weakCap: 2 })?.name).toBe('shop');
    expect(bestWeightedTopic('The bank and the store.', topics)?.name).toBe('money');
    expect(bestWeightedTopic('He paid.', topics)?.name).toBe('money');
    expect(bestWeightedTopic('He paid.', topics, { minScore: 2 })).toBeNull();
    expect(bestWeightedTopic('Nothing here.', topics)).toBeNull();
  });
});
