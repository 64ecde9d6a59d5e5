export const VERSION = '0.1.0';

// --- evaluation runs: models x datasets under a task, resumable sample logs, results table ---
export {
  DEFAULT_BATCH_SIZE,
  runEvaluation,
  sampleLogPath,
  sampleLogFolders,
  ZERO_SHOT,
  type EvalModel,
  type EvalDataset,
  type EvalProgress,
  type RunEvaluationOptions,
  type EvaluationResult,
} from './run/run-evaluation.js';

// --- answer extraction ---
export { ExtractorError, goldFinalText, type Extractor } from './extract/extractor.js';
export {
  registerExtractor,
  unregisterExtractor,
  getExtractor,
  listExtractors,
} from './extract/registry.js';
export { seedExtractor, seedAnswer } from './extract/seed.js';
export { strictExtractor, strictAnswer } from './extract/strict.js';
export {
  lmEvalStrictExtractor,
  lmEvalFlexibleExtractor,
  lmEvalNormalize,
  lmEvalStrictMatch,
  lmEvalFlexibleExtract,
  LM_EVAL_INVALID,
} from './extract/lm-eval.js';
export { cutCompletion, END_TOKENS } from './extract/cut.js';
export { formatRational, parseDecimal, rationalEquals, type Rational } from './extract/rational.js';

// --- statistics ---
export { passAt1 } from './stats/pass-at-1.js';
export {
  wilsonInterval,
  clopperPearsonInterval,
  CI_METHODS,
  DEFAULT_CI_METHOD,
  DEFAULT_LEVEL,
  type CiMethod,
  type Interval,
} from './stats/intervals.js';
export { type BootstrapOptions } from './stats/bootstrap.js';
export { mcnemarExact } from './stats/mcnemar.js';
export { pairedDifference, newcombePairedInterval, type PairedTable } from './stats/paired.js';
export { relativeDegradation, alignById, type Degradation } from './stats/degradation.js';

// --- tasks: prompts, generation settings, stop strings, extractors as data ---
export {
  TaskSchema,
  PromptSchema,
  GenerationSchema,
  FEWSHOT_SAMPLERS,
  type FewshotSampler,
  type Task,
  type TaskInput,
} from './task/schema.js';
export {
  registerPromptTemplate,
  unregisterPromptTemplate,
  getPromptTemplate,
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
export { renderPrompts, fewshotDraw } from './task/prompt.js';
export { drawShots, drawLmEvalShots, LM_EVAL_FEWSHOT_SEED } from './task/fewshot.js';
export { TaskError } from './task/errors.js';

// --- sample logs and results tables ---
export {
  SampleRecordSchema,
  SampleLog,
  readSampleLog,
  type SampleRecord,
} from './samples/index.js';
export {
  buildResultsTable,
  comparisonPair,
  ciLabels,
  ciMethods,
  modelLabel,
  writeResults,
  resultFiles,
  type ResultFiles,
  resultsToCsv,
  resultsToArrowTable,
  RESULT_COLUMNS,
  ResultRowSchema,
  formatPivot,
  formatP,
  type CiLabels,
  type CiMethods,
  type ResultRow,
  type ResultsTableOptions,
} from './results/index.js';
