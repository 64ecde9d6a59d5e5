// @exp/report/charts: the parts buildReport is made of, for a report of one's own: Vega-Lite
// chart specs (data inline, one function per chart), rendering without a browser, the attention
// tables and the pages.
// --- chart specs (Vega-Lite, data inline; one function per chart) ---
export {
  VEGA_LITE_SCHEMA,
  PADDING,
  divergingScale,
  MODEL_PALETTE,
  modelColours,
  modelColourScale,
  isShareMetric,
  isRatioMetric,
  ratioDomain,
  RATIO_MIN_HALF_SPAN,
  type ModelColours,
  type Spec,
} from './charts/common.js';
export {
  modelComparisonSpec,
  degradationSpec,
  headlineExtractor,
  type ResultsChartOptions,
} from './charts/results.js';
export {
  attentionRatiosSpec,
  niLiftByLayerSpec,
  metricByLayerSpec,
  headMapSpec,
  metricScale,
  CONDITION_COLOURS,
  headGrids,
  perHeadMetrics,
  hasPerLayer,
  metricLabel,
  noisyOnly,
  formsPhrase,
} from './charts/attention.js';
export { sftLossSpec, type LossCurve } from './charts/sft.js';
export {
  heatmapSpec,
  heatmapWindow,
  displayToken,
  SIGNED_FORMS,
  CLASS_COLOURS,
  type HeatmapOptions,
} from './charts/heatmap.js';

// --- rendering: spec -> SVG -> PNG without a browser ---
export {
  renderSpecToSvg,
  renderSvgToPng,
  renderSvgToPngAsync,
  fontFiles,
  RENDER_FONT,
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
  attentionTables,
  attentionRatioRows,
  attentionMetricRows,
  ATTENTION_RATIO_COLUMNS,
  ATTENTION_METRIC_COLUMNS,
  toCsv,
  toJson,
  type AttentionRatioRow,
  type AttentionMetricRow,
} from './tables/attention.js';
export { reportMarkdown } from './report/markdown.js';
export {
  reportHtml,
  inlinesImages,
  inlinedBytes,
  INLINE_LIMIT,
  browserBundles,
  escapeHtml,
  type BrowserBundles,
  type HtmlOptions,
} from './report/html.js';
export {
  pivotTables,
  ratioTable,
  metricTable,
  HEADLINE_METRICS,
  type TextTable,
  type ReportContent,
  type ChartEntry,
  type MapEntry,
  type TableEntry,
  type PivotTable,
} from './report/content.js';
