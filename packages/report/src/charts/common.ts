// What every chart spec shares. Specs are plain data: they carry their values inline (so a spec
// embedded in report.html draws alone) and know nothing about files, fonts or renderers.
import { modelLabel, type ResultRow } from '@exp/eval';
import type { TopLevelSpec } from 'vega-lite';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** padding 10: without it a legend label touched the image edge. */
export const PADDING = 10;

export type Spec = TopLevelSpec;

export function title(text: string, subtitle?: string | string[]) {
  return subtitle === undefined ? { text } : { text, subtitle };
}

/** Distinct values in order of first appearance (the order the run folder lists them in). */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** 'n = 4 per cell' or 'n = 3 to 4 per cell'. */
export function countPhrase(totals: readonly number[]): string {
  if (totals.length === 0) return 'no samples';
  const lo = Math.min(...totals);
  const hi = Math.max(...totals);
  return lo === hi ? `n = ${lo} per cell` : `n = ${lo} to ${hi} per cell`;
}

/**
 * A colour scale for signed values: diverging, centred at 0, with a domain symmetric around it
 * so equal magnitudes get equal intensity on both sides. `maxAbs` 0 (all zeros) gets [-1, 1].
 */
export function divergingScale(maxAbs: number) {
  const m = maxAbs > 0 ? maxAbs : 1;
  // redblue runs red -> blue; reversed, positive weights are red and negative ones blue.
  return { scheme: 'redblue', reverse: true, domain: [-m, m], domainMid: 0 };
}

export function maxAbs(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Rows with the model named as tables show it ('tiny-llama (post_sft)' beside 'tiny-llama'), so a
 * run's zero-shot and post-SFT rows of one model are two series, never one mixed cell.
 */
export function labelledByEvalType(rows: readonly ResultRow[]): ResultRow[] {
  return rows.map((r) => ({
    ...r,
    model: modelLabel(r),
    diff_vs: r.diff_vs === null ? null : modelLabel({ model: r.diff_vs, eval_type: r.eval_type }),
  }));
}

// --- one colour per model in every chart ---

/**
 * Vega's tableau20 in its pairs (dark, light): model i of the run gets pair i, its dark colour for
 * the model and its light one for the same model after fine-tuning ('<model> (post_sft)'), so
 * the two read as one model. Beyond 10 models the pairs repeat.
 */
export const MODEL_PALETTE: readonly (readonly [string, string])[] = [
  ['#4c78a8', '#9ecae9'],
  ['#f58518', '#ffbf79'],
  ['#54a24b', '#88d27a'],
  ['#b79a20', '#f2cf5b'],
  ['#439894', '#83bcb6'],
  ['#e45756', '#ff9d98'],
  ['#79706e', '#bab0ac'],
  ['#d67195', '#fcbfd2'],
  ['#b279a2', '#d6a5c9'],
  ['#9e765f', '#d8b5a5'],
];

/** model (or model label) -> colour, fixed for a run: every chart of a report takes it. */
export type ModelColours = Readonly<Record<string, string>>;

/**
 * The colours of a run's models, in the run's order: each model and its '<model> (<eval type>)'
 * labels (light shade) for the evaluation types given.
 */
export function modelColours(
  models: readonly string[],
  evalTypes: readonly string[] = [],
): ModelColours {
  const out: Record<string, string> = {};
  models.forEach((m, i) => {
    const [dark, light] = MODEL_PALETTE[i % MODEL_PALETTE.length];
    out[m] = dark;
    for (const t of evalTypes) if (t !== 'zero_shot') out[`${m} (${t})`] = light;
  });
  return out;
}

/**
 * A colour scale for the `model` field: the fixed colours of the models shown (unknown names get
 * the next free pairs, so a chart drawn alone still has distinct colours).
 */
export function modelColourScale(shown: readonly string[], colours: ModelColours = {}) {
  const fallback = modelColours(shown.filter((m) => !(m in colours)));
  const used = new Set(Object.values(colours));
  const spare = MODEL_PALETTE.map(([d]) => d).filter((c) => !used.has(c));
  let k = 0;
  const range = shown.map((m) => colours[m] ?? spare[k++] ?? fallback[m]);
  return { domain: [...shown], range };
}

/** The `color` channel of a chart whose series are models: their fixed colours, in run order. */
export function modelColourChannel(models: readonly string[], colours: ModelColours = {}) {
  return {
    field: 'model',
    type: 'nominal',
    sort: models,
    title: 'model',
    scale: modelColourScale(models, colours),
  } as const;
}

// --- colour and axis domains of attention metrics ---

/** Metrics that are shares of attention (or normalised to [0, 1]): drawn on [0, 1]. */
export function isShareMetric(metric: string): boolean {
  return (
    /^(seed|mass|neg_share)_/.test(metric) ||
    ['entropy', 'neg_fraction', 'special_mass', 'sink_mass'].includes(metric)
  );
}

/** Metrics whose neutral value is 1 (lift over uniform, NI cancellation ratio). */
export function isRatioMetric(metric: string): boolean {
  return metric.startsWith('lift_') || metric === 'cancellation_ni';
}

/**
 * The smallest half-span of a ratio's domain around 1: [0.5, 1.5] at least. A lift of 0.99-1.01
 * is noise; stretched over the whole colour range it would look like structure.
 */
export const RATIO_MIN_HALF_SPAN = 0.5;

/** [1 − h, 1 + h], h = max(RATIO_MIN_HALF_SPAN, largest |value − 1|): symmetric around 1. */
export function ratioDomain(values: Iterable<number>): [number, number] {
  let h = RATIO_MIN_HALF_SPAN;
  for (const v of values) if (Number.isFinite(v)) h = Math.max(h, Math.abs(v - 1));
  return [1 - h, 1 + h];
}
