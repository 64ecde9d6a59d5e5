// @exp/report's main entry: the report of a run folder. The charts, their rendering, tables and
// pages, for a report of one's own, are the `@exp/report/charts` subpath (src/charts.ts).
export const VERSION = '0.1.0';

// --- the whole report from a run folder ---
export {
  buildReport,
  HEAD_MAP_METRICS,
  type BuildReportOptions,
  type BuildReportResult,
} from './build-report.js';
