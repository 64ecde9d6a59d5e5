// @exp/run: the experiment as a library call (runExperiment, with typed progress events), its
// options and plan, and the run folder it owns (layout, manifest, continued-run checks).
export const VERSION = '0.1.0';

export {
  runExperiment,
  checkRun,
  recordRunFailure,
  type RunExperimentControl,
  type RunOutcome,
} from './experiment.js';
export {
  CLEAN_STOP_STEPS,
  RUN_STEPS,
  type Progress,
  type RunEvent,
  type RunEventListener,
  type RunStep,
} from './events.js';
export { DEVICES, RunOptionsSchema, planRun, type RunOptions, type RunPlan } from './plan.js';
export { recordReportTime } from './folder.js';
export { MANIFEST, RUN_PATHS, safeName } from './layout.js';
export { rescoreRun, type RescoreResult } from './rescore.js';
export { RunManifestSchema, type Attempt, type RunManifest } from './manifest.js';
export { resumeOptions } from './resume.js';
export {
  readRun,
  type RunData,
  type ReadRunOptions,
  type SampleView,
  type SampleMapFile,
  type Span,
} from './read-run.js';
export { sftBarUpdates } from './sft.js';
export {
  buildEvidence,
  writeEvidence,
  EVIDENCE_LIKELIHOOD_MEASURES,
  EvidenceRowSchema,
  EvidenceTableSchema,
  type BuildEvidenceOptions,
  type EvidenceRow,
  type EvidenceTable,
} from './evidence.js';
export { sweepCell, runDoseResponse, writeDoseResponse } from './dose.js';
export { SftManifest, checkpointHashes, sftDataRecord, type SftStatus } from './sft-manifest.js';
export { RunReadError, UsageError, commaList, flagName } from './errors.js';
export { didYouMean } from './suggest.js';
export {
  buildPlantedModels,
  PLANTED_SFT,
  type PlantedModel,
  type PlantedModelName,
  type PlantedModelsOptions,
} from './planted.js';
export {
  plantedSets,
  type PlantedAsk,
  type PlantedSetOptions,
  type PlantedSets,
} from './planted-data.js';
export { writePlantedTokenizer } from './planted-tokenizer.js';
