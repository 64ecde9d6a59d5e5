export const VERSION = '0.1.0';
export {
  forEachLayerAttention,
  causalLMRunner,
  type AttentionRunner,
  type AttentionOutputs,
  type AttentionShape,
} from './maps.js';
export {
  exposeAttention,
  findAttentionSoftmax,
  ExposeError,
  type ExposeOptions,
  type ExposedAttention,
} from './expose.js';
export { differentialMaps, formHeads } from './differential.js';
export { TOKEN_CLASSES, MAP_FORMS } from './types.js';
export type {
  AttentionAnalysis,
  AttentionItem,
  AttentionModel,
  AttentionSettings,
  CharSpan,
  LayerAttention,
  MapForm,
  MetricSummary,
  ModelAttention,
  SampleMap,
  SeedRatios,
  Stat,
  TokenClass,
} from './types.js';
export {
  KMI_CLASSIFIERS,
  SEED_CONTEXT_WINDOW,
  kmiSpans,
  mapSpansToNoisy,
  noiseChunks,
  toNoisyOffset,
  withoutNoise,
  type KmiClassifier,
  type KmiRule,
  type KmiSpan,
} from './kmi.js';
export {
  alignKmiTokens,
  whitespaceAlignment,
  classifyTokens,
  itemKmiSpans,
  type ClassifiedPrompt,
  type EncodingOffsets,
  type TokenClasses,
} from './classes.js';
export {
  aucWrong,
  classCounts,
  differentialRowStats,
  distractionEffect,
  distractorHeads,
  layerProfile,
  liftOverUniform,
  meanDefined,
  normalisedRow,
  rowEntropy,
  rowMass,
  seedRatios,
  signalToNoise,
  type ClassValues,
  type DifferentialRowStats,
  type DistractorHead,
  type RowOptions,
} from './metrics.js';
export { BOOTSTRAP_RESAMPLES, bootstrapCi, mean, populationStd, summarize } from './stats.js';
// Kept for callers of the attention API: the one quantile is @exp/data's.
export { quantile } from '@exp/data';
export { DIFFERENTIAL_METRICS, HEAD_METRICS, PAIRED_METRICS, type MetricName } from './reduce.js';
export { DISTRACTOR_RESAMPLES, DISTRACTOR_Z } from './aggregate.js';
export {
  DEFAULT_ATTENTION_SEED,
  DEFAULT_DIFFERENTIAL_FORM,
  DEFAULT_GENERATED_TOKENS,
  compareAttentionPatterns,
  type AttentionSet,
  type CompareOptions,
} from './compare.js';
export {
  AttentionAnalysisSchema,
  AttentionSettingsSchema,
  ModelAttentionSchema,
  MetricSummarySchema,
  SeedRatiosSchema,
  StatSchema,
  readAttentionAnalysis,
  writeAttentionAnalysis,
} from './analysis-file.js';
export { SampleMapSchema } from './sample-map.js';
