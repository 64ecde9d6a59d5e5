import {
  bootstrapEach,
  drawnCount,
  outcomeBits,
  type BootstrapItem,
  type BootstrapOptions,
} from './bootstrap.js';
import { checkPaired, countTrue } from './pass-at-1.js';

export interface Degradation {
  /** (clean - noisy) / clean as a fraction (the original printed it * 100); null if clean = 0. */
  value: number | null;
  /** Paired percentile bootstrap CI; null when value is, or when every resample was skipped. */
  lo: number | null;
  hi: number | null;
  /** Items in both sets. */
  n: number;
  /** Resamples whose clean accuracy was 0 (the ratio is undefined there), left out of the CI. */
  skipped: number;
}

/**
 * Relative degradation (clean - noisy) / clean of one model over the items present in both
 * sets (pair them with alignById), with a paired bootstrap CI. Resamples with clean accuracy 0
 * are skipped rather than counted as 0 or infinity: the CI is then conditional on a non-zero
 * clean accuracy, and `skipped` says how often that happened (it is only large when the clean
 * accuracy is a handful of items, where no ratio is trustworthy anyway).
 */
export function relativeDegradation(
  clean: readonly boolean[],
  noisy: readonly boolean[],
  opts: BootstrapOptions,
): Degradation {
  return relativeDegradations([{ clean, noisy }], opts)[0];
}

/**
 * relativeDegradation of each pair, in order; pairs of one length share their draws (see
 * percentileBootstraps).
 */
export function relativeDegradations(
  pairs: readonly { clean: readonly boolean[]; noisy: readonly boolean[] }[],
  opts: BootstrapOptions,
): Degradation[] {
  for (const { clean, noisy } of pairs) checkPaired(clean, noisy, 'relativeDegradation');
  return bootstrapEach(
    opts,
    'relative-degradation',
    pairs.map(({ clean, noisy }): BootstrapItem<Degradation> => {
      const n = clean.length;
      const kc = countTrue(clean);
      if (kc === 0) return { done: { value: null, lo: null, hi: null, n, skipped: 0 } };
      // (kc/n - kn/n) / (kc/n) = (kc - kn) / kc: counts, so equal accuracies give exactly 0.
      const value = (kc - countTrue(noisy)) / kc;
      const [cleanBits, noisyBits] = [outcomeBits(clean), outcomeBits(noisy)];
      return {
        n,
        statistic: (idx) => {
          const c = drawnCount(cleanBits, idx);
          return c === 0 ? null : (c - drawnCount(noisyBits, idx)) / c;
        },
        finish: ({ interval, skipped }) => ({
          value,
          lo: interval?.lo ?? null,
          hi: interval?.hi ?? null,
          n,
          skipped,
        }),
      };
    }),
  );
}

/**
 * The outcomes of the items present in both maps (by item id), in the order of `clean`; a
 * noisy set keeps its clean item's id, so this pairs each noisy item with its original.
 */
export function alignById(
  clean: ReadonlyMap<string, boolean>,
  noisy: ReadonlyMap<string, boolean>,
): { ids: string[]; clean: boolean[]; noisy: boolean[] } {
  const ids = [...clean.keys()].filter((id) => noisy.has(id));
  return { ids, clean: ids.map((id) => clean.get(id)!), noisy: ids.map((id) => noisy.get(id)!) };
}
