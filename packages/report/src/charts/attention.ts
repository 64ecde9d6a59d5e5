// Charts of attention_analysis.json: the original's KMI/NI/OC ratios, a metric per layer, and a
// layer x head map of a metric. Values are plotted as the analysis wrote them.
import type { AttentionAnalysis } from '@exp/attention';
import {
  distinct,
  divergingScale,
  isRatioMetric,
  isShareMetric,
  maxAbs,
  modelColourChannel,
  PADDING,
  ratioDomain,
  type ModelColours,
  title,
  VEGA_LITE_SCHEMA,
  type Spec,
} from './common.js';

const CLASSES = [
  ['KMI', 'kmi'],
  ['NI', 'ni'],
  ['OC', 'oc'],
] as const;
const CONDITIONS = ['clean', 'noisy'] as const;
/** clean light grey, noisy dark grey: no model's colour (MODEL_PALETTE) is a grey this light/dark. */
export const CONDITION_COLOURS = ['#bdbdbd', '#525252'];

/** Facet headers: row labels upright and both a size up from vega's 10 px, to read at a glance. */
const ROW_HEADER = { labelAngle: 0, labelAlign: 'left', labelFontSize: 12, titleFontSize: 12 };
const COLUMN_HEADER = { labelFontSize: 12, titleFontSize: 12 };

/** The first tooltip fields of every attention chart: which model, noise type and prompts. */
const WHERE = [
  { field: 'model', type: 'nominal' },
  { field: 'dataset', type: 'nominal', title: 'noise type' },
  { field: 'condition', type: 'nominal' },
];

/** A facet row per noise type, in the analysis' order. */
function noiseTypeRow(analysis: AttentionAnalysis) {
  return {
    field: 'dataset',
    type: 'nominal',
    title: 'noise type',
    sort: Object.keys(analysis),
    header: ROW_HEADER,
  };
}

/** 'tiny-llama: softmax, tiny-diffllama: differential' — which map each model's numbers are on. */
export function formsPhrase(analysis: AttentionAnalysis): string {
  const forms = new Map<string, string>();
  for (const byModel of Object.values(analysis)) {
    for (const [model, a] of Object.entries(byModel)) {
      if (!forms.has(model)) forms.set(model, a.settings.form);
    }
  }
  return [...forms].map(([m, f]) => `${m}: ${f}`).join(', ');
}

function modelsOf(analysis: AttentionAnalysis): string[] {
  return distinct(Object.values(analysis).flatMap((byModel) => Object.keys(byModel)));
}

/** attention_ratios: share of attention on KMI / NI / OC tokens, clean vs noisy, ± 1 std. */
export function attentionRatiosSpec(analysis: AttentionAnalysis): Spec {
  const values: Record<string, unknown>[] = [];
  for (const [dataset, byModel] of Object.entries(analysis)) {
    for (const [model, a] of Object.entries(byModel)) {
      for (const condition of CONDITIONS) {
        const r = a[condition];
        for (const [cls, key] of CLASSES) {
          const mean = r[`${key}_mean`];
          const std = r[`${key}_std`];
          values.push({
            dataset,
            model,
            condition,
            class: cls,
            mean,
            std,
            low: mean - std,
            high: mean + std,
          });
        }
      }
    }
  }
  const models = modelsOf(analysis);
  const forms = formsPhrase(analysis);
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title('Attention ratios (KMI / NI / OC) by model and noise type, clean vs noisy', [
      'share of attention received by each token class; error bars: ± 1 std over samples',
      ...(forms ? [`maps: ${forms}`] : []),
    ]),
    data: { values },
    facet: {
      row: noiseTypeRow(analysis),
      column: {
        field: 'class',
        type: 'nominal',
        title: 'token class',
        sort: CLASSES.map(([c]) => c),
        header: COLUMN_HEADER,
      },
    },
    spec: {
      width: { step: 22, for: 'offset' },
      height: 150,
      encoding: {
        x: {
          field: 'model',
          type: 'nominal',
          sort: models,
          title: null,
          axis: { labelAngle: -30 },
        },
        xOffset: { field: 'condition', type: 'nominal', sort: [...CONDITIONS] },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: {
              field: 'mean',
              type: 'quantitative',
              title: 'attention share',
              scale: { domain: [0, 1] },
            },
            color: {
              field: 'condition',
              type: 'nominal',
              sort: [...CONDITIONS],
              title: 'condition',
              // greys: the palette's colours belong to models (one colour per model everywhere)
              scale: { range: CONDITION_COLOURS },
            },
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'dataset', type: 'nominal' },
              { field: 'condition', type: 'nominal' },
              { field: 'class', type: 'nominal' },
              { field: 'mean', type: 'quantitative', format: '.4f' },
              { field: 'std', type: 'quantitative', format: '.4f' },
            ],
          },
        },
        {
          mark: { type: 'rule', color: 'black' },
          encoding: {
            y: { field: 'low', type: 'quantitative', scale: { domain: [0, 1] } },
            y2: { field: 'high' },
          },
        },
      ],
    },
  } as Spec;
}

