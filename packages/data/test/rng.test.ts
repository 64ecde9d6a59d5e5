import { createRng, hash32 } from '../src/rng.js';
import { firstN, sampleN } from '../src/subset.js';

describe('createRng', () => {
  test('mulberry32 reference values', () => {
    // mulberry32(0) from the reference C/JS implementation: first outputs as uint32.
    const rng = createRng(0);
    const words = Array.from({ length: 3 }, () => rng.next() * 2 ** 32);
    expect(words).toEqual([1144304738, 1416247, 958946056]);
  });

  test('FNV-1a reference values', () => {
    expect(hash32('')).toBe(0x811c9dc5);
    expect(hash32('a')).toBe(0xe40c292c);
    expect(hash32('foobar')).toBe(0xbf9cf968);
  });

  test('same seed, same stream; string seeds and forks are deterministic and distinct', () => {
    const draw = (seed: number | string) => Array.from({ length: 5 }, createRng(seed).next);
    const a = createRng(42);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw('gsm8k')).toEqual(draw('gsm8k'));
    const root = createRng(42);
    root.next(); // a fork depends on the seed and label only, not on draws made before
    const f1 = Array.from({ length: 5 }, createRng(42).fork('noise').next);
    expect(Array.from({ length: 5 }, root.fork('noise').next)).toEqual(f1);
    expect(Array.from({ length: 5 }, root.fork('subset').next)).not.toEqual(f1);
    expect(f1).not.toEqual(draw(42));
  });

  test('int and pick stay in range and cover it', () => {
    const rng = createRng(7);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 5000; i++) counts[rng.int(5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    expect(counts.reduce((s, c) => s + c)).toBe(5000);
    for (let i = 0; i < 1000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
    expect(['a', 'b', 'c']).toContain(rng.pick(['a', 'b', 'c']));
    expect(() => rng.pick([])).toThrow('pick: the list is empty');
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => createRng(1.5)).toThrow('seed: expected an integer or a string, got 1.5');
    // Seeds outside 32 bits are hashed, not truncated: 2^32 does not alias 0.
    expect(createRng(2 ** 32).next()).not.toBe(createRng(0).next());
  });
});

// Cross-checked with an independent Python mulberry32 + FNV-1a + partial Fisher-Yates.
const PINNED = ['p22', 'p31', 'p36', 'p68', 'p70'];

describe('subsets', () => {
  const items = Array.from({ length: 100 }, (_, i) => `p${i}`);

  test('firstN keeps the original behaviour', () => {
    expect(firstN(items, 3)).toEqual(['p0', 'p1', 'p2']);
    expect(firstN(items, -1)).toHaveLength(100);
    expect(firstN(items)).toHaveLength(100);
    expect(firstN(items, 0)).toEqual([]);
    expect(firstN(items, 500)).toHaveLength(100);
    expect(() => firstN(items, -2)).toThrow('firstN: n: expected a count >= 0, or -1 for all');
  });

  test('sampleN: same seed same subset, original order, nested prefixes', () => {
    const a = sampleN(items, 10, 1);
    expect(a).toEqual(sampleN(items, 10, 1));
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    const pos = a.map((x) => items.indexOf(x));
    expect(pos).toEqual([...pos].sort((x, y) => x - y));
    expect(a).not.toEqual(sampleN(items, 10, 2));
    expect(a).not.toEqual(firstN(items, 10));
    const small = sampleN(items, 4, 1);
    for (const x of small) expect(a).toContain(x);
    expect(sampleN(items, -1, 1)).toEqual(items);
    expect(sampleN(items, 1000, 1)).toEqual(items);
    expect(sampleN(items, 0, 1)).toEqual([]);
    expect(sampleN(items, 10, 'run-a')).toEqual(sampleN(items, 10, 'run-a'));
  });

  test('sampleN pinned output (changing the PRNG or algorithm changes published subsets)', () => {
    expect(sampleN(items, 5, 0)).toEqual(PINNED);
  });
});
