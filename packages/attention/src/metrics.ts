// The attention metrics, each a pure function of plain arrays: a head's map or one query row,
// and the token classes. compare.ts applies them per layer, head and sample and aggregates.
// Rows are causal: row q holds keys 0..q (length q + 1); signed (differential) rows are allowed.
import type { Rng } from '@exp/data';
import { mean, populationStd } from './stats.js';
import type { TokenClass } from './types.js';

export type ClassValues = Record<TokenClass, number>;
export type ClassValuesOrNull = Record<TokenClass, number | null>;

const zero = (): ClassValues => ({ KMI: 0, NI: 0, OC: 0, special: 0 });

function checkLength(what: string, got: number, want: number): void {
  if (got !== want) throw new RangeError(`${what}: expected ${want} values, got ${got}`);
}

/**
 * Metric 1, the original's ratios: attention received by each class (column sums over every
 * query row of an S x S map) over the total received. With `excludeSpecial` the special columns
 * are left out of the total (their ratio is 0), so KMI + NI + OC = 1; without, all four sum to 1.
 */
export function seedRatios(
  map: ArrayLike<number>,
  seq: number,
  classes: readonly TokenClass[],
  excludeSpecial = true,
): ClassValues {
  checkLength('seedRatios map', map.length, seq * seq);
  checkLength('seedRatios classes', classes.length, seq);
  const received = zero();
  for (let i = 0; i < seq; i++) {
    const row = i * seq;
    for (let j = 0; j < seq; j++) received[classes[j]!] += map[row + j]!;
  }
  if (excludeSpecial) received.special = 0;
  const total = received.KMI + received.NI + received.OC + received.special;
  if (total === 0) throw new RangeError('seedRatios: no attention reaches a counted token');
  return {
    KMI: received.KMI / total,
    NI: received.NI / total,
    OC: received.OC / total,
    special: received.special / total,
  };
}

/** Which keys of a row count, and whether the attention sink (key 0) is dropped first. */
export interface RowOptions {
  excludeSpecial?: boolean;
  dropSink?: boolean;
}

const counted = (c: TokenClass, j: number, o: RowOptions): boolean =>
  !(o.dropSink && j === 0) && !(o.excludeSpecial !== false && c === 'special');

/**
 * Each key's share of a query row: the row over the sum of its counted keys (special keys and,
 * with `dropSink`, key 0 get 0). Without excludeSpecial and dropSink the row is returned as is
 * (no renormalisation), so a raw differential row keeps its 1 - lambda total.
 */
export function normalisedRow(
  row: ArrayLike<number>,
  classes: readonly TokenClass[],
  opts: RowOptions = {},
): Float64Array {
  const out = new Float64Array(row.length);
  let total = 0;
  for (let j = 0; j < row.length; j++) {
    if (counted(classes[j]!, j, opts)) total += row[j]!;
  }
  const renormalise = opts.excludeSpecial !== false || opts.dropSink === true;
  if (renormalise && total === 0)
    throw new RangeError('normalisedRow: no attention on a counted key');
  const scale = renormalise ? 1 / total : 1;
  for (let j = 0; j < row.length; j++) out[j] = counted(classes[j]!, j, opts) ? row[j]! * scale : 0;
  return out;
}

/**
 * Metric 2 (span mass from the query to each class) and, with `dropSink`, metric 3 (the same with
 * key 0 removed and the rest renormalised). `row` is row q (keys 0..q); `classes` may be longer.
 */
export function rowMass(
  row: ArrayLike<number>,
  classes: readonly TokenClass[],
  opts: RowOptions = {},
): ClassValues {
  const shares = normalisedRow(row, classes, opts);
  const out = zero();
  for (let j = 0; j < shares.length; j++) out[classes[j]!] += shares[j]!;
  return out;
}

/** How many of keys 0..n-1 fall in each class, and how many are counted (the uniform baseline). */
export function classCounts(
  n: number,
  classes: readonly TokenClass[],
  opts: RowOptions = {},
): { counts: ClassValues; keys: number } {
  const counts = zero();
  let keys = 0;
  for (let j = 0; j < n; j++) {
    counts[classes[j]!]++;
    if (counted(classes[j]!, j, opts)) keys++;
  }
  return { counts, keys };
}

/**
 * Metric 4, lift over uniform: mass_c / (|c| / keys), where |c| counts the class among keys
 * 0..q and `keys` the counted keys (q + 1, less special keys under excludeSpecial): uniform
 * attention over the counted keys gives 1. Null for an empty class (and special when excluded).
 */
