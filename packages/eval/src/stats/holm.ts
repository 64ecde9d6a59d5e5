// Holm's step-down correction: family-wise error control for the DiffLlama − Llama comparisons
// of one run (noise types × measures), uniformly more powerful than Bonferroni and valid under
// any dependence between the tests. A few lines; written here to match statsmodels'
// multipletests(method='holm') exactly (the crosscheck fixture pins it).

/**
 * Holm-adjusted p-values, in the order of `ps`: with the m p-values sorted ascending
 * p_(1) <= ... <= p_(m), p_holm_(i) = min(1, max_{j <= i} (m − j + 1) p_(j)). Ties keep their
 * input order (a stable sort) and get equal adjusted values either way.
 */
export function holmAdjust(ps: readonly number[]): number[] {
  ps.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`holmAdjust: p[${i}]: expected a number in [0, 1], got ${p}`);
    }
  });
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((a, b) => ps[a] - ps[b]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * ps[i]));
    out[i] = running;
  });
  return out;
}
