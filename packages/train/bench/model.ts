// The bench models and their inputs, built in memory: configs (the tiny presets, the harness's
// random-58m and random-375m), seeded random weights with the values initRandomCheckpoint writes
// for the same seed (same per-tensor streams, float32), and a seeded batch of token ids.
// No checkpoint file: the real-shape weights (1.5 GB) never touch the disk.
import { inMemoryWeights } from '@exp/bench-kit/in-memory';
import { RANDOM_375M, RANDOM_58M } from '@exp/bench-kit/models';
import { createRng } from '@exp/data';
import { PRESET_CONFIGS, type ModelConfig } from '@exp/models';
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
  const { config, params } = inMemoryWeights(TRAIN_BENCH_MODELS[name], seed);
  let count = 0;
  for (const p of params.values()) count += p.length;
  return { config, params, count };
}

/** `batch` rows of `seq` seeded random ids in [3, vocab); the labels are the ids (the loss shifts). */
export function benchBatch(vocab: number, batch: number, seq: number, seed: number): TrainingBatch {
  const rng = createRng(seed);
  const ids = new BigInt64Array(batch * seq);
  for (let i = 0; i < ids.length; i++) ids[i] = BigInt(3 + Math.floor(rng.next() * (vocab - 3)));
  return { dims: [batch, seq], inputIds: ids, labels: ids };
}
