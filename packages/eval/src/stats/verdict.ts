// The one-line reading of a DiffLlama − Llama comparison, for tables and the report.

/**
 * Verdicts of a comparison. Sign convention: the estimate is DiffLlama − Llama of a measure
 * where higher is better for the model — Pass@1 on a set, or the noise effect (noisy − clean,
 * negative when noise hurts) — so a positive estimate means differential attention helps.
 */
export const VERDICTS = ['helps', 'hurts', 'no difference detected', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface VerdictInput {
  /** DiffLlama − Llama, oriented as VERDICTS says. */
  estimate: number;
  /** The test's p (Holm-adjusted within the run's family, where one is); null without a test. */
  p: number | null;
  /** Minimum detectable effect of the comparison (power.ts), as a magnitude; null if unknown. */
  mde: number | null;
}

export interface VerdictOptions {
  /** Significance level (default 0.05). */
  alpha?: number;
  /**
   * Smallest effect worth detecting, in the estimate's units. Without it a non-significant
   * result is judged against its own observed effect.
   */
  margin?: number;
}

/**
 * p < alpha: 'helps' (estimate > 0) or 'hurts' (< 0). Otherwise 'inconclusive' (at this n)
 * when there is no test, no MDE, or the MDE exceeds the margin — by default the observed
 * |estimate|: the study could not have detected an effect of the size it saw — and 'no
 * difference detected' when the MDE is within it (an effect of that size would likely have
 * been found). Note that without a margin a non-significant estimate is rarely as large as its
 * MDE (MDE ≈ 2.8 standard errors at the defaults), so most non-significant results read
 * 'inconclusive'; pass a margin to ask "could we have seen an effect of this size?".
 */
export function verdict(input: VerdictInput, opts: VerdictOptions = {}): Verdict {
  const alpha = opts.alpha ?? 0.05;
  const { estimate, p, mde } = input;
  if (!Number.isFinite(estimate)) {
    throw new RangeError(`verdict: estimate: expected a finite number, got ${estimate}`);
  }
  if (p !== null && p < alpha && estimate !== 0) return estimate > 0 ? 'helps' : 'hurts';
  if (p === null || mde === null) return 'inconclusive';
  const margin = opts.margin ?? Math.abs(estimate);
  return mde > margin ? 'inconclusive' : 'no difference detected';
}
