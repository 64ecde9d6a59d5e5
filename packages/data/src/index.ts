export const VERSION = '0.1.0';
export { BASELINE_DATASET, DEFAULT_SEED } from './experiment.js';
export { DataError, DownloadError, ExpError } from './errors.js';
export { normalizeNumber, parseGoldAnswer } from './answer.js';
export { projectRoot, resolveUserPath, dataDir, resultsDir } from './paths.js';
export {
  parseJsonl,
  readJsonl,
  toJsonl,
  writeJsonl,
  writeFileAtomic,
  formatIssue,
  jsonlValues,
  readTextFile,
} from './jsonl.js';
export { Gsm8kRecordSchema, ProblemSchema, type Gsm8kRecord, type Problem } from './problem.js';
export {
  GSM8K_FILES,
  GSM8K_SPLITS,
  gsm8kCacheDir,
  gsm8kDir,
  gsm8kFile,
  loadGsm8k,
  loadGsm8kFile,
  checkGsm8kCopy,
  unofficialGsm8kMessage,
  setDataWarningHandler,
  type DataWarningHandler,
  type Gsm8kCopyCheck,
  type Gsm8kSplit,
} from './gsm8k.js';
export { createRng, hash32, seedWord, type Rng } from './rng.js';
export {
  bootstrapDistributions,
  drawnMean,
  quantile,
  type BootstrapDistribution,
  type Statistic,
} from './bootstrap.js';
export {
  LOWER_CASE_NAME,
  Registry,
  lowerCaseNameMessages,
  type RegistryMessages,
  type RegistrySpec,
} from './registry.js';
export { firstN, sampleN } from './subset.js';
export { sha256Hex, hashFile, hashFileSync, canonicalJson, datasetFingerprint } from './hash.js';
export {
  GSM8K_DEFAULT_BASE_URL,
  pullGsm8k,
  importGsm8kDir,
  gsm8kUrl,
  checkGsm8kBytes,
  type PullOptions,
  type PullProgress,
  type PullResult,
} from './pull.js';
export {
  BENCHMARK_PRESETS,
  BenchmarkPresetSchema,
  BenchmarkSpecSchema,
  DatasetNameSchema,
  FieldMapSchema,
  RecordFilterSchema,
  importBenchmark,
  importPreset,
  datasetFile,
  writeDataset,
  loadDataset,
  type BenchmarkPreset,
  type BenchmarkSpec,
  type FieldMap,
  type ImportBenchmarkOptions,
  type ImportedProblem,
  type RecordFilter,
} from './import.js';
export {
  recordsToArrowTable,
  recordsToArrow,
  recordsFromArrowTable,
  recordsFromArrow,
  writeArrow,
  readArrow,
  readArrowProblems,
  type ArrowRecord,
} from './arrow.js';
