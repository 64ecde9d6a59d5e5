/**
 * Seeded pseudo-random numbers for every random choice in exp (subsets, noise placement).
 *
 * The generator is mulberry32 (Tommy Ettinger's 32-bit generator: one 32-bit state word, period
 * 2^32, passes gjrand/PractRand up to the sizes we draw). It is hand-written because it is ten
 * lines and its exact output is part of our results: a library upgrade must never change which
 * problems a seed selects. String seeds and fork labels are hashed with 32-bit FNV-1a, so the
 * same seed gives the same stream on every machine and Node version.
 */
export interface Rng {
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** An integer in [0, n); n must be an integer in 1..2^32. */
  int(n: number): number;
  /** A uniformly chosen element; throws on an empty list. */
  pick<T>(xs: readonly T[]): T;
  /** An independent stream derived from this generator's seed and `label` (not its position). */
  fork(label: string): Rng;
}

/** 32-bit FNV-1a of the UTF-8 bytes of `text`: a stable, dependency-free string hash. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The 32-bit seed word of a numeric or string seed. */
export function seedWord(seed: number | string): number {
  if (typeof seed === 'string') return hash32(seed);
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed: expected an integer or a string, got ${seed}`);
  }
  // Negative and >32-bit seeds are folded in through their decimal text so that distinct
  // safe integers do not collide merely by sharing low bits.
  return seed >= 0 && seed <= 0xffffffff ? seed >>> 0 : hash32(String(seed));
}

/** Creates a mulberry32 stream. Same seed -> same sequence; `fork(label)` -> derived stream. */
export function createRng(seed: number | string): Rng {
  const word = seedWord(seed);
  let state = word;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => {
    // Above 2^32 a 32-bit draw can no longer reach every integer.
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new RangeError(`int(n): expected an integer in 1..2^32, got ${n}`);
    }
    return Math.floor(next() * n);
  };
  return {
    next,
    int,
    pick<T>(xs: readonly T[]): T {
      if (xs.length === 0) throw new RangeError('pick: the list is empty');
      return xs[int(xs.length)];
    },
    fork(label: string): Rng {
      return createRng(hash32(`${word}/${label}`));
    },
  };
}
