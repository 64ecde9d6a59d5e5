// PythonRandom against outputs CPython produced (tools/crosscheck/python_random_fixture.py).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { PythonRandom } from '../../src/task/python-random.js';

interface Case {
  seed: string;
  uint32: number[];
  getrandbits: Record<string, string>;
  randbelow: number[];
  random: string[];
  sample: { n: number; k: number; out: number[] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/python-random.json', import.meta.url), 'utf8'),
) as {
  cases: Case[];
  lm_eval_gsm8k: { seed: number; k: number; train_size: number; docs: number[][] };
};

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('PythonRandom equals CPython random.Random', () => {
  test('the fixture covers seeds 0, 1, 1234, above 2^32 and negative', () => {
    expect(fixture.cases.map((c) => c.seed)).toEqual([
      '0',
      '1',
      '42',
      '1234',
      '4294967295',
      '4294967296',
      '1099511640121',
      '18446744073709551623',
      '-1234',
    ]);
  });

  test.each(fixture.cases.map((c) => [c.seed, c] as const))('seed %s', (_, c) => {
    const r = new PythonRandom(BigInt(c.seed));
    expect(range(8).map(() => r.uint32())).toEqual(c.uint32);
    for (const [k, v] of Object.entries(c.getrandbits)) {
      expect(r.getrandbits(Number(k)).toString()).toBe(v);
    }
    expect([1, 2, 3, 10, 7473, 2 ** 31 + 1, 2 ** 32 - 1].map((n) => r.randbelow(n))).toEqual(
      c.randbelow,
    );
    expect(range(3).map(() => r.random())).toEqual(c.random.map(Number));
    for (const s of c.sample) {
      expect([s.n, s.k, r.sample(range(s.n), s.k)]).toEqual([s.n, s.k, s.out]);
    }
  });

  test('a number seed is the same generator as the bigint', () => {
    expect(new PythonRandom(1234).sample(range(7473), 5)).toEqual([6374, 3610, 957, 61, 742]);
    expect(new PythonRandom(-1234).uint32()).toBe(new PythonRandom(1234n).uint32());
  });

  test("lm-eval's gsm8k draw: one Random(1234), sample(train, 5) per document in order", () => {
    const { seed, k, train_size, docs } = fixture.lm_eval_gsm8k;
    const r = new PythonRandom(seed);
    expect(docs.map(() => r.sample(range(train_size), k))).toEqual(docs);
    expect(docs[0]).toEqual([6374, 3610, 957, 61, 742]);
  });

  test('bad arguments are refused', () => {
    const r = new PythonRandom(0);
    expect(() => r.sample([1, 2], 3)).toThrow('Sample larger than population or is negative');
    expect(() => r.randbelow(0)).toThrow('randbelow: expected an integer in 1..2^32-1, got 0');
    expect(() => new PythonRandom(0.5)).toThrow('PythonRandom: seed: expected an integer, got 0.5');
  });
});
