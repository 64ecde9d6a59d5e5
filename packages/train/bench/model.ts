// The bench models and their inputs, built in memory: configs (the tiny presets, the models
// bench's random-58m and random-375m), seeded random weights with the values initRandomCheckpoint
// writes for the same seed (same per-tensor streams, float32), and a seeded batch of token ids.
// No checkpoint file: the real-shape weights (1.5 GB) never touch the disk.
import { createRng } from '@exp/data';
import {
  PRESET_CONFIGS,
  buildRandomConfig,
  parseModelConfig,
  randomCheckpointParams,
  randomParamData,
  type ModelConfig,
} from '@exp/models';
import { RANDOM_375M, RANDOM_58M } from '../../models/bench/models.js';
import type { TrainingBatch } from '../src/step-graph.js';

export const TRAIN_BENCH_MODELS = {
  'tiny-llama': PRESET_CONFIGS['tiny-llama'],
  'tiny-diffllama': PRESET_CONFIGS['tiny-diffllama'],
  /** vocab 32000, hidden 512, 8 layers, MHA 8/8 heads, MLP 1408, untied. */
  'random-58m': RANDOM_58M,
  /** reyllama/Llama_375M's shape: vocab 128256, hidden 1024, 16 layers, GQA 16/4, tied. */
  'random-375m': RANDOM_375M,
} as const;
export type TrainBenchModel = keyof typeof TRAIN_BENCH_MODELS;
export const isTrainBenchModel = (s: string): s is TrainBenchModel => s in TRAIN_BENCH_MODELS;

export interface BenchModel {
  config: ModelConfig;
  /** Every stored parameter (tied lm_head once), by state-dict name. */
  params: Map<string, Float32Array>;
  /** Number of parameter values. */
  count: number;
}

/** Config and seeded random weights of `name`, all in memory. */
export function benchModel(name: TrainBenchModel, seed: number): BenchModel {
  const hf = buildRandomConfig(TRAIN_BENCH_MODELS[name]);
  const config = parseModelConfig(hf);
  const params = new Map<string, Float32Array>();
  let count = 0;
  for (const spec of randomCheckpointParams(hf)) {
    const out = randomParamData(spec, seed);
    params.set(spec.name, out);
    count += out.length;
  }
  return { config, params, count };
}

/** `batch` rows of `seq` seeded random ids in [3, vocab); the labels are the ids (the loss shifts). */
export function benchBatch(vocab: number, batch: number, seq: number, seed: number): TrainingBatch {
  const rng = createRng(seed);
  const ids = new BigInt64Array(batch * seq);
  for (let i = 0; i < ids.length; i++) ids[i] = BigInt(3 + Math.floor(rng.next() * (vocab - 3)));
  return { dims: [batch, seq], inputIds: ids, labels: ids };
}
