// Benchmark models: the presets every bench names (random-58m, the tiny presets, random-375m in
// the real models' shape) and their seeded random checkpoints, exported once to the bench cache.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  PRESET_CONFIGS,
  exportCheckpoint,
  initPreset,
  initRandomCheckpoint,
} from './models-src.js';
import { benchCacheDir, type Log } from './paths.js';

export const BENCH_MODEL_NAMES = [
  'random-58m',
  'tiny-llama',
  'tiny-diffllama',
  'random-375m',
] as const;
export type BenchModelName = (typeof BENCH_MODEL_NAMES)[number];
/** What `pnpm bench generate` runs without --models (random-375m: ~1.5 GB export, slow). */
export const DEFAULT_BENCH_MODELS: readonly BenchModelName[] = [
  'random-58m',
  'tiny-llama',
  'tiny-diffllama',
];

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

/**
 * Random weights in the real models' shape (reyllama/Llama_375M): the tiny presets' config
 * (Llama-3 vocabulary 128256, tied embeddings, llama3 RoPE scaling) at full size, GQA 16/4;
 * 375M parameters, 1.5 GB in float32.
 */
export const RANDOM_375M = {
  ...PRESET_CONFIGS['tiny-llama'],
  hidden_size: 1024,
  intermediate_size: 4096,
  num_hidden_layers: 16,
  num_attention_heads: 16,
  num_key_value_heads: 4,
  head_dim: 64,
};

export interface BenchModel {
  name: BenchModelName;
  /** Exported model folder (model.onnx + config.json + generation_config.json). */
  dir: string;
}

/** Creates (or reuses) the checkpoint and export of a bench model. */
export async function prepareBenchModel(name: BenchModelName, log: Log) {
  const root = path.join(benchCacheDir(), name);
  const ckpt = path.join(root, 'checkpoint');
  const dir = path.join(root, 'model');
  if (!existsSync(path.join(dir, 'exp-model.json'))) {
    log(`preparing ${name} in ${root} (once)`);
    if (name === 'random-58m')
      await initRandomCheckpoint(ckpt, RANDOM_58M, { tokenizerDir: false });
    else if (name === 'random-375m')
      await initRandomCheckpoint(ckpt, RANDOM_375M, { tokenizerDir: false });
    else await initPreset(name, ckpt);
    await exportCheckpoint(ckpt, dir);
  }
  return { name, dir } satisfies BenchModel;
}
