export const VERSION = '0.1.0';

// --- evaluation runs: models x datasets under a task, resumable sample logs, results table ---
export {
  DEFAULT_BATCH_SIZE,
  runEvaluation,
  sampleLogPath,
  sampleLogFolders,
  type EvalModel,
  type EvalDataset,
  type EvalProgress,
  type RunEvaluationOptions,
  type EvaluationResult,
} from './run/run-evaluation.js';

// --- answer extraction ---
export { ExtractorError, type Extractor } from './extract/extractor.js';
export { registerExtractor, getExtractor, listExtractors } from './extract/registry.js';

// --- statistics ---
export { CI_METHODS, type CiMethod } from './stats/intervals.js';
export {
  mcnemarMde,
  twoProportionMde,
  pairedMeanMde,
  pairedDifferencesMde,
  type PowerOptions,
} from './stats/power.js';
export { holmAdjust } from './stats/holm.js';
export { percentileBootstraps } from './stats/bootstrap.js';
export {
  VERDICTS,
  verdict,
  type Verdict,
  type VerdictInput,
  type VerdictOptions,
} from './stats/verdict.js';
export {
  clusterPlan,
  clusterBootstrap,
  doseResponse,
  type ClusterBootstrapOptions,
  type ClusterStatistics,
  type ClusterEstimate,
  type DoseObservation,
  type DoseEstimates,
} from './stats/cluster-bootstrap.js';

// --- tasks: prompts, generation settings, stop strings, extractors as data ---
export { TaskSchema, FEWSHOT_SAMPLERS, type FewshotSampler, type Task } from './task/schema.js';
export {
  registerPromptTemplate,
  hasPromptTemplate,
  listPromptTemplates,
  type PromptTemplate,
} from './task/templates.js';
export {
  builtinTask,
  resolveTask,
  withPrompt,
  withFewshot,
  PROTOCOLS,
  type FewshotOverrides,
  type Protocol,
} from './task/builtin.js';
export { loadTaskFile } from './task/load.js';
export { renderPrompts } from './task/prompt.js';
export { TaskError } from './task/errors.js';

// --- sample logs and results tables ---
export { SampleRecordSchema, readSampleLog, type SampleRecord } from './samples/index.js';
export {
  buildResultsTable,
  comparisonPair,
  ciLabels,
  ciMethods,
  modelLabel,
  writeResults,
  resultFiles,
  csvText,
  type ResultFiles,
  RESULT_COLUMNS,
  ResultRowSchema,
  formatPivot,
  formatP,
  type CiLabels,
  type CiMethods,
  type ResultRow,
  type ResultsTableOptions,
  buildDoseResponseTable,
  doseResponseCsv,
  DoseResponseRowSchema,
  DoseResponseTableSchema,
  type DoseResponseTable,
  type DoseResponseOptions,
  type DoseResponseRow,
  type SweepCell,
} from './results/index.js';

// --- likelihood of the gold solution: teacher-forced scores, distractor pull, paired summary ---
export {
  LikelihoodRecordSchema,
  readLikelihoodLogs,
  runLikelihood,
  likelihoodLogPath,
  noiseOnlyNumbers,
  summarizeLikelihood,
  signFlipP,
  DEFAULT_PERMUTATIONS,
  LIKELIHOOD_MEASURES,
  type LikelihoodRecord,
  type LikelihoodDataset,
  type RunLikelihoodOptions,
  type LikelihoodRow,
  type LikelihoodPairRow,
  type LikelihoodSummary,
  LikelihoodSummarySchema,
  KnockoutTableSchema,
  LikelihoodRowSchema,
  LikelihoodPairRowSchema,
  KnockoutRowSchema,
  type KnockoutRow,
  type KnockoutTable,
  tableCsv,
  tableJson,
  summarizeKnockout,
  knockoutPassRows,
  hasWorkedSolution,
  recoveredWithInterval,
  type KnockoutRecords,
} from './likelihood/index.js';
