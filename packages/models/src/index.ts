export const VERSION = '0.1.0';

// --- export side: checkpoint reading, ONNX graph builder, Llama/DiffLlama export, verification ---
export {
  SafetensorsFile,
  SafetensorsError,
  readSafetensors,
  withSafetensors,
  SAFETENSORS_DTYPES,
  MAX_HEADER_BYTES,
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
export { DataType } from './onnx/dtype.js';
export {
  GraphBuilder,
  GraphError,
  type Value,
  type Dim,
  type AttrValue,
  type NodeDef,
  type InitializerDef,
  type ValueInfo,
} from './onnx/graph.js';
export { Ops, type FloatType } from './onnx/ops.js';
export {
  encodeModel,
  decodeModel,
  writeModel,
  DEFAULT_EXTERNAL_DATA_THRESHOLD,
  type ModelMeta,
  type WriteModelOptions,
  type WrittenModel,
} from './onnx/serialize.js';
export {
  buildDecoderGraph,
  decoderIoNames,
  DECODER_DIMS,
  type DecoderExportOptions,
  type ExportDtype,
} from './arch/decoder.js';
export { ATTENTION_IMPLEMENTATIONS, type AttentionImplementation } from './arch/attention.js';
export { ropeInvFreq } from './arch/rope.js';
export { lambdaInit } from './arch/diffllama.js';
export { expectedWeights, WeightShapeError, type DecoderWeightSource } from './arch/weights.js';
export {
  exportCheckpoint,
  readExpModelManifest,
  ExportError,
  EXPORT_OPSET,
  EXPORT_IR_VERSION,
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
export { BYTE_TO_UNICODE, byteLevelTokenBytes } from './tokenizer/byte-level.js';
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
  safetensorsHeader,
  type TensorToWrite,
  type TensorValues,
  type WritableDtype,
  type WriteSafetensorsResult,
} from './safetensors/write.js';
export {
  initRandomCheckpoint,
  randomCheckpointParams,
  DEFAULT_INIT_SEED,
  TOKENIZER_FILES,
  type InitOptions,
  type InitResult,
} from './init/random-checkpoint.js';
export {
  initPreset,
  PRESET_NAMES,
  PRESET_CONFIGS,
  PRESET_GENERATION_CONFIG,
  type PresetName,
  type InitPresetOptions,
} from './init/presets.js';
export { buildRandomConfig, InitError, type RandomConfig } from './init/hf-config.js';
export { Xoshiro128, NormalSampler } from './init/prng.js';
export { toPythonJson, pythonFloatRepr } from './init/pyjson.js';

// --- runtime: sessions (CPU/CUDA), causal LM with forward + batched generation ---
export {
  loadCausalLM,
  CausalLM,
  ModelLoadError,
  type LoadCausalLMOptions,
  type ForwardInput,
  type ForwardOutput,
  type FloatTensor,
  type GenerationResult,
  type GenerationPath,
} from './causal-lm.js';
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
export { createSession, type Device, type SessionConfig } from './runtime/session.js';
export {
  buildLlamaDecoderGraph,
  type DecoderGraphOptions,
  type KvIo,
} from './runtime/decoder-graph.js';
export {
  GenerationOptionsError,
  loadGenerationConfig,
  type GenerateOptions,
} from './generation/options.js';
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
  StopTokenCriteria,
  type FinishReason,
  type StoppingCriterion,
} from './generation/stopping-criteria.js';
export type { TokenCallback } from './generation/streamer.js';

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
export { writeFolderAtomically } from './registry/atomic-folder.js';
export { FULL_HASH_MAX_BYTES } from './registry/file-hash.js';
export { MODEL_DATA_FILE } from './export.js';
