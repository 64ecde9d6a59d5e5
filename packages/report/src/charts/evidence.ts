// Charts of the section "Does differential attention help?": the likelihood noise effect per
// model and set beside the pair's difference with its CI, the share of the noise effect that
// knocking the noise out recovers (every layer, then per first knocked layer), and Pass@1 against
// the number of noise sentences of a sweep.
import type { DoseResponseRow, KnockoutRow, LikelihoodSummary, ResultRow } from '@exp/eval';
import { sweepCell } from '@exp/run';
import {
  distinct,
  labelledByEvalType,
  modelColourChannel,
  modelColourScale,
  PADDING,
  title,
  VEGA_LITE_SCHEMA,
  type ModelColours,
  type Spec,
} from './common.js';

/** The rule of an interval [lo, hi], drawn only where both ends exist. */
const intervalRule = {
  transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
  mark: { type: 'rule', color: 'black', strokeWidth: 1.5 },
  encoding: {
    y: { field: 'lo', type: 'quantitative' },
    y2: { field: 'hi' },
  },
} as const;

/** Bars of `value` per dataset and series, one panel per `panel` value, CIs as rules. */
function panelBars(args: {
  values: Record<string, unknown>[];
  panels: string[];
  datasets: string[];
  series: string[];
  colours?: ModelColours;
  yTitle: string;
  format: string;
}) {
  const color = {
    field: 'series',
    type: 'nominal',
    sort: args.series,
    title: null,
    scale: modelColourScale(args.series, args.colours),
  } as const;
  return {
    data: { values: args.values },
    facet: { column: { field: 'panel', type: 'nominal', sort: args.panels, title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: { step: 24, for: 'offset' },
      height: 220,
      encoding: {
        x: {
          field: 'dataset',
          type: 'nominal',
          sort: args.datasets,
          title: 'noisy set',
          axis: { labelAngle: 0 },
        },
        xOffset: { field: 'series', type: 'nominal', sort: args.series },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: {
              field: 'value',
              type: 'quantitative',
              title: args.yTitle,
              axis: { format: args.format },
            },
            color,
            tooltip: [
              { field: 'series', type: 'nominal', title: 'model' },
              { field: 'dataset', type: 'nominal' },
              { field: 'panel', type: 'nominal', title: 'measure' },
              { field: 'value', type: 'quantitative', format: '.4f' },
              { field: 'lo', type: 'quantitative', format: '.4f', title: 'CI low' },
              { field: 'hi', type: 'quantitative', format: '.4f', title: 'CI high' },
            ],
          },
        },
        // a bar of 0 has no height: a tick shows it
        {
          mark: { type: 'tick', orient: 'horizontal', thickness: 2 },
          encoding: { y: { field: 'value', type: 'quantitative' }, color },
        },
        intervalRule,
      ],
    },
  };
}

/**
 * likelihood_effect: each model's mean noise effect (noisy − clean) of each measure on each noisy
 * set, and the pair's difference of effects with its paired bootstrap CI.
 */
export function likelihoodEffectSpec(
  summary: LikelihoodSummary,
  measures: readonly string[],
  colours?: ModelColours,
): Spec {
  const rows = summary.rows.filter((r) => measures.includes(r.measure) && r.effect !== null);
  const pairs = summary.pairs.filter((r) => measures.includes(r.measure) && r.diff !== null);
  const diffLabel = (a: string, b: string) => `${a} − ${b}`;
  const values = [
    ...rows.map((r) => ({
      panel: r.measure,
      dataset: r.dataset,
      series: r.model,
      value: r.effect,
      lo: null,
      hi: null,
    })),
    ...pairs.map((r) => ({
      panel: r.measure,
      dataset: r.dataset,
      series: diffLabel(r.a, r.b),
      value: r.diff,
      lo: r.lo,
      hi: r.hi,
    })),
  ];
  const series = distinct(values.map((v) => v.series));
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title('Likelihood of the gold solution: noise effect per model and set', [
      'mean of noisy − clean per item; the difference of the two models with its paired bootstrap 95% CI',
    ]),
    ...panelBars({
      values,
      panels: measures.filter((m) => values.some((v) => v.panel === m)),
      datasets: distinct(values.map((v) => v.dataset)),
      series,
      colours,
      yTitle: 'noise effect',
      format: '.2f',
    }),
  } as Spec;
}

