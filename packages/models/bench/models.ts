// Benchmark models: seeded random checkpoints exported once to a cache folder (outside the repo).
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportCheckpoint } from '../src/export.js';
import { initPreset } from '../src/init/presets.js';
import { initRandomCheckpoint } from '../src/init/random-checkpoint.js';

export const BENCH_MODEL_NAMES = ['random-58m', 'tiny-llama', 'tiny-diffllama'] as const;
export type BenchModelName = (typeof BENCH_MODEL_NAMES)[number];

/** The 58M-parameter Llama of the reference measurements (untied, MHA 8/8). */
export const RANDOM_58M = {
  model_type: 'llama',
  vocab_size: 32000,
  hidden_size: 512,
  intermediate_size: 1408,
  num_hidden_layers: 8,
  num_attention_heads: 8,
  num_key_value_heads: 8,
  head_dim: 64,
  max_position_embeddings: 2048,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
};

export interface BenchModel {
  name: BenchModelName;
  /** Exported model folder (model.onnx + config.json + generation_config.json). */
  dir: string;
}

export function benchCacheDir(): string {
  return process.env.EXP_BENCH_DIR ?? path.join(os.tmpdir(), 'exp-bench-models');
}

/** Creates (or reuses) the checkpoint and export of a bench model. */
export async function prepareBenchModel(name: BenchModelName, log: (s: string) => void) {
  const root = path.join(benchCacheDir(), name);
  const ckpt = path.join(root, 'checkpoint');
  const dir = path.join(root, 'model');
  if (!existsSync(path.join(dir, 'exp-model.json'))) {
    log(`preparing ${name} in ${root} (once)`);
    if (name === 'random-58m')
      await initRandomCheckpoint(ckpt, RANDOM_58M, { tokenizerDir: false });
    else await initPreset(name, ckpt);
    await exportCheckpoint(ckpt, dir);
  }
  return { name, dir } satisfies BenchModel;
}
