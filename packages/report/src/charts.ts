// @exp/report/charts: the parts buildReport is made of, for a report of one's own: Vega-Lite
// chart specs (data inline, one function per chart), rendering without a browser, the attention
// tables and the pages.
// --- chart specs (Vega-Lite, data inline; one function per chart) ---
export {
  modelColours,
  RATIO_MIN_HALF_SPAN,
  type ModelColours,
  type Spec,
} from './charts/common.js';
export {
  modelComparisonSpec,
  degradationSpec,
  type ResultsChartOptions,
} from './charts/results.js';
export {
  attentionRatiosSpec,
  niLiftByLayerSpec,
  headMapSpec,
  metricScale,
} from './charts/attention.js';
export { sftLossSpec, type LossCurve } from './charts/sft.js';
export {
  likelihoodEffectSpec,
  knockoutRecoverySpec,
  knockoutLayersSpec,
  doseResponseSpec,
} from './charts/evidence.js';
export { heatmapSpec, heatmapWindow, type HeatmapOptions } from './charts/heatmap.js';

// --- rendering: spec -> SVG -> PNG without a browser ---
export {
  renderSpecToSvg,
  renderSvgToPng,
  renderSvgToPngAsync,
  type PngOptions,
} from './render/render.js';
export {
  renderJobs,
  type RenderJob,
  type RenderResult,
  type RenderJobsOptions,
} from './render/pool.js';

// --- tables and pages ---
export {
  attentionRatioRows,
  attentionMetricRows,
  type AttentionRatioRow,
  type AttentionMetricRow,
} from './tables/attention.js';
export { reportMarkdown } from './report/markdown.js';
export { reportHtml, INLINE_LIMIT, type BrowserBundles, type HtmlOptions } from './report/html.js';
export {
  pivotTables,
  HEADLINE_METRICS,
  type ReportContent,
  type ChartEntry,
  type MapEntry,
  type TableEntry,
  type PivotTable,
} from './report/content.js';
