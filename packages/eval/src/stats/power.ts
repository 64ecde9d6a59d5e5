// Minimum detectable effects (MDE): the smallest true effect a two-sided test at level alpha
// detects with probability `power`, given the n and the rates a comparison observed. A
// non-significant result whose MDE exceeds its observed effect says "cannot tell at this n",
// not "no effect" (verdict.ts). Normal approximations as the textbooks give them; each is
// checked against scipy/statsmodels in tools/crosscheck/design_stats_fixture.py.
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Two-sided level of every power computation unless asked otherwise. */
export const DEFAULT_ALPHA = 0.05;
/** Power of every MDE unless asked otherwise. */
export const DEFAULT_POWER = 0.8;

export interface PowerOptions {
  /** Two-sided significance level (default 0.05). */
  alpha?: number;
  /** Probability of detecting the MDE (default 0.8). */
  power?: number;
}

/** z_{1-alpha/2} and z_{power}, checked. */
function zs(opts: PowerOptions, where: string): { za: number; zb: number } {
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const power = opts.power ?? DEFAULT_POWER;
  if (!(alpha > 0 && alpha < 1)) {
    throw new RangeError(`${where}: alpha: expected a number in (0, 1), got ${alpha}`);
  }
  if (!(power > 0 && power < 1)) {
    throw new RangeError(`${where}: power: expected a number in (0, 1), got ${power}`);
  }
  // From the small tail: 1 - alpha/2 would round first.
  return { za: -normalQuantile(alpha / 2, 0, 1), zb: normalQuantile(power, 0, 1) };
}

function checkCount(n: number, what: string, where: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${where}: ${what}: expected a positive integer, got ${n}`);
  }
}

/**
 * MDE of McNemar's test of two paired proportions (DiffLlama − Llama Pass@1 on the same items),
 * as a difference of proportions |p10 − p01|, from the number of items n and of discordant
 * items (only one of the two right). Connor (1987, Biometrics 43:207-211) gives the items a
 * difference delta needs at discordant proportion psi:
 *   n = (z_{1-alpha/2} sqrt(psi) + z_{power} sqrt(psi − delta^2))^2 / delta^2;
 * solved for delta at the observed psi = discordant / n (the larger root of the quadratic):
 *   delta = sqrt(psi) (sqrt(n) z_a + z_b sqrt(n − z_a^2 + z_b^2)) / (n + z_b^2).
 * Null with no discordant item (psi = 0: the data say nothing about the spread of a
 * difference) or when n is below z_a^2 − z_b^2 (no delta reaches the power).
 */
export function mcnemarMde(n: number, discordant: number, opts: PowerOptions = {}): number | null {
  checkCount(n, 'n', 'mcnemarMde');
  if (!Number.isInteger(discordant) || discordant < 0 || discordant > n) {
    throw new RangeError(
      `mcnemarMde: discordant: expected an integer in [0, ${n}], got ${discordant}`,
    );
  }
  const { za, zb } = zs(opts, 'mcnemarMde');
  if (discordant === 0) return null;
  const psi = discordant / n;
  const under = n - za * za + zb * zb;
  if (under < 0) return null;
  return (Math.sqrt(psi) * (Math.sqrt(n) * za + zb * Math.sqrt(under))) / (n + zb * zb);
}

/**
 * MDEs of a difference of two independent proportions around a reference rate p1 (n1 items)
 * against n2 items: Cohen's arcsine effect h = 2 asin(sqrt(p2)) − 2 asin(sqrt(p1)) is detected
 * with the given power when |h| >= (z_{1-alpha/2} + z_{power}) sqrt(1/n1 + 1/n2) (statsmodels'
 * NormalIndPower without the negligible far tail), so the detectable rates are
 * p2 = sin^2(asin(sqrt(p1)) ± h/2). Returns p2 − p1 for a rise (`up`, >= 0) and for a fall
 * (`down`, <= 0); null where that p2 would leave [0, 1] (no such change is detectable).
 */
export function twoProportionMde(
  p1: number,
  n1: number,
  n2: number,
  opts: PowerOptions = {},
): { up: number | null; down: number | null } {
  if (!(p1 >= 0 && p1 <= 1)) {
    throw new RangeError(`twoProportionMde: p1: expected a number in [0, 1], got ${p1}`);
  }
  checkCount(n1, 'n1', 'twoProportionMde');
  checkCount(n2, 'n2', 'twoProportionMde');
  const { za, zb } = zs(opts, 'twoProportionMde');
  const half = ((za + zb) * Math.sqrt(1 / n1 + 1 / n2)) / 2;
  const phi = Math.asin(Math.sqrt(p1));
  const at = (a: number): number | null =>
    a < 0 || a > Math.PI / 2 ? null : Math.sin(a) ** 2 - p1;
  return { up: at(phi + half), down: at(phi - half) };
}

/**
 * MDE of a paired continuous difference (per-item noisy − clean, or DiffLlama − Llama, of a
 * likelihood): (z_{1-alpha/2} + z_{power}) sd_diff / sqrt(n), with sd_diff the standard
 * deviation of the per-item differences.
 */
export function pairedMeanMde(sdDiff: number, n: number, opts: PowerOptions = {}): number {
  if (!(sdDiff >= 0) || !Number.isFinite(sdDiff)) {
    throw new RangeError(`pairedMeanMde: sdDiff: expected a finite number >= 0, got ${sdDiff}`);
  }
  checkCount(n, 'n', 'pairedMeanMde');
  const { za, zb } = zs(opts, 'pairedMeanMde');
  return ((za + zb) * sdDiff) / Math.sqrt(n);
}

/**
 * pairedMeanMde of per-item differences, with their sample standard deviation (n − 1 in the
 * denominator); null with fewer than two items.
 */
export function pairedDifferencesMde(
  diffs: ArrayLike<number>,
  opts: PowerOptions = {},
): number | null {
  const n = diffs.length;
  if (n < 2) return null;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += diffs[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (diffs[i] - mean) ** 2;
  return pairedMeanMde(Math.sqrt(ss / (n - 1)), n, opts);
}
