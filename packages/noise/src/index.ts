export const VERSION = '0.1.0';
export { NoiseError } from './errors.js';
export { splitSentences, type Sentence } from './text/sentences.js';
export { compileTopicPattern, selectTopic, type Topic, type TopicRule } from './text/topics.js';
export { numbersIn, formatInt } from './text/numbers.js';
export {
  insertionSlots,
  insertAt,
  insertSentence,
  questionSentenceIndex,
  stripNoise,
  type InsertionSlot,
  type NoiseSpan,
} from './insert.js';
export {
  sentenceNoise,
  type NoiseDefinition,
  type NoiseResult,
  type SentenceNoiseSpec,
} from './definition.js';
export { applyNoise, noiseLabel, noiseRng } from './apply.js';
export { NoiseSpanSchema, NoisyProblemSchema, type NoisyProblem } from './records.js';
export { registerNoise, unregisterNoise, getNoise, listNoise } from './registry.js';
export { builtinNoises, BUILTIN_NOISE_TYPES } from './builtin.js';
export {
  avoidingProblemNumbers,
  forbiddenNumbers,
  pickFrom,
  topicSentence,
  type NoiseBank,
  type SentenceSource,
} from './banks/bank.js';
export { DEFAULT_BANK } from './banks/default.js';
export { INF_LISTS, INF_TEMPLATES, makeInfSentence } from './banks/inf.js';
export { RCS_CONVERSIONS, RCS_FACTS, RCS_LEADS, makeRcsSentence } from './banks/rcs.js';
export { SD_DEFAULT, SD_TOPICS, type SdTopicSpec } from './banks/sd.js';
export { fillTemplate, templateSlots } from './banks/slots.js';
export {
  TemplateFileSchema,
  loadTemplateBank,
  parseTemplateBank,
  templateBank,
  type TemplateFile,
} from './banks/file.js';
export {
  DEFAULT_NOISE_SEED,
  NoiseGenerateOptionsSchema,
  generateNoisyDatasets,
  manifestFileName,
  noisyFileName,
  noisyRecords,
  parseNoiseGenerateOptions,
  type NoiseGenerateOptions,
  type NoiseGenerateResult,
  type NoisyFile,
  type ProgressFn,
} from './generate.js';
