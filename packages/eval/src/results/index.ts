export {
  buildResultsTable,
  ciLabels,
  ciMethods,
  modelLabel,
  type CiLabels,
  type CiMethods,
  type ResultRow,
  type ResultsTableOptions,
} from './table.js';
export { ResultRowSchema } from './row.js';
export { comparisonPair } from './pair.js';
export {
  writeResults,
  resultFiles,
  resultsToCsv,
  resultsToArrowTable,
  csvText,
  RESULT_COLUMNS,
  type ResultFiles,
} from './write.js';
export { formatPivot, formatP } from './pivot.js';
export {
  buildDoseResponseTable,
  doseResponseCsv,
  DoseResponseRowSchema,
  DoseResponseTableSchema,
  type DoseResponseTable,
  type DoseResponseOptions,
  type DoseResponseRow,
  type SweepCell,
} from './dose-response.js';
