// classifyTokens on GSM8K prompts tokenised by the bundled Llama-3 tokenizer: exact class
// sequences clean and noisy, NI covering exactly the noise span, KMI aligned by offsets.
import type { HfTokenizer, TokenEncoding } from '@exp/models';
import {
  whitespaceAlignment,
  alignKmiTokens,
  classifyTokens,
  noiseTokenSpans,
  type ClassifiedPrompt,
} from '../src/classes.js';
import type { AttentionItem } from '../src/types.js';
import { cleanItem, llama3, noisy, noisyItem, problems } from './gsm8k-items.js';

let tok: HfTokenizer;
beforeAll(async () => {
  tok = await llama3();
});

const classified = (
  item: AttentionItem,
  classifier: 'exp' | 'seed' = 'exp',
): ClassifiedPrompt & { encoding: TokenEncoding } => {
  const encoding = tok.encode(item.prompt);
  return { item, encoding, classes: classifyTokens(item, encoding, classifier) };
};
const labelled = ({ item, encoding, classes }: ClassifiedPrompt) =>
  encoding.offsets.map(([s, e], i) => `${item.prompt.slice(s, e)}|${classes.classes[i]}`);

// GSM8K test 1, "A robe takes 2 bolts...", in the lm-eval prompt.
const ROBE_HEAD = [
  'Question|special',
  ':|special',
  ' A|OC', // straddles the question's start: a question token
  ' robe|OC',
  ' takes|OC',
  ' |OC',
  '2|KMI',
  ' bolts|OC',
  ' of|OC',
  ' blue|OC',
  ' fiber|OC',
  ' and|OC',
  ' half|KMI',
  ' that|OC',
  ' much|OC',
  ' white|OC',
  ' fiber|OC',
  '.|OC',
  ' |OC',
];
const ROBE_TAIL = [
  ' How|KMI',
  ' many|KMI',
  ' bolts|KMI',
  ' in|OC',
  ' total|KMI',
  ' does|OC',
  ' it|OC',
  ' take|KMI',
  '?\n|OC', // holds the question's last character
  'Answer|special',
  ':|special',
];

describe('classifyTokens', () => {
  it('clean GSM8K test 1: exact classes, counts and question token range', () => {
    const c = classified(cleanItem(problems(2)[1]!));
    expect(labelled(c)).toEqual([...ROBE_HEAD, ...ROBE_TAIL]);
    expect(c.classes.counts).toEqual({ KMI: 7, NI: 0, OC: 19, special: 4 });
    expect(c.classes.question).toEqual([2, 28]);
  });

  it('noisy GSM8K test 1 (INF, seed 42): the inserted sentence is NI, its separator OC', () => {
    const c = classified(noisyItem(noisy(2)[1]!));
    const noise = [
      ' The',
      ' apartment',
      ' building',
      ' on',
      ' Maple',
      ' Street',
      ' has',
      ' ',
      '10',
      ' floors',
      ' and',
      ' ',
      '152',
      ' windows',
      '.',
    ];
    expect(labelled(c)).toEqual([
      ...ROBE_HEAD,
      ...noise.map((t) => `${t}|NI`),
      ' |OC',
      ...ROBE_TAIL,
    ]);
    expect(c.classes.counts).toEqual({ KMI: 7, NI: 15, OC: 20, special: 4 });
  });

  it("'seed' classes the same prompt with its keyword rules", () => {
    expect(classified(cleanItem(problems(2)[1]!), 'seed').classes.counts).toEqual({
      KMI: 14,
      NI: 0,
      OC: 12,
      special: 4,
    });
  });

  it('NI tokens exactly cover each noise span, on 20 noisy records', () => {
    for (const r of noisy(20)) {
      const c = classified(noisyItem(r));
      const ni = c.classes.classes.flatMap((k, i) => (k === 'NI' ? [i] : []));
      const [first, last] = [ni[0]!, ni.at(-1)!];
      expect(ni).toEqual(Array.from({ length: last - first + 1 }, (_, k) => first + k));
      const span = c.classes.noise[0]!;
      // first token holds the span's first character, last its last; neighbours hold none of it
      expect(c.encoding.offsets[first]![0]).toBeLessThanOrEqual(span.start);
      expect(c.encoding.offsets[first]![1]).toBeGreaterThan(span.start);
      expect(c.encoding.offsets[last]![1]).toBeGreaterThanOrEqual(span.end);
      expect(c.encoding.offsets[last]![0]).toBeLessThan(span.end);
      expect(c.encoding.offsets[first - 1]![1]).toBeLessThanOrEqual(span.start);
      expect(c.encoding.offsets[last + 1]![0]).toBeGreaterThanOrEqual(span.end);
    }
  });

  it('noiseTokenSpans: the NI runs as knockout spans (one per inserted sentence), [] when clean', () => {
    expect(noiseTokenSpans(cleanItem(problems(2)[1]!), tok.encode('x'))).toEqual([]);
    const robe = classified(noisyItem(noisy(2)[1]!));
    // ROBE_HEAD's 19 tokens, then the 15 noise tokens
    expect(noiseTokenSpans(robe.item, robe.encoding)).toEqual([[19, 34]]);
    for (const r of noisy(20, 'inf')) {
      const c = classified(noisyItem(r));
      const spans = noiseTokenSpans(c.item, c.encoding);
      const ni = c.classes.classes.flatMap((k, i) => (k === 'NI' ? [i] : []));
      expect(spans.flatMap(([s, e]) => Array.from({ length: e - s }, (_, k) => s + k))).toEqual(ni);
      expect(spans).toHaveLength(r.noise.length);
    }
  });

  it('a zero-width BOS is special, and a prompt without the question is refused', () => {
    const item: AttentionItem = {
      id: 'x',
      prompt: 'Q: 2 cats?',
      questionStart: 3,
      question: '2 cats?',
      originalQuestion: '2 cats?',
      noise: [],
    };
    const encoding = {
      offsets: [
        [0, 0],
        [0, 1],
        [1, 2],
        [2, 4],
        [4, 9],
        [9, 10],
      ] as [number, number][],
    };
    expect(classifyTokens(item, encoding).classes).toEqual([
      'special',
      'special',
      'special',
      'KMI',
      'KMI',
      'OC',
    ]);
    expect(() => classifyTokens({ ...item, questionStart: 2 }, encoding)).toThrow(
      'item x: prompt does not hold question at questionStart 2',
    );
    expect(() => classifyTokens({ ...item, noise: [{ start: 5, end: 9 }] }, encoding)).toThrow(
      'item x: noise span [5, 9) is outside the question (length 7)',
    );
  });
});

