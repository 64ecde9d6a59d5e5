// One layer's maps of one prompt reduced to metric values per head (averaged over the query
// rows), so that compare.ts never keeps a layer's maps once its callback returns.
import { differentialMaps, formHeads } from './differential.js';
import {
  differentialRowStats,
  distractionEffect,
  liftOverUniform,
  meanDefined,
  normalisedRow,
  rowEntropy,
  rowMass,
  seedRatios,
  signalToNoise,
} from './metrics.js';
import type { LayerAttention, MapForm, TokenClass } from './types.js';
import { valueWeightedMaps } from './value-weighted.js';

/** Metrics computed per layer and head of every sample (see README for the formulas). */
export const HEAD_METRICS = [
  'seed_kmi',
  'seed_ni',
  'seed_oc',
  'seed_special',
  'mass_kmi',
  'mass_ni',
  'mass_oc',
  'special_mass',
  'sink_mass',
  'nosink_kmi',
  'nosink_ni',
  'nosink_oc',
  'lift_kmi',
  'lift_ni',
  'lift_oc',
  'snr',
  'entropy',
] as const;
/** DiffLlama only, per differential pair (H/2 of them). */
export const DIFFERENTIAL_METRICS = [
  'neg_fraction',
  'neg_share_ni',
  'neg_share_kmi',
  'cancellation_ni',
] as const;
/**
 * Value-weighted (value-weighted.ts) seed ratios and query-row masses, per layer and head; only
 * when the model exports value norms.
 */
export const VALUE_WEIGHTED_METRICS = [
  'vw_seed_kmi',
  'vw_seed_ni',
  'vw_seed_oc',
  'vw_mass_kmi',
  'vw_mass_ni',
  'vw_mass_oc',
] as const;
/** Noisy items only: needs the clean item's KMI shares. */
export const PAIRED_METRICS = ['distraction'] as const;

export type MetricName =
  | (typeof HEAD_METRICS)[number]
  | (typeof DIFFERENTIAL_METRICS)[number]
  | (typeof VALUE_WEIGHTED_METRICS)[number]
  | (typeof PAIRED_METRICS)[number];

/** A sample's values: metric -> [layer][head], null where undefined (e.g. NI lift without NI). */
export type SampleValues = Map<MetricName, (number | null)[][]>;

/** What a prompt brings to the reduction of its layers. */
export interface PromptReduction {
  /** One class per position (prompt and any generated tokens). */
  classes: readonly TokenClass[];
  /** Query rows whose values are averaged (e.g. [S - 1]). */
  rows: readonly number[];
  excludeSpecial: boolean;
  form: MapForm;
  /** Clean prompt: filled with each (layer, head)'s key shares, averaged over rows. */
  keepShares?: Map<string, Float64Array>;
  /** Noisy prompt: the clean prompt's shares and the aligned KMI pairs [clean, noisy]. */
  paired?: { shares: Map<string, Float64Array>; pairs: readonly (readonly [number, number])[] };
}

const put = (
  out: SampleValues,
  name: MetricName,
  layer: number,
  head: number,
  v: number | null,
) => {
  let grid = out.get(name);
  if (!grid) out.set(name, (grid = []));
  (grid[layer] ??= [])[head] = v;
};

/** Mean over query rows of each named value of `f(row, q)`. */
function overRows<K extends string>(
  rows: readonly number[],
  f: (q: number) => Record<K, number | null>,
): Record<K, number | null> {
  const each = rows.map(f);
  const out = {} as Record<K, number | null>;
  for (const k of Object.keys(each[0]!) as K[]) out[k] = meanDefined(each.map((e) => e[k]));
  return out;
}