/** knockout_recovery: the share of the noise effect recovered with knockout in every layer. */
export function knockoutRecoverySpec(rows: readonly KnockoutRow[], colours?: ModelColours): Spec {
  const mine = rows.filter((r) => r.from_layer === 0 && r.recovered !== null);
  const values = mine.map((r) => ({
    panel: r.measure,
    dataset: r.dataset,
    series: r.model,
    value: r.recovered,
    lo: r.lo,
    hi: r.hi,
  }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title('Attention knockout: share of the noise effect recovered', [
      '(knockout − noisy) / (clean − noisy), noise spans knocked out in every layer; paired bootstrap 95% CI',
    ]),
    ...panelBars({
      values,
      panels: distinct(values.map((v) => v.panel)),
      datasets: distinct(values.map((v) => v.dataset)),
      series: distinct(values.map((v) => v.series)),
      colours,
      yTitle: 'share recovered',
      format: '.0%',
    }),
  } as Spec;
}

/** Whether a knockout table has a per-layer curve (more than one first knocked layer). */
export function hasKnockoutLayers(rows: readonly KnockoutRow[]): boolean {
  return new Set(rows.map((r) => r.from_layer)).size > 1;
}

/** knockout_layers: the share recovered against the first knocked layer, per set and measure. */
export function knockoutLayersSpec(rows: readonly KnockoutRow[], colours?: ModelColours): Spec {
  const values = rows
    .filter((r) => r.recovered !== null)
    .map((r) => ({
      panel: `${r.dataset} · ${r.measure}`,
      model: r.model,
      from_layer: r.from_layer,
      recovered: r.recovered,
      lo: r.lo,
      hi: r.hi,
    }));
  const models = distinct(values.map((v) => v.model));
  const color = modelColourChannel(models, colours);
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title('Attention knockout by layer', [
      'share of the noise effect recovered with the noise knocked out from layer L on; 95% CI band',
    ]),
    data: { values },
    facet: {
      field: 'panel',
      type: 'nominal',
      sort: distinct(values.map((v) => v.panel)),
      title: null,
    },
    columns: 3,
    spec: {
      width: 240,
      height: 180,
      encoding: {
        x: {
          field: 'from_layer',
          type: 'quantitative',
          title: 'first knocked layer L',
          axis: { tickMinStep: 1, format: 'd' },
        },
      },
      layer: [
        {
          transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
          mark: { type: 'area', opacity: 0.2 },
          encoding: {
            y: { field: 'lo', type: 'quantitative' },
            y2: { field: 'hi' },
            color,
          },
        },
        {
          mark: { type: 'line', point: true },
          encoding: {
            y: {
              field: 'recovered',
              type: 'quantitative',
              title: 'share recovered',
              axis: { format: '.0%' },
            },
            color,
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'panel', type: 'nominal', title: 'set · measure' },
              { field: 'from_layer', type: 'quantitative' },
              { field: 'recovered', type: 'quantitative', format: '.3f' },
              { field: 'lo', type: 'quantitative', format: '.3f', title: 'CI low' },
              { field: 'hi', type: 'quantitative', format: '.3f', title: 'CI high' },
            ],
          },
        },
      ],
    },
  } as Spec;
}

/**
 * dose_response: Pass@1 (extractor `extractor`) against the noise sentences added, 0 being the
 * baseline, per noise type and position of the sweep, with each cell's CI; the slopes with their
 * cluster-bootstrap CIs are in the section's table (dose_response.json).
 */
export function doseResponseSpec(
  results: readonly ResultRow[],
  dose: readonly DoseResponseRow[],
  opts: { extractor: string; baseline: string; ciLabel: string; colours?: ModelColours },
): Spec {
  const groups = distinct(
    dose.filter((r) => r.extractor === opts.extractor).map((r) => `${r.type}, ${r.position}`),
  );
  const mine = labelledByEvalType(results.filter((r) => r.extractor === opts.extractor));
  const values = mine.flatMap((r) => {
    const point = { model: r.model, accuracy: r.accuracy, lo: r.ci_low, hi: r.ci_high };
    if (r.dataset === opts.baseline) {
      return groups.map((panel) => ({ ...point, panel, sentences: 0, dataset: r.dataset }));
    }
    const cell = sweepCell(r.dataset);
    const panel = cell && `${cell.type}, ${cell.position}`;
    if (!cell || !panel || !groups.includes(panel)) return [];
    return [{ ...point, panel, sentences: cell.sentences, dataset: r.dataset }];
  });
  const models = distinct(values.map((v) => v.model));
  const color = modelColourChannel(models, opts.colours);
  // models side by side around each dose (0.08 apart), so equal values do not hide each other
  const dodged = values.map((v) => ({
    ...v,
    x: v.sentences + (models.indexOf(v.model) - (models.length - 1) / 2) * 0.08,
  }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title('Dose-response: Pass@1 by noise sentences added', [
      `extractor: ${opts.extractor}; 0 = ${opts.baseline}; error bars: ${opts.ciLabel}`,
    ]),
    data: { values: dodged },
    facet: { column: { field: 'panel', type: 'nominal', sort: groups, title: null } },
    spec: {
      width: 220,
      height: 220,
      encoding: {
        x: {
          field: 'x',
          type: 'quantitative',
          title: 'noise sentences',
          axis: { tickMinStep: 1, format: 'd' },
        },
        color,
      },
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            y: {
              field: 'accuracy',
              type: 'quantitative',
              title: 'Pass@1',
              axis: { format: '.0%' },
            },
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'dataset', type: 'nominal' },
              { field: 'sentences', type: 'quantitative' },
              { field: 'accuracy', type: 'quantitative', format: '.1%' },
              { field: 'lo', type: 'quantitative', format: '.1%', title: 'CI low' },
              { field: 'hi', type: 'quantitative', format: '.1%', title: 'CI high' },
            ],
          },
        },
        {
          mark: { type: 'rule' },
          encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
        },
      ],
    },
  } as Spec;
}