/** Chart names of @exp/attention's metrics (README "Metrics"); others show their own name. */
const METRIC_LABELS: Record<string, string> = {
  lift_ni: 'NI lift over uniform',
  lift_kmi: 'KMI lift over uniform',
  lift_oc: 'OC lift over uniform',
  mass_ni: 'attention mass on NI',
  mass_kmi: 'attention mass on KMI',
  seed_ni: 'NI ratio (original)',
  seed_kmi: 'KMI ratio (original)',
  snr: 'SNR ln(KMI / NI mass)',
  distraction: 'distraction (KMI share change)',
  entropy: 'normalised entropy',
  cancellation_ni: 'NI cancellation λ·A2 / A1',
  neg_fraction: 'negative fraction',
  neg_share_ni: 'negative mass share on NI',
};

export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric.replace(/_/g, ' ');
}

/**
 * Metrics on noise tokens ('..._ni', 'snr'): a clean prompt has none, so their clean values are
 * 0 or undefined by construction and only the noisy condition is drawn.
 */
export function noisyOnly(metric: string): boolean {
  return metric.endsWith('_ni') || metric === 'snr';
}

/** Whether any model of any dataset has `metric` per layer. */
export function hasPerLayer(analysis: AttentionAnalysis, metric: string): boolean {
  return Object.values(analysis).some((byModel) =>
    Object.values(byModel).some((a) => {
      const p = a.metrics[metric]?.per_layer;
      return Boolean(p?.clean?.length || p?.noisy?.length);
    }),
  );
}

/** A metric per layer (head average), a line per model (and condition), a panel per noise type. */
export function metricByLayerSpec(
  analysis: AttentionAnalysis,
  metric: string,
  colours?: ModelColours,
): Spec {
  const values: Record<string, unknown>[] = [];
  for (const [dataset, byModel] of Object.entries(analysis)) {
    for (const [model, a] of Object.entries(byModel)) {
      for (const condition of noisyOnly(metric) ? (['noisy'] as const) : CONDITIONS) {
        (a.metrics[metric]?.per_layer?.[condition] ?? []).forEach((value, layer) =>
          values.push({ dataset, model, condition, layer, value }),
        );
      }
    }
  }
  const conditions = distinct(values.map((v) => v.condition as string));
  const label = metricLabel(metric);
  const models = modelsOf(analysis);
  // anchored (metricScale): shares on [0, 1], ratios symmetric around 1 with a minimum span
  const anchored = metricScale(
    metric,
    values.map((v) => v.value as number),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title(`${label} by layer`, [
      `metrics.${metric}.per_layer (head average) per model and noise type`,
    ]),
    data: { values },
    facet: {
      column: {
        field: 'dataset',
        type: 'nominal',
        title: 'noise type',
        sort: Object.keys(analysis),
        header: COLUMN_HEADER,
      },
    },
    spec: {
      width: 240,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'layer', type: 'ordinal', title: 'layer', axis: { labelAngle: 0 } },
        y: {
          field: 'value',
          type: 'quantitative',
          title: label,
          scale: anchored ? { domain: anchored.domain } : { zero: false },
        },
        color: modelColourChannel(models, colours),
        ...(conditions.length > 1
          ? {
              strokeDash: {
                field: 'condition',
                type: 'nominal',
                sort: [...CONDITIONS],
                title: 'condition',
              },
            }
          : {}),
        tooltip: [
          ...WHERE,
          { field: 'layer', type: 'ordinal' },
          { field: 'value', type: 'quantitative', format: '.4f' },
        ],
      },
    },
  } as Spec;
}

/** ni_lift_by_layer: metrics.lift_ni per layer (NI's attention over its uniform share). */
export function niLiftByLayerSpec(analysis: AttentionAnalysis, colours?: ModelColours): Spec {
  return metricByLayerSpec(analysis, 'lift_ni', colours);
}

/**
 * The anchored domain of a metric's axis or colour scale, or null for a metric without a natural
 * range. Shares (isShareMetric) are drawn on [0, 1]; ratios whose neutral value is 1
 * (isRatioMetric: lifts, NI cancellation) on [1 − h, 1 + h], symmetric around 1 with h at least
 * 0.5 (RATIO_MIN_HALF_SPAN), so 0.99-1.01 stays near the neutral colour instead of spanning the
 * whole scale. A share outside [0, 1] widens its domain rather than be clipped.
 */
