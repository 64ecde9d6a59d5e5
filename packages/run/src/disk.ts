// The disk a run needs, printed with its plan: per model the downloaded source, the ONNX export,
// the SFT folder (checkpoints, final/, its export) and the sample logs, from parameter counts
// read off each model's config.json (no weights are read). Weights only: each folder also holds
// a config and the tokenizer (~9 MB for Llama 3), which the estimate leaves out.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { resolveUserPath } from '@exp/data';
import {
  PRESET_CONFIGS,
  buildRandomConfig,
  expectedWeights,
  getRegisteredModel,
  hubCacheDir,
  loadModelConfig,
  modelsCacheDir,
  parseModelConfig,
  repoCacheFolder,
  type ModelConfig,
} from '@exp/models';
import { DEFAULT_SAVE_TOTAL_LIMIT, type CheckpointDtype } from '@exp/train';
import type { RunPlan } from './plan.js';

type StoredDtype = Exclude<CheckpointDtype, 'source'>;
const DTYPE_BYTES: Record<StoredDtype, number> = { float32: 4, bfloat16: 2, float16: 2 };
/** optimizer.bin: AdamW's m and v, float32 each. */
const OPTIMIZER_BYTES_PER_PARAM = 8;
/** A sample log record, generous: the prompt, up to 512 new tokens and the scoring fields. */
export const SAMPLE_LOG_BYTES = 4096;
/** GSM8K test items: what an evaluation of all samples (-1) logs per set. */
const GSM8K_TEST_ITEMS = 1319;

/** What the estimate needs of a model: its parameter count and stored dtype. */
export interface ModelShape {
  /** Stored parameters (a tied head counted once), from config.json. */
  params: number;
  dtype: StoredDtype;
  /** hub and preset checkpoints are written by the run (download, generation); local ones exist. */
  written: boolean;
}

/** How the run fine-tunes: the SFT settings that decide the checkpoints. */
export interface SftDiskSettings {
  batchSize: number;
  gradAccum: number;
  checkpointEvery: number;
  saveTotalLimit?: number;
  saveDtype?: CheckpointDtype;
}

export interface ModelDisk {
  name: string;
  params: number;
  dtype: StoredDtype;
  /** Downloaded or generated checkpoint; 0 for a local one. */
  source: number;
  /** model.onnx weights, float32. */
  onnx: number;
  /** One checkpoint-<step>: float32 weights + optimizer.bin. */
  checkpoint: number;
  /** checkpoint-<step> folders left at the end, and at most at once (the newest is complete before the oldest goes). */
  checkpointsKept: number;
  checkpointsPeak: number;
  finalDtype: StoredDtype;
  final: number;
  sftOnnx: number;
  /** All of the above at the end of the run. */
  total: number;
  /** Extra while a checkpoint is written over the kept ones. */
  transient: number;
}

export interface RunDisk {
  models: ModelDisk[];
  /** Models whose config.json is not on this machine yet (a hub model before its download). */
  unknown: string[];
  sampleRecords: number;
  sampleLogs: number;
  /** At the end of the run, and at most at any moment. */
  total: number;
  peak: number;
}

