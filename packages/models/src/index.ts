// The public API of @exp/models, grouped by what a user does with it. Internals (graph pieces,
// PRNGs, decoders, the scheduler) stay unexported; tests import them from src/.
export const VERSION = '0.1.0';

// --- export side: checkpoint reading, Llama/DiffLlama export, verification (the ONNX graph
// builder and serialisation are the @exp/models/onnx subpath, src/onnx.ts) ---
export {
  SafetensorsFile,
  SafetensorsError,
  readSafetensors,
  withSafetensors,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type TensorInfo,
  type RawTensor,
  type TensorData,
} from './safetensors/read.js';
export { f32ToBf16 } from './safetensors/half.js';
export {
  loadModelConfig,
  parseModelConfig,
  ConfigError,
  SUPPORTED_MODEL_TYPES,
  type ModelConfig,
  type ModelType,
  type RopeScaling,
} from './config.js';
export {
  Checkpoint,
  CheckpointError,
  openCheckpoint,
  withCheckpoint,
  readCheckpointTensors,
  type CheckpointTensorInfo,
} from './checkpoint.js';
export { ATTENTION_IMPLEMENTATIONS, type AttentionImplementation } from './arch/attention.js';
export { expectedWeights, WeightShapeError, type DecoderWeightSource } from './arch/weights.js';
export {
  exportCheckpoint,
  readExpModelManifest,
  ExportError,
  MODEL_FILE,
  type ExportOptions,
  type ExportProgress,
  type ExportResult,
  type ExpModelManifest,
} from './export.js';
export {
  verifyAgainstGolden,
  VerifyError,
  FP32_TOLERANCES,
  FP16_TOLERANCES,
  type VerifyReport,
  type VerifyCheck,
  type VerifyOptions,
  type VerifyTolerances,
} from './verify.js';

// --- tokenizer (exact UTF-16 offsets), hub download, seeded random checkpoints ---
export {
  HfTokenizer,
  loadTokenizer,
  type TokenEncoding,
  type EncodeOptions,
  type DecodeOptions,
  type LoadTokenizerOptions,
  type TokenizerSpecials,
} from './tokenizer/tokenizer.js';
export { TokenizerError, TokenIdOutOfRangeError } from './tokenizer/errors.js';
export { bundledLlama3TokenizerDir } from './tokenizer/llama3.js';
export type { Span } from './tokenizer/offsets.js';
export type { SpecialToken, PadTokenSource } from './tokenizer/specials.js';
export { pullModel, type PullOptions, type PullProgress } from './hub/pull.js';
export { hubCacheDir, repoCacheFolder } from './hub/cache.js';
export {
  HubError,
  HubAuthError,
  HubNotFoundError,
  HubUnreachableError,
  HubDownloadError,
} from './hub/errors.js';
export {
  writeSafetensors,
  type TensorToWrite,
  type TensorValues,
  type WritableDtype,
  type WriteSafetensorsResult,
} from './safetensors/write.js';
export {
  initRandomCheckpoint,
  type InitOptions,
  type InitResult,
} from './init/random-checkpoint.js';
export {
  initPreset,
  writePresetTokenizer,
  PRESET_NAMES,
  PRESET_CONFIGS,
  REAL_SHAPE_CONFIG,
  type PresetName,
  type InitPresetOptions,
} from './init/presets.js';
export { buildRandomConfig, InitError, type RandomConfig } from './init/hf-config.js';

// --- runtime: sessions (CPU/CUDA), backends ---
export {
  backendsReport,
  cudaInstallCommand,
  installCudaProvider,
  cudaLibrariesInstalled,
  CudaUnavailableError,
  type BackendsReport,
} from './runtime/backends.js';
export { runtimeVersions } from './runtime/versions.js';
export { createSession, cpuTensor, type Device, type SessionConfig } from './runtime/session.js';

// --- causal LM: forward, score (teacher forcing), generate (static batch), generateStream (continuous batching) ---
export {
  loadCausalLM,
  CausalLM,
  ModelLoadError,
  type LoadCausalLMOptions,
  type ForwardInput,
  type ForwardOutput,
  type ScoreInput,
  type ScoreOutput,
  type ScoreExtra,
  type FloatTensor,
  type ModelOutputsInfo,
  type GenerationPath,
} from './causal-lm.js';
export type { GenerationResult, Finished } from './generation/scheduler.js';
export { resolveKnockout, type Knockout, type ResolvedKnockout } from './runtime/knockout-feeds.js';
export type { StreamGenerateOptions, StreamProgress } from './generation/stream.js';

// --- generation units: options, the logits-processor and stopping-criterion types, callbacks ---
export { GenerationOptionsError, type GenerateOptions } from './generation/options.js';
export {
  GenerationConfigSchema,
  GenerationConfigTokensSchema,
  type GenerationConfigFile,
  type GenerationConfigTokens,
} from './generation-config.js';
export type { LogitsProcessor } from './generation/logits-process.js';
export {
  PerPromptMaxNewTokensCriteria,
  StopStringCriteria,
  cutAtStopStrings,
  type FinishReason,
  type StoppingCriterion,
} from './generation/stopping-criteria.js';
export type { TokenCallback, StepLogitsCallback } from './generation/streamer.js';

// --- model registry and cache ---
export {
  resolveModel,
  modelsCacheDir,
  ModelResolveError,
  type ResolveModelOptions,
  type ResolvedModel,
  type ResolveProgress,
  type ModelKind,
} from './registry/resolve.js';
export {
  getRegisteredModel,
  listModels,
  ModelSourceSchema,
  ModelRegistryError,
  type ModelSource,
} from './registry/registry.js';
export { ModelFolderError } from './registry/folder-check.js';

/** Folders that appear whole or not at all (temporary sibling + rename; leftovers cleaned). */
export { writeFolderAtomically } from './registry/atomic-folder.js';