export function liftOverUniform(
  mass: ClassValues,
  n: number,
  classes: readonly TokenClass[],
  opts: RowOptions = {},
): ClassValuesOrNull {
  const { counts, keys } = classCounts(n, classes, opts);
  const lift = (c: TokenClass): number | null =>
    counts[c] === 0 || (c === 'special' && opts.excludeSpecial !== false)
      ? null
      : mass[c] / (counts[c] / keys);
  return { KMI: lift('KMI'), NI: lift('NI'), OC: lift('OC'), special: lift('special') };
}

/** Metric 5, signal to noise: ln(mass_KMI / mass_NI); null without NI tokens or a non-positive mass. */
export function signalToNoise(mass: ClassValues, niTokens: number): number | null {
  if (niTokens === 0 || !(mass.KMI > 0) || !(mass.NI > 0)) return null;
  return Math.log(mass.KMI / mass.NI);
}

/**
 * Metric 6, paired distraction effect: the attention share the noisy prompt gives to the KMI
 * tokens it shares with the clean one, minus the clean prompt's share, over aligned token pairs
 * [clean index, noisy index] (alignKmiTokens). Shares are normalisedRow values.
 */
export function distractionEffect(
  cleanShares: ArrayLike<number>,
  noisyShares: ArrayLike<number>,
  pairs: readonly (readonly [number, number])[],
): number {
  let d = 0;
  for (const [c, n] of pairs) d += noisyShares[n]! - cleanShares[c]!;
  return d;
}

/**
 * Metric 7, normalised entropy of a query row over keys 0..q: -sum p ln p / ln(q + 1), with
 * p = |a| / sum |a| (the row itself for softmax maps; magnitudes for signed ones). 1 = uniform,
 * 0 = one key. Null for a one-key row or an all-zero row.
 */