/** Reduces one layer of one prompt into `out` (see PromptReduction). */
export function reduceLayer(layer: LayerAttention, p: PromptReduction, out: SampleValues): void {
  const { seq, layer: l } = layer;
  if (p.classes.length !== seq) {
    throw new RangeError(
      `layer ${l}: maps of ${seq} positions for ${p.classes.length} classified tokens`,
    );
  }
  const maps = differentialMaps(layer, p.form);
  const heads = formHeads(layer, p.form);
  const size = seq * seq;
  const opts = { excludeSpecial: p.excludeSpecial };
  const niBefore = prefixCount(p.classes, 'NI');
  for (let h = 0; h < heads; h++) {
    const map = maps.subarray(h * size, (h + 1) * size);
    const rowOf = (q: number) => map.subarray(q * seq, q * seq + q + 1);
    const seed = seedRatios(map, seq, p.classes, p.excludeSpecial);
    const v = overRows(p.rows, (q) => {
      const row = rowOf(q);
      const mass = rowMass(row, p.classes, opts);
      const noSink = rowMass(row, p.classes, { ...opts, dropSink: true });
      const lift = liftOverUniform(mass, q + 1, p.classes, opts);
      let special = 0;
      for (let j = 0; j <= q; j++) if (p.classes[j] === 'special') special += row[j]!;
      return {
        mass_kmi: mass.KMI,
        mass_ni: mass.NI,
        mass_oc: mass.OC,
        special_mass: special,
        sink_mass: row[0]!,
        nosink_kmi: noSink.KMI,
        nosink_ni: noSink.NI,
        nosink_oc: noSink.OC,
        lift_kmi: lift.KMI,
        lift_ni: lift.NI,
        lift_oc: lift.OC,
        snr: signalToNoise(mass, niBefore[q + 1]!),
        entropy: rowEntropy(row),
      };
    });
    put(out, 'seed_kmi', l, h, seed.KMI);
    put(out, 'seed_ni', l, h, seed.NI);
    put(out, 'seed_oc', l, h, seed.OC);
    put(out, 'seed_special', l, h, seed.special);
    for (const [k, x] of Object.entries(v)) put(out, k as MetricName, l, h, x);
    if (p.keepShares || p.paired) {
      const shares = new Float64Array(seq);
      for (const q of p.rows) {
        normalisedRow(rowOf(q), p.classes, opts).forEach(
          (s, j) => (shares[j] += s / p.rows.length),
        );
      }
      p.keepShares?.set(`${l}/${h}`, shares);
      const clean = p.paired?.shares.get(`${l}/${h}`);
      if (p.paired && clean)
        put(out, 'distraction', l, h, distractionEffect(clean, shares, p.paired.pairs));
    }
  }
  if (layer.lambdaFull !== null) reduceDifferential(layer, p, out);
  reduceValueWeighted(layer, p, out);
}

/** The seed ratios and row masses of the value-weighted maps, when the layer has value norms. */
function reduceValueWeighted(layer: LayerAttention, p: PromptReduction, out: SampleValues): void {
  const maps = valueWeightedMaps(layer, p.form);
  if (!maps) return;
  const { seq, layer: l } = layer;
  const size = seq * seq;
  const opts = { excludeSpecial: p.excludeSpecial };
  for (let h = 0; h < formHeads(layer, p.form); h++) {
    const map = maps.subarray(h * size, (h + 1) * size);
    const seed = seedRatios(map, seq, p.classes, p.excludeSpecial);
    const v = overRows(p.rows, (q) => {
      const row = map.subarray(q * seq, q * seq + q + 1);
      // rowMass renormalises only over counted keys; without excludeSpecial the norms are
      // turned into shares of the whole row here
      const total = p.excludeSpecial ? 1 : row.reduce((a, x) => a + x, 0);
      const mass = rowMass(total === 1 ? row : row.map((x) => x / total), p.classes, opts);
      return { vw_mass_kmi: mass.KMI, vw_mass_ni: mass.NI, vw_mass_oc: mass.OC };
    });
    put(out, 'vw_seed_kmi', l, h, seed.KMI);
    put(out, 'vw_seed_ni', l, h, seed.NI);
    put(out, 'vw_seed_oc', l, h, seed.OC);
    for (const [k, x] of Object.entries(v)) put(out, k as MetricName, l, h, x);
  }
}

/** Metric 8 on the raw pair maps A_i, A_{i+H/2} of a DiffLlama layer. */
function reduceDifferential(layer: LayerAttention, p: PromptReduction, out: SampleValues): void {
  const { seq, data, heads, layer: l } = layer;
  const half = heads / 2;
  const size = seq * seq;
  for (let i = 0; i < half; i++) {
    const v = overRows(p.rows, (q) => {
      const a1 = data.subarray(i * size + q * seq, i * size + q * seq + q + 1);
      const a2 = data.subarray((i + half) * size + q * seq, (i + half) * size + q * seq + q + 1);
      const s = differentialRowStats(a1, a2, layer.lambdaFull!, p.classes);
      return {
        neg_fraction: s.negFraction,
        neg_share_ni: s.negShareNi,
        neg_share_kmi: s.negShareKmi,
        cancellation_ni: s.cancellationNi,
      };
    });
    for (const [k, x] of Object.entries(v)) put(out, k as MetricName, l, i, x);
  }
}

/** counts[k] = how many of classes[0..k) are `c`. */
function prefixCount(classes: readonly TokenClass[], c: TokenClass): Int32Array {
  const out = new Int32Array(classes.length + 1);
  classes.forEach((x, j) => (out[j + 1] = out[j]! + (x === c ? 1 : 0)));
  return out;
}
