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
export { Gsm8kRecordSchema, ProblemSchema, type Problem } from './problem.js';
export {
  GSM8K_FILES,
  gsm8kDir,
  gsm8kFile,
  loadGsm8k,
  loadGsm8kFile,
  checkGsm8kCopy,
  setDataWarningHandler,
  type DataWarningHandler,
  type Gsm8kCopyCheck,
  type Gsm8kSplit,
} from './gsm8k.js';
export { createRng, type Rng } from './rng.js';
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
} from './registry.js';
export { firstN, sampleN } from './subset.js';
export { sha256Hex, hashFile, hashFileSync, canonicalJson, datasetFingerprint } from './hash.js';
export {
  pullGsm8k,
  importGsm8kDir,
  type PullOptions,
  type PullProgress,
  type PullResult,
} from './pull.js';
export {
  BENCHMARK_PRESETS,
  BenchmarkPresetSchema,
  BenchmarkSpecSchema,
  DatasetNameSchema,
  importBenchmark,
  importPreset,
  datasetFile,
  writeDataset,
  type BenchmarkPreset,
  type BenchmarkSpec,
  type ImportBenchmarkOptions,
  type ImportedProblem,
} from './import.js';
export { writeArrow, type ArrowRecord } from './arrow.js';
