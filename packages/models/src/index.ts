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
export { bf16ToF32, f16ToF32, f32ToF16, f32ToBf16 } from './safetensors/half.js';
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
  MANIFEST_FILE,
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
export { assertIdsInModelVocab } from './tokenizer/vocab-guard.js';
export { bundledLlama3TokenizerDir } from './tokenizer/llama3.js';
export type { Span } from './tokenizer/offsets.js';
export type { SpecialToken, PadTokenSource } from './tokenizer/specials.js';
export {
  pullModel,
  isCheckpointFile,
  DEFAULT_ENDPOINT,
  type PullOptions,
  type PullProgress,
} from './hub/pull.js';
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
  randomCheckpointParams,
  randomParamData,
  DEFAULT_INIT_SEED,
  TOKENIZER_FILES,
  type InitOptions,
  type InitResult,
} from './init/random-checkpoint.js';
export {
  initPreset,
  writePresetTokenizer,
  PRESET_NAMES,
  PRESET_CONFIGS,
  PRESET_GENERATION_CONFIG,
  REAL_SHAPE_CONFIG,
  type PresetName,
  type InitPresetOptions,
} from './init/presets.js';
export { buildRandomConfig, InitError, type RandomConfig } from './init/hf-config.js';

// --- runtime: sessions (CPU/CUDA), backends, the fast decode graph ---
export {
  backendsReport,
  cudaAvailable,
  cudaInstallCommand,
  installCudaProvider,
  cudaLibrariesInstalled,
  probeCuda,
  nativeBinaryDir,
  CudaUnavailableError,
  type BackendsReport,
} from './runtime/backends.js';
export { runtimeVersions } from './runtime/versions.js';
export { createSession, cpuTensor, type Device, type SessionConfig } from './runtime/session.js';
export {
  buildLlamaDecoderGraph,
  type DecoderGraphOptions,
  type KvIo,
} from './runtime/decoder-graph.js';

// --- causal LM: forward, generate (static batch), generateStream (continuous batching) ---
export {
  loadCausalLM,
  CausalLM,
  ModelLoadError,
  type LoadCausalLMOptions,
  type ForwardInput,
  type ForwardOutput,
  type FloatTensor,
  type ModelOutputsInfo,
  type GenerationPath,
} from './causal-lm.js';
export type { GenerationResult, Finished } from './generation/scheduler.js';
export type { StreamGenerateOptions, StreamProgress } from './generation/stream.js';

// --- generation units: options, logits processors, stopping criteria, callbacks ---
export {
  GenerationOptionsError,
  loadGenerationConfig,
  type GenerateOptions,
} from './generation/options.js';
export {
  GenerationConfigSchema,
  GenerationConfigTokensSchema,
  type GenerationConfigFile,
  type GenerationConfigTokens,
} from './generation-config.js';
export {
  LogitsProcessorList,
  RepetitionPenaltyLogitsProcessor,
  TemperatureLogitsWarper,
  TopKLogitsWarper,
  TopPLogitsWarper,
  type LogitsProcessor,
} from './generation/logits-process.js';
export {
  MaxNewTokensCriteria,
  PerPromptMaxNewTokensCriteria,
  StopTokenCriteria,
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
  registerModel,
  getRegisteredModel,
  listModels,
  loadRegistryFile,
  BUILTIN_MODELS,
  MODEL_NAME_PATTERN,
  ModelSourceSchema,
  ModelRegistryFileSchema,
  ModelRegistryError,
  type ModelSource,
  type ModelRegistryFile,
} from './registry/registry.js';
export {
  checkExportedFolder,
  ModelFolderError,
  type CheckExportedFolderOptions,
} from './registry/folder-check.js';
export { MODEL_DATA_FILE } from './export.js';
/** Folders that appear whole or not at all (temporary sibling + rename; leftovers cleaned). */
export { writeFolderAtomically } from './registry/atomic-folder.js';