describe('alignKmiTokens', () => {
  it('pairs every clean KMI token with the noisy token of the same text, on 20 records', () => {
    const ps = problems(20);
    noisy(20).forEach((r, i) => {
      const clean = classified(cleanItem(ps[i]!));
      const dirty = classified(noisyItem(r));
      const pairs = alignKmiTokens(clean, dirty);
      expect(pairs.length).toBe(clean.classes.counts.KMI);
      expect(pairs.length).toBe(dirty.classes.counts.KMI);
      for (const [a, b] of pairs) {
        expect(dirty.classes.classes[b]).toBe('KMI');
        expect(dirty.encoding.tokens[b]).toBe(clean.encoding.tokens[a]);
      }
    });
  });

  it('GSM8K test 1: the KMI tokens after the noise move by its 16 tokens', () => {
    const clean = classified(cleanItem(problems(2)[1]!));
    const dirty = classified(noisyItem(noisy(2)[1]!));
    expect(alignKmiTokens(clean, dirty)).toEqual([
      [6, 6],
      [12, 12],
      [19, 35],
      [20, 36],
      [21, 37],
      [23, 39],
      [26, 42],
    ]);
  });

  it('refuses a noisy item of another problem', () => {
    const clean = classified(cleanItem(problems(1)[0]!));
    const dirty = classified(noisyItem(noisy(2)[1]!));
    expect(() => alignKmiTokens(clean, dirty)).toThrow(
      'items gsm8k-test-0 / gsm8k-test-1: the noisy question without its noise is not the clean question',
    );
  });
});

describe('whitespaceAlignment', () => {
  it('maps offsets across texts that differ only in whitespace, else refuses', () => {
    expect([...whitespaceAlignment('ab c', 'ab c')!]).toEqual([0, 1, 2, 3, 4]);
    expect([...whitespaceAlignment('pop.', 'pop .')!]).toEqual([0, 1, 2, 4, 5]);
    expect([...whitespaceAlignment('a  b', 'a b')!]).toEqual([0, 1, 2, 2, 3]);
    expect(whitespaceAlignment('abc', 'abd')).toBeNull();
    expect(whitespaceAlignment('abc', 'abcd')).toBeNull();
  });
});
