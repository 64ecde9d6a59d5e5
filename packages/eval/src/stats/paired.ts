import {
  bootstrapEach,
  drawnCount,
  outcomeBits,
  type BootstrapItem,
  type BootstrapOptions,
} from './bootstrap.js';
import { mcnemarExact } from './mcnemar.js';
import { checkPaired, countTrue } from './pass-at-1.js';

/** Pass@1 of A minus Pass@1 of B, its paired bootstrap CI and McNemar's exact p. */
export interface PairedDifference {
  diff: number;
  lo: number;
  hi: number;
  p: number;
}

/**
 * Pass@1 of A minus Pass@1 of B on the same items (e.g. DiffLlama - Llama), with a paired
 * percentile bootstrap CI (items are resampled together, so the per-item correlation of the
 * two models narrows the interval as it should) and McNemar's exact p.
 */
export function pairedDifference(
  a: readonly boolean[],
  b: readonly boolean[],
  opts: BootstrapOptions,
): PairedDifference {
  return pairedDifferences([{ a, b }], opts)[0];
}

/**
 * pairedDifference of each pair, in order; pairs of one length share their draws (see
 * percentileBootstraps).
 */
export function pairedDifferences(
  pairs: readonly { a: readonly boolean[]; b: readonly boolean[] }[],
  opts: BootstrapOptions,
): PairedDifference[] {
  for (const { a, b } of pairs) checkPaired(a, b, 'pairedDifference');
  return bootstrapEach(
    opts,
    'paired-difference',
    pairs.map(({ a, b }): BootstrapItem<PairedDifference> => {
      const n = a.length;
      // Counts are subtracted before dividing, so equal accuracies give exactly 0.
      const diff = (countTrue(a) - countTrue(b)) / n;
      const { p, b: onlyA, c: onlyB } = mcnemarExact(a, b);
      // Without a discordant item every resample gives the same difference.
      if (onlyA + onlyB === 0) return { done: { diff, lo: diff, hi: diff, p } };
      const [bitsA, bitsB] = [outcomeBits(a), outcomeBits(b)];
      return {
        n,
        statistic: (idx) => (drawnCount(bitsA, idx) - drawnCount(bitsB, idx)) / n,
        finish: ({ interval }) => ({ diff, lo: interval!.lo, hi: interval!.hi, p }),
      };
    }),
  );
}
