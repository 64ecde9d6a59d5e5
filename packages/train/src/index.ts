// @exp/train: reverse-mode autodiff over @exp/models' ONNX graph IR, and the causal-LM loss.
export const VERSION = '0.1.0';

export { gradients, type GradientsOptions } from './gradients.js';
export { RULES, NON_DIFFERENTIABLE, type Rule, type RuleCtx } from './rules.js';
export {
  causalLmLoss,
  causalLmLossWithGrad,
  IGNORE_INDEX,
  type LossOptions,
  type LossWithGrad,
} from './loss.js';
export { GradientError, type TypeInfo, type TypeMap } from './types.js';
export {
  SFT_FORMATS,
  SftDataError,
  encodeSftDataset,
  sftEosId,
  type LossOn,
  type SftEncodeOptions,
  type SftEncoded,
  type SftExample,
  type SftFormat,
  type SftFormatName,
} from './data/format.js';
export { selectSftProblems, type SftSelectOptions } from './data/select.js';
export { batchPlan, type BatchPlanOptions } from './data/batches.js';
export { padBatch, sftBatches, type SftBatch } from './data/collate.js';
export {
  readCheckpointParams,
  CheckpointWriteError,
  type CheckpointParam,
  type CheckpointParams,
} from './checkpoint/params.js';
export {
  writeCheckpoint,
  type CheckpointDtype,
  type WriteCheckpointOptions,
  type WriteCheckpointResult,
} from './checkpoint/write.js';
export { DEFAULT_SAVE_TOTAL_LIMIT, pruneSftCheckpoints } from './checkpoint/prune.js';
export { TrainerStateError } from './checkpoint/trainer-state.js';
export {
  buildTrainingStep,
  initializersToInputs,
  TrainingStep,
  type TrainingStepOptions,
  type TrainingStepGraph,
  type TrainingBatch,
  type StepResult,
  type StepPrecision,
} from './step-graph.js';
export {
  adamwStep,
  Optimizer,
  ADAMW_DEFAULTS,
  type AdamWHyper,
  type AdamWState,
} from './optim/adamw.js';
export { clipCoefficient, clipGradNorm } from './optim/clip.js';
export { linearWithWarmup } from './optim/schedule.js';
export { GradientAccumulator, type AccumulatedGrads } from './optim/accumulate.js';
export {
  verifyTrainingStep,
  writeTrainingStepValues,
  TrainVerifyError,
  TRAIN_TOLERANCES,
  F64_GRAD_TOLERANCES,
  GOLDEN_ADAMW,
  type TrainCheck,
  type TrainVerifyReport,
} from './verify.js';
export {
  trainSft,
  lastSftCheckpoint,
  SAVE_DTYPES,
  SFT_FINAL_DIR,
  SftError,
  type SftOptions,
  type SftProgress,
  type SftResult,
} from './sft.js';
export {
  readSftLosses,
  SftLossRecordSchema,
  SFT_LOSS_FILE,
  type SftLossRecord,
} from './loss-log.js';