export function metricScale(
  metric: string,
  values: readonly number[],
): { kind: 'share' | 'ratio'; domain: [number, number] } | null {
  if (isShareMetric(metric)) {
    const finite = values.filter(Number.isFinite);
    return { kind: 'share', domain: [Math.min(0, ...finite), Math.max(1, ...finite)] };
  }
  if (isRatioMetric(metric)) return { kind: 'ratio', domain: ratioDomain(values) };
  return null;
}

/** A per-head grid of one model, dataset and condition. */
interface HeadGrid {
  dataset: string;
  model: string;
  condition: 'clean' | 'noisy';
  grid: number[][];
}

/** The per-head grids (metrics.<name>.per_head) of a metric, noisy only for noise metrics. */
export function headGrids(analysis: AttentionAnalysis, metric: string): HeadGrid[] {
  const out: HeadGrid[] = [];
  for (const [dataset, byModel] of Object.entries(analysis)) {
    for (const [model, a] of Object.entries(byModel)) {
      for (const condition of noisyOnly(metric) ? (['noisy'] as const) : CONDITIONS) {
        const grid = a.metrics[metric]?.per_head?.[condition];
        if (grid && grid.length > 0) out.push({ dataset, model, condition, grid });
      }
    }
  }
  return out;
}

/** Metrics that have a per-head grid somewhere, in order of first appearance. */
export function perHeadMetrics(analysis: AttentionAnalysis): string[] {
  const names: string[] = [];
  for (const byModel of Object.values(analysis)) {
    for (const a of Object.values(byModel)) {
      for (const [name, m] of Object.entries(a.metrics)) {
        if ((m.per_head?.clean?.length || m.per_head?.noisy?.length) && !names.includes(name))
          names.push(name);
      }
    }
  }
  return names;
}

/**
 * head_map_<metric>: layer (rows) x head (columns) of a metric, a panel per model and condition
 * (columns) and noise type (rows). Diverging colours centred at 0 when the grid has values of
 * both signs, sequential otherwise.
 */
export function headMapSpec(analysis: AttentionAnalysis, metric: string): Spec {
  const grids = headGrids(analysis, metric);
  const values: Record<string, unknown>[] = [];
  for (const g of grids) {
    g.grid.forEach((row, layer) =>
      row.forEach((value, head) =>
        values.push({
          dataset: g.dataset,
          panel: `${g.model} · ${g.condition}`,
          model: g.model,
          condition: g.condition,
          layer,
          head,
          value,
        }),
      ),
    );
  }
  const nums = values.map((v) => v.value as number);
  const signed = nums.some((v) => v < 0) && nums.some((v) => v > 0);
  const anchored = metricScale(metric, nums);
  const colour = anchored
    ? anchored.kind === 'share'
      ? { scale: { scheme: 'viridis', domain: anchored.domain }, phrase: 'colours on [0, 1]' }
      : {
          // diverging around the neutral 1: below 1 blue, above red
          scale: { scheme: 'redblue', reverse: true, domain: anchored.domain, domainMid: 1 },
          phrase: `diverging colours centred at 1, domain [${anchored.domain.map((x) => +x.toFixed(4)).join(', ')}]`,
        }
    : signed
      ? { scale: divergingScale(maxAbs(nums)), phrase: 'diverging colours centred at 0' }
      : { scale: { scheme: 'viridis' }, phrase: 'sequential colours' };
  const heads = Math.max(1, ...grids.map((g) => Math.max(0, ...g.grid.map((r) => r.length))));
  const layers = Math.max(1, ...grids.map((g) => g.grid.length));
  const cell = Math.max(10, Math.min(28, Math.floor(320 / Math.max(heads, layers))));
  const label = metricLabel(metric);
  const source = `metrics.${metric}.per_head`;
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title(`${label} per layer and head`, [`${source}; ${colour.phrase}`]),
    data: { values },
    facet: {
      row: noiseTypeRow(analysis),
      column: {
        field: 'panel',
        type: 'nominal',
        title: null,
        sort: distinct(grids.map((g) => `${g.model} · ${g.condition}`)),
        header: COLUMN_HEADER,
      },
    },
    // Each panel its own head axis: a DiffLlama grid has one column per differential head (half
    // of a Llama's heads), and a shared axis would leave half its panel blank.
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: { step: cell },
      height: { step: cell },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'head', type: 'ordinal', title: 'head', axis: { labelAngle: 0 } },
        y: { field: 'layer', type: 'ordinal', title: 'layer' },
        color: {
          field: 'value',
          type: 'quantitative',
          title: metric, // the short name: a legend title is cut at ~180 px
          scale: colour.scale,
        },
        tooltip: [
          ...WHERE,
          { field: 'layer', type: 'ordinal' },
          { field: 'head', type: 'ordinal' },
          { field: 'value', type: 'quantitative', format: '.4f' },
        ],
      },
    },
  } as Spec;
}