export function paramCount(config: ModelConfig): number {
  let n = 0;
  for (const shape of expectedWeights(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

function storedDtype(raw: Record<string, unknown>): StoredDtype {
  const d = raw.torch_dtype ?? raw.dtype;
  return d === 'bfloat16' || d === 'float16' ? d : 'float32';
}

function shapeOf(config: ModelConfig, written: boolean): ModelShape {
  return { params: paramCount(config), dtype: storedDtype(config.raw), written };
}

/** The cached config.json of a hub model: its export in the models cache, else the HF cache. */
function cachedHubConfig(name: string, repo: string, subfolder?: string): string | undefined {
  const exported = path.join(modelsCacheDir(), name, 'config.json');
  if (existsSync(exported)) return exported;
  const snapshots = path.join(repoCacheFolder(hubCacheDir(), repo), 'snapshots');
  if (!existsSync(snapshots)) return undefined;
  for (const commit of readdirSync(snapshots).sort()) {
    const file = path.join(snapshots, commit, subfolder ?? '', 'config.json');
    if (existsSync(file)) return file;
  }
  return undefined;
}

/**
 * A model's shape from what is on this machine (never the network), or undefined; a config that
 * does not parse is left to model resolution to report.
 */
export function knownModelShape(name: string): ModelShape | undefined {
  try {
    return localModelShape(name);
  } catch {
    return undefined;
  }
}

function localModelShape(name: string): ModelShape | undefined {
  const source = getRegisteredModel(name);
  if (source?.kind === 'preset') {
    const raw = buildRandomConfig(PRESET_CONFIGS[source.preset]);
    return shapeOf(parseModelConfig(raw, `preset ${source.preset}`), true);
  }
  if (source?.kind === 'hub') {
    const file = cachedHubConfig(name, source.repo, source.subfolder);
    return file ? shapeOf(loadModelConfig(file), true) : undefined;
  }
  const dir = source?.kind === 'local' ? source.path : resolveUserPath(name);
  return existsSync(path.join(dir, 'config.json'))
    ? shapeOf(loadModelConfig(dir), false)
    : undefined;
}

/** Optimizer steps of trainSft: ceil(ceil(samples / batch) / accumulation) per epoch. */
export function sftSteps(samples: number, epochs: number, s: SftDiskSettings): number {
  return Math.ceil(Math.ceil(samples / s.batchSize) / s.gradAccum) * epochs;
}

/** The disk of one model in a run: bytes, from its parameter count. */
export function modelDisk(
  name: string,
  shape: ModelShape,
  plan: Pick<RunPlan, 'steps' | 'sft'>,
  s: SftDiskSettings,
): ModelDisk {
  const P = shape.params;
  const used =
    plan.steps.zeroShot || plan.steps.sft || plan.steps.attention || plan.steps.likelihood;
  const source = used && shape.written ? P * DTYPE_BYTES[shape.dtype] : 0;
  const onnx = used ? P * 4 : 0;
  const checkpoint = P * (4 + OPTIMIZER_BYTES_PER_PARAM);
  const saveDtype = s.saveDtype ?? 'source';
  const finalDtype: StoredDtype = saveDtype === 'source' ? shape.dtype : saveDtype;
  let [kept, peak, final, sftOnnx] = [0, 0, 0, 0];
  if (plan.steps.sft) {
    const steps = sftSteps(plan.sft.samples, plan.sft.epochs, s);
    // checkpoints at every multiple of checkpointEvery before the last step (final/ is the end)
    const written = Math.floor((steps - 1) / s.checkpointEvery);
    const limit = s.saveTotalLimit ?? DEFAULT_SAVE_TOTAL_LIMIT;
    kept = limit === 0 ? written : Math.min(limit, written);
    peak = limit === 0 ? written : Math.min(limit + 1, written);
    final = P * DTYPE_BYTES[finalDtype];
    sftOnnx = P * 4;
  }
  const total = source + onnx + kept * checkpoint + final + sftOnnx;
  // the peak of the SFT folder: one checkpoint over the kept ones, before final/ and its export
  const transient = Math.max(0, (peak - kept) * checkpoint - final - sftOnnx);
  return {
    name,
    params: P,
    dtype: shape.dtype,
    source,
    onnx,
    checkpoint,
    checkpointsKept: kept,
    checkpointsPeak: peak,
    finalDtype,
    final,
    sftOnnx,
    total,
    transient,
  };
}

/** The run's disk: every model's, plus the sample logs (zero-shot and post-SFT). */
export function runDisk(
  plan: Pick<RunPlan, 'models' | 'datasets' | 'evalSamples' | 'steps' | 'sft'>,
  shapes: ReadonlyMap<string, ModelShape | undefined>,
  s: SftDiskSettings,
): RunDisk {
  const models: ModelDisk[] = [];
  const unknown: string[] = [];
  for (const name of plan.models) {
    const shape = shapes.get(name);
    if (shape) models.push(modelDisk(name, shape, plan, s));
    else unknown.push(name);
  }
  const perSet = plan.evalSamples === -1 ? GSM8K_TEST_ITEMS : plan.evalSamples;
  const evals = (plan.steps.zeroShot ? 1 : 0) + (plan.steps.sft ? 1 : 0);
  const sampleRecords = plan.models.length * plan.datasets.length * perSet * evals;
  const sampleLogs = sampleRecords * SAMPLE_LOG_BYTES;
  const total = models.reduce((a, m) => a + m.total, 0) + sampleLogs;
  // models are fine-tuned one after another: one transient at a time
  const peak = total + Math.max(0, ...models.map((m) => m.transient));
  return { models, unknown, sampleRecords, sampleLogs, total, peak };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function checkpointsPart(m: ModelDisk): string {
  if (m.checkpointsKept === 0) return 'no sft checkpoints (too few steps)';
  const peak =
    m.checkpointsPeak > m.checkpointsKept
      ? ` (${m.checkpointsPeak} while the newest is written)`
      : '';
  return `sft checkpoints ${m.checkpointsKept} x ${gb(m.checkpoint)}${peak}`;
}

/** What fine-tuning one model writes into sft/<model>/, for the SFT step's line. */
export function formatSftDisk(m: ModelDisk): string {
  const sft = m.checkpointsKept * m.checkpoint + m.final + m.sftOnnx;
  return `up to ${gb(sft + m.transient)} on disk: ${checkpointsPart(m)}, final ${gb(m.final)} (${m.finalDtype}), onnx ${gb(m.sftOnnx)}`;
}

/** The plan's disk lines. */
export function formatRunDisk(d: RunDisk): string[] {
  const lines = [
    `disk: ${gb(d.total)} at the end of the run, at most ${gb(d.peak)} while a checkpoint is written${d.unknown.length ? ` (without ${d.unknown.join(', ')})` : ''}`,
  ];
  for (const m of d.models) {
    const parts = [`${m.name} (${m.params.toLocaleString('en-US')} params, ${m.dtype})`];
    if (m.source) parts.push(`source ${gb(m.source)}`);
    if (m.onnx) parts.push(`onnx ${gb(m.onnx)}`);
    if (m.final) {
      parts.push(
        checkpointsPart(m),
        `final ${gb(m.final)} (${m.finalDtype})`,
        `sft onnx ${gb(m.sftOnnx)}`,
      );
    }
    lines.push(`  ${parts.join(', ')}: ${gb(m.total)}`);
  }
  for (const name of d.unknown) {
    lines.push(`  ${name}: size known once its config.json is downloaded`);
  }
  if (d.sampleRecords) {
    lines.push(`  sample logs: ${d.sampleRecords} records, up to ${mb(d.sampleLogs)}`);
  }
  return lines;
}
