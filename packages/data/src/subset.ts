import { createRng } from './rng.js';

function checkCount(n: number | undefined, fn: string): void {
  if (n !== undefined && !(Number.isInteger(n) && n >= -1)) {
    throw new RangeError(`${fn}: n: expected a count >= 0, or -1 for all; got ${n}`);
  }
}

/** The first n items (the original project's `--n`); n = -1 or undefined means all. */
export function firstN<T>(items: readonly T[], n?: number): T[] {
  checkCount(n, 'firstN');
  return n === undefined || n === -1 ? [...items] : items.slice(0, n);
}

/**
 * A seeded random subset of n items (n = -1 or undefined, or n >= length: all), returned in
 * the items' original order so that subsets line up with the full list.
 *
 * Algorithm: a partial Fisher-Yates shuffle of the indices, step k swapping position k with
 * k + rng.int(length - k) for k < n, with `createRng(seed).fork('sampleN')` (mulberry32; the
 * fork keeps this stream apart from other uses of the same seed). The picks are a prefix of
 * the same shuffle for every n, so for one seed and list a smaller sample is contained in a
 * larger one.
 */
export function sampleN<T>(items: readonly T[], n: number | undefined, seed: number | string): T[] {
  checkCount(n, 'sampleN');
  if (n === undefined || n === -1 || n >= items.length) return [...items];
  const rng = createRng(seed).fork('sampleN');
  const idx = Array.from(items, (_, i) => i);
  for (let k = 0; k < n; k++) {
    const j = k + rng.int(idx.length - k);
    [idx[k], idx[j]] = [idx[j], idx[k]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}
