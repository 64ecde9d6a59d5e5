export { DataError } from './errors.js';
export { normalizeNumber, parseGoldAnswer } from './answer.js';
export { projectRoot, resolveUserPath, dataDir, resultsDir } from './paths.js';
export {
  parseJsonl,
  readJsonl,
  toJsonl,
  writeJsonl,
  writeFileAtomic,
  formatIssue,
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
  type Gsm8kSplit,
} from './gsm8k.js';
