export {
  buildResultsTable,
  modelLabel,
  type ResultRow,
  type ResultsTableOptions,
} from './table.js';
export { writeResults, resultsToCsv, resultsToArrowTable, RESULT_COLUMNS } from './write.js';
export { formatPivot, formatP } from './pivot.js';
