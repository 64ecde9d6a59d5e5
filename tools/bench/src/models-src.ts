// The one file of the harness that reaches into @exp/models' source, by relative path; every other
// harness file takes @exp/models from here. Why not `@exp/models` as a dependency: @exp/models'
// own bench uses this harness (a devDependency), so the harness depending on @exp/models would
// be a cycle, which turbo refuses. Why source: the in-memory bench models need runtime internals
// that are not public API (the external-KV step decoder, the onnxruntime binding), and the models
// bench keeps measuring the source being edited rather than a dist that may be stale.
export { CausalLM, loadCausalLM } from '../../../packages/models/src/causal-lm.js';
export { parseModelConfig, type ModelConfig } from '../../../packages/models/src/config.js';
export { exportCheckpoint } from '../../../packages/models/src/export.js';
export { buildRandomConfig } from '../../../packages/models/src/init/hf-config.js';
export { PRESET_CONFIGS, initPreset } from '../../../packages/models/src/init/presets.js';
export {
  initRandomCheckpoint,
  randomCheckpointParams,
  randomParamData,
} from '../../../packages/models/src/init/random-checkpoint.js';
export { externalKvDecoder } from '../../../packages/models/src/runtime/cached-decoder.js';
export { buildLlamaDecoderGraph } from '../../../packages/models/src/runtime/decoder-graph.js';
export { ort } from '../../../packages/models/src/runtime/ort.js';
export { createSession, type Device } from '../../../packages/models/src/runtime/session.js';
export type { StepDecoder, Want } from '../../../packages/models/src/runtime/step-decoder.js';
