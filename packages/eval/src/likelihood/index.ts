export { LikelihoodRecordSchema, type LikelihoodRecord, type FormatScore } from './record.js';
export { noiseOnlyNumbers } from './numbers.js';
export {
  scoreTexts,
  tokenSpans,
  hasWorkedSolution,
  DEFAULT_BATCH_TOKENS,
  type ScoreText,
  type ScoreOptions,
} from './score.js';
export {
  runLikelihood,
  readLikelihoodLogs,
  likelihoodLogPath,
  type LikelihoodDataset,
  type RunLikelihoodOptions,
} from './run.js';
export {
  summarizeLikelihood,
  signFlipP,
  LIKELIHOOD_MEASURES,
  DEFAULT_PERMUTATIONS,
  type LikelihoodSummaryOptions,
} from './summary.js';
export {
  LikelihoodRowSchema,
  LikelihoodPairRowSchema,
  LikelihoodSummarySchema,
  KnockoutRowSchema,
  KnockoutTableSchema,
  type LikelihoodRow,
  type LikelihoodPairRow,
  type LikelihoodSummary,
  type KnockoutRow,
  type KnockoutTable,
  tableCsv,
  tableJson,
} from './tables.js';
export {
  summarizeKnockout,
  knockoutPassRows,
  recoveredShare,
  recoveredWithInterval,
  type KnockoutRecords,
  type KnockoutSummaryOptions,
  type KnockoutPassOptions,
  type Triples,
} from './knockout.js';
