// Charts of the results table: Pass@1 per dataset and model, and the relative degradation of each
// noisy set against the baseline, both with their 95% bootstrap intervals as error bars.
import { BASELINE_DATASET } from '@exp/data';
import { ciLabels, ciMethods, type CiLabels, type ResultRow } from '@exp/eval';
import {
  countPhrase,
  distinct,
  labelledByEvalType,
  modelColourChannel,
  PADDING,
  type ModelColours,
  title,
  VEGA_LITE_SCHEMA,
  type Spec,
} from './common.js';

/** The extractor a report charts: 'strict' (the headline one) when the run has it, else the first. */
export function headlineExtractor(rows: readonly ResultRow[]): string | undefined {
  const extractors = distinct(rows.map((r) => r.extractor));
  return extractors.includes('strict') ? 'strict' : extractors[0];
}

export interface ResultsChartOptions {
  /** Which extractor's rows to plot; default headlineExtractor(rows). */
  extractor?: string;
  /** How the rows' intervals were computed (RunData.ciLabels); default @exp/eval's defaults. */
  labels?: CiLabels;
  /** The run's fixed model colours (modelColours); default: palette order of the models shown. */
  colours?: ModelColours;
}

const labelsOf = (opts: ResultsChartOptions): CiLabels => opts.labels ?? ciLabels(ciMethods());

function pick(
  rows: readonly ResultRow[],
  opts: ResultsChartOptions,
): { extractor: string; rows: ResultRow[] } {
  const extractor = opts.extractor ?? headlineExtractor(rows) ?? '';
  return { extractor, rows: labelledByEvalType(rows.filter((r) => r.extractor === extractor)) };
}

/**
 * The y domain: the bars and intervals, 0, and at least 5%, so an all-zero chart (a tiny model's
 * quick run) still has an axis. Explicit numbers rather than `unionWith`, which vega-lite drops
 * or warns about when it merges the bar and rule layers' scales.
 */
function yDomain(values: Record<string, unknown>[], fields: string[]): [number, number] {
  const nums = values
    .flatMap((v) => fields.map((f) => v[f]))
    .filter((x): x is number => typeof x === 'number');
  return [Math.min(0, ...nums), Math.max(0.05, ...nums)];
}

/** Bars of `field` per dataset (x) and model (offset and colour) with a CI rule per bar. */
function barsWithIntervals(args: {
  values: Record<string, unknown>[];
  datasets: string[];
  models: string[];
  field: string;
  low: string;
  high: string;
  yTitle: string;
  xTitle: string;
  colours?: ModelColours;
}) {
  const yScale = { domain: yDomain(args.values, [args.field, args.low, args.high]), nice: true };
  const x = {
    field: 'dataset',
    type: 'nominal',
    sort: args.datasets,
    title: args.xTitle,
    axis: { labelAngle: 0 },
  };
  const xOffset = { field: 'model', type: 'nominal', sort: args.models };
  const color = modelColourChannel(args.models, args.colours);
  return {
    data: { values: args.values },
    // 30 px per bar (the offset band), so the width grows with models x datasets.
    width: { step: 30, for: 'offset' },
    height: 260,
    encoding: { x, xOffset },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: {
            field: args.field,
            type: 'quantitative',
            title: args.yTitle,
            axis: { format: '.0%' },
            scale: yScale,
          },
          color,
          tooltip: [
            { field: 'model', type: 'nominal' },
            { field: 'dataset', type: 'nominal' },
            { field: args.field, type: 'quantitative', format: '.1%' },
            { field: args.low, type: 'quantitative', format: '.1%', title: 'CI low' },
            { field: args.high, type: 'quantitative', format: '.1%', title: 'CI high' },
          ],
        },
      },
      // A tick at each value: a bar of 0 has no height, and without it an all-zero chart is an
      // empty frame; the tick draws it as a line at 0 in the model's colour.
      {
        mark: { type: 'tick', orient: 'horizontal', thickness: 2, opacity: 1 },
        encoding: {
          y: { field: args.field, type: 'quantitative', scale: yScale },
          color,
        },
      },
      {
        mark: { type: 'rule', color: 'black', strokeWidth: 1.5 },
        encoding: {
          y: { field: args.low, type: 'quantitative', scale: yScale },
          y2: { field: args.high },
        },
      },
    ],
  };
}

/** model_comparison: Pass@1 by dataset and model, with the CI of each cell. */
export function modelComparisonSpec(
  rows: readonly ResultRow[],
  opts: ResultsChartOptions = {},
): Spec {
  const { extractor, rows: mine } = pick(rows, opts);
  const values = mine.map((r) => ({
    model: r.model,
    dataset: r.dataset,
    accuracy: r.accuracy,
    ci_low: r.ci_low,
    ci_high: r.ci_high,
    correct: r.correct,
    total: r.total,
  }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title('Pass@1 by dataset and model', [
      `extractor: ${extractor}; error bars: ${labelsOf(opts).ci}; ${countPhrase(mine.map((r) => r.total))}`,
    ]),
    ...barsWithIntervals({
      values,
      datasets: distinct(mine.map((r) => r.dataset)),
      models: distinct(mine.map((r) => r.model)),
      field: 'accuracy',
      low: 'ci_low',
      high: 'ci_high',
      yTitle: 'Pass@1',
      xTitle: 'dataset',
      colours: opts.colours,
    }),
  } as Spec;
}

/** degradation: (baseline − noisy) / baseline per noise type and model, with its paired CI. */
export function degradationSpec(
  rows: readonly ResultRow[],
  opts: ResultsChartOptions & { baseline?: string } = {},
): Spec {
  const { extractor, rows: mine } = pick(rows, opts);
  const withValue = mine.filter(
    (r) =>
      r.degradation !== null && r.degradation_ci_low !== null && r.degradation_ci_high !== null,
  );
  const values = withValue.map((r) => ({
    model: r.model,
    dataset: r.dataset,
    degradation: r.degradation,
    degradation_ci_low: r.degradation_ci_low,
    degradation_ci_high: r.degradation_ci_high,
  }));
  const baseline = opts.baseline ?? BASELINE_DATASET;
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title(`Relative degradation vs ${baseline} by noise type and model`, [
      `(${baseline} − noisy) / ${baseline}; extractor: ${extractor}; error bars: ${labelsOf(opts).degradation_ci}`,
    ]),
    ...barsWithIntervals({
      values,
      datasets: distinct(withValue.map((r) => r.dataset)),
      models: distinct(withValue.map((r) => r.model)),
      field: 'degradation',
      low: 'degradation_ci_low',
      high: 'degradation_ci_high',
      yTitle: 'relative degradation',
      xTitle: 'noise type',
      colours: opts.colours,
    }),
  } as Spec;
}
