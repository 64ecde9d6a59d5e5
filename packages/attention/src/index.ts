export const VERSION = '0.1.0';
export {
  forEachLayerAttention,
  type AttentionRunner,
  type AttentionOutputs,
  type AttentionShape,
} from './maps.js';
export {
  exposeAttention,
  ExposeError,
  type ExposeOptions,
  type ExposedAttention,
} from './expose.js';
export { differentialMaps } from './differential.js';
export { valueWeightedMaps } from './value-weighted.js';
export { TOKEN_CLASSES, MAP_FORMS } from './types.js';
export type {
  AttentionAnalysis,
  AttentionItem,
  AttentionModel,
  CharSpan,
  LayerAttention,
  MapForm,
  SampleMap,
  SeedRatios,
  TokenClass,
} from './types.js';
export {
  KMI_CLASSIFIERS,
  SEED_CONTEXT_WINDOW,
  kmiSpans,
  withoutNoise,
  type KmiClassifier,
  type KmiRule,
  type KmiSpan,
} from './kmi.js';
export {
  alignKmiTokens,
  classifyTokens,
  noiseTokenSpans,
  type ClassifiedPrompt,
  type EncodingOffsets,
  type TokenClasses,
} from './classes.js';
export {
  aucWrong,
  differentialRowStats,
  distractionEffect,
  distractorHeads,
  layerProfile,
  liftOverUniform,
  rowEntropy,
  rowMass,
  seedRatios,
  signalToNoise,
  type ClassValues,
  type DifferentialRowStats,
  type DistractorHead,
  type RowOptions,
} from './metrics.js';
export { BOOTSTRAP_RESAMPLES, mean } from './stats.js';
export { compareAttentionPatterns, type AttentionSet, type CompareOptions } from './compare.js';
export {
  AttentionAnalysisSchema,
  SeedRatiosSchema,
  readAttentionAnalysis,
  writeAttentionAnalysis,
} from './analysis-file.js';
export { SampleMapSchema } from './sample-map.js';
