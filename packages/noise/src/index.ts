export const VERSION = '0.1.0';
export { NoiseError } from './errors.js';
export { splitSentences, type Sentence } from './text/sentences.js';
export {
  compileTopicPattern,
  selectTopic,
  type Topic,
  type TopicRule,
  type TopicScore,
} from './text/topics.js';
export { numbersIn, NUMBER_WORDS } from './text/numbers.js';
export {
  NOISE_POSITIONS,
  insertionSlots,
  insertAt,
  insertSentence,
  insertSentences,
  questionSentenceIndex,
  slotFor,
  stripNoise,
  type InsertionSlot,
  type NoisePosition,
  type NoiseSpan,
} from './insert.js';
export {
  sentenceNoise,
  type NoiseDefinition,
  type NoiseResult,
  type SentenceNoiseSpec,
} from './definition.js';
export {
  DEFAULT_PLACEMENT,
  applyNoise,
  mixNoise,
  noiseRng,
  slotRng,
  type Placement,
} from './apply.js';
export { noiseCellName, parseNoiseCell, type NoiseCell } from './cell.js';
export { NOISE_KINDS, NoiseSpanSchema, NoisyProblemSchema, type NoisyProblem } from './records.js';
export { MIX, registerNoise, unregisterNoise, getNoise, listNoise } from './registry.js';
export { loadNoiseInput, type NoiseInput } from './input.js';
export { builtinNoises } from './builtin.js';
export {
  avoidingProblemNumbers,
  forbiddenNumbers,
  mentionsAny,
  type DrawnSentence,
  type NoiseBank,
  type SentenceSource,
} from './banks/bank.js';
export { DEFAULT_BANK } from './banks/default.js';
export { INF_LISTS, INF_TEMPLATES } from './banks/inf.js';
export { RCS_CONVERSIONS, RCS_FACTS, RCS_LEADS } from './banks/rcs.js';
export {
  SD_DEFAULT,
  SD_TOPICS,
  SD_WEIGHTS,
  scoreTopics,
  sdTopicOf,
  type SdTopicSpec,
} from './banks/sd.js';
export { TemplateFileSchema, loadTemplateBank, parseTemplateBank } from './banks/file.js';
export {
  DEFAULT_NOISE_SEED,
  NoiseGenerateOptionsSchema,
  NoiseSweepOptionsSchema,
  generateNoisyDatasets,
  sweepNoisyDatasets,
  manifestFileName,
  noisyFileName,
  noisyRecords,
  parseNoiseGenerateOptions,
  parseNoiseSweepOptions,
  type NoiseGenerateOptions,
  type NoiseSweepOptions,
  type NoiseGenerateResult,
  type NoisyFile,
  type NoiseCellProgress,
  type ProgressFn,
} from './generate.js';
// external noisy benchmarks
export {
  DEFAULT_EXTERNAL_NOISE_TYPE,
  externalNoisyProblem,
  importNoisyBenchmark,
  importNoisyPreset,
  recoverInsertions,
  stripInsertions,
  type RecoveredNoise,
} from './external.js';