export function rowEntropy(row: ArrayLike<number>): number | null {
  const n = row.length;
  let total = 0;
  for (let j = 0; j < n; j++) total += Math.abs(row[j]!);
  if (n < 2 || total === 0) return null;
  let h = 0;
  for (let j = 0; j < n; j++) {
    const p = Math.abs(row[j]!) / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h / Math.log(n);
}

export interface DifferentialRowStats {
  /** Share of |D| that is negative: sum_{D<0} |D| / sum |D|. */
  negFraction: number | null;
  /** Share of the negative mass on NI keys, and on KMI keys. */
  negShareNi: number | null;
  negShareKmi: number | null;
  /** lambda * A2(NI) / A1(NI): how much of the noise attention the second map cancels. */
  cancellationNi: number | null;
}

/**
 * Metric 8 (DiffLlama): from one pair's raw softmax rows a1 = A_i[q], a2 = A_{i+H/2}[q] and
 * lambda, the differential row D = a1 - lambda * a2 (unnormalised, the 'differential' form; every
 * quantity here is a ratio, so normalising would only flip signs when lambda > 1).
 */
export function differentialRowStats(
  a1: ArrayLike<number>,
  a2: ArrayLike<number>,
  lambda: number,
  classes: readonly TokenClass[],
): DifferentialRowStats {
  checkLength('differentialRowStats a2', a2.length, a1.length);
  let abs = 0;
  let neg = 0;
  let negNi = 0;
  let negKmi = 0;
  let a1Ni = 0;
  let a2Ni = 0;
  let niTokens = 0;
  for (let j = 0; j < a1.length; j++) {
    const c = classes[j]!;
    const d = a1[j]! - lambda * a2[j]!;
    abs += Math.abs(d);
    if (d < 0) {
      neg -= d;
      if (c === 'NI') negNi -= d;
      if (c === 'KMI') negKmi -= d;
    }
    if (c === 'NI') {
      niTokens++;
      a1Ni += a1[j]!;
      a2Ni += a2[j]!;
    }
  }
  return {
    negFraction: abs > 0 ? neg / abs : null,
    negShareNi: neg > 0 ? negNi / neg : null,
    negShareKmi: neg > 0 ? negKmi / neg : null,
    cancellationNi: niTokens > 0 && a1Ni > 0 ? (lambda * a2Ni) / a1Ni : null,
  };
}

/** Mean of the defined values, or null when there are none. */
export function meanDefined(xs: readonly (number | null)[]): number | null {
  const d = xs.filter((x): x is number => x !== null);
  return d.length ? mean(d) : null;
}

/**
 * Metric 9, layer profile: the head-averaged NI lift of each layer ([L][H] per-head values,
 * already averaged over samples) and the layer where it peaks (first one on ties).
 */
export function layerProfile(niLift: readonly (readonly (number | null)[])[]): {
  profile: (number | null)[];
  peak: number | null;
} {
  const profile = niLift.map((heads) => meanDefined(heads));
  let peak: number | null = null;
  profile.forEach((v, l) => {
    if (v !== null && (peak === null || v > profile[peak]!)) peak = l;
  });
  return { profile, peak };
}

export interface DistractorHead {
  layer: number;
  head: number;
  /** The head's NI lift, mean over samples. */
  lift: number;
  /** Its z-score among all heads of all layers. */
  z: number;
  /** Fraction of bootstrap resamples of the samples in which its z stays above the threshold. */
  stability: number;
}

/** Per-head means over the given samples ([sample][layer][head] -> [layer * heads + head]). */
function headMeans(
  values: readonly (readonly (readonly (number | null)[])[])[],
  picks: readonly number[],
): (number | null)[] {
  const layers = values[0]!.length;
  const heads = values[0]![0]!.length;
  const out: (number | null)[] = [];
  for (let l = 0; l < layers; l++) {
    for (let h = 0; h < heads; h++) out.push(meanDefined(picks.map((s) => values[s]![l]![h]!)));
  }
  return out;
}

/** z-scores of the defined entries among themselves (population std); null where undefined or std 0. */
function zScores(xs: readonly (number | null)[]): (number | null)[] {
  const d = xs.filter((x): x is number => x !== null);
  if (d.length < 2) return xs.map(() => null);
  const m = mean(d);
  const s = populationStd(d);
  return xs.map((x) => (x === null || s === 0 ? null : (x - m) / s));
}

/**
 * Metric 9, distractor heads: heads whose NI lift (mean over samples) has a z-score above
 * `threshold` among all heads of all layers; `stability` = fraction of `resamples` bootstrap
 * resamples of the samples (drawn with `rng`) in which the head's z stays above it.
 * `values` is [sample][layer][head] NI lift (null where a sample has no NI tokens).
 */
export function distractorHeads(
  values: readonly (readonly (readonly (number | null)[])[])[],
  rng: Rng,
  opts: { resamples?: number; threshold?: number } = {},
): DistractorHead[] {
  const { resamples = 1000, threshold = 2 } = opts;
  if (values.length === 0) return [];
  const heads = values[0]![0]!.length;
  const all = values.map((_, s) => s);
  const means = headMeans(values, all);
  const z = zScores(means);
  const found = z.flatMap((v, k) => (v !== null && v > threshold ? [k] : []));
  if (found.length === 0) return [];
  const stays = new Array<number>(found.length).fill(0);
  for (let b = 0; b < resamples; b++) {
    const picks = all.map(() => rng.int(values.length));
    const zb = zScores(headMeans(values, picks));
    found.forEach((k, i) => {
      if ((zb[k] ?? -Infinity) > threshold) stays[i]!++;
    });
  }
  return found.map((k, i) => ({
    layer: Math.floor(k / heads),
    head: k % heads,
    lift: means[k]!,
    z: z[k]!,
    stability: stays[i]! / resamples,
  }));
}

/**
 * Metric 10: AUC of a per-sample score (NI mass) for predicting a wrong answer, i.e. the
 * Mann-Whitney U of the wrong against the right answers over n_wrong * n_right (ties count 1/2).
 * 0.5 = no link; null when either group is empty.
 */
export function aucWrong(score: readonly number[], correct: readonly boolean[]): number | null {
  checkLength('aucWrong correct', correct.length, score.length);
  const order = score.map((s, i) => ({ s, wrong: !correct[i] })).sort((a, b) => a.s - b.s);
  const nWrong = order.filter((o) => o.wrong).length;
  const nRight = order.length - nWrong;
  if (nWrong === 0 || nRight === 0) return null;
  // Average ranks (1-based) over ties, then U = R_wrong - n_wrong (n_wrong + 1) / 2.
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]!.s === order[i]!.s) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (order[k]!.wrong) rankSum += rank;
    i = j;
  }
  return (rankSum - (nWrong * (nWrong + 1)) / 2) / (nWrong * nRight);
}
