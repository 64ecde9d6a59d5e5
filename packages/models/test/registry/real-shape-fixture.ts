// The real models' shape in every dimension but depth, for rehearsals of the real path: the
// config of reyllama/Llama_375M and reyllama/DiffLlama-375M (docs/ANCHORS.md: vocab 128256,
// hidden 1024, GQA 16/4, head_dim 64, MLP 4096, 131072 positions, llama3 RoPE theta 500000 /
// factor 32 / original 8192, tied embeddings, bf16 weights) with 2 layers instead of 16, so a
// checkpoint is 164M parameters (328 MB in bf16) and a CI run stays in minutes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { initPreset, PRESET_GENERATION_CONFIG } from '../../src/init/presets.js';
import { initRandomCheckpoint, type InitResult } from '../../src/init/random-checkpoint.js';
import { SUBFOLDER } from './hub-fixture.js';

export const REAL_SHAPE_LAYERS = 2;

const REAL_SHAPE = {
  vocab_size: 128256,
  hidden_size: 1024,
  intermediate_size: 4096,
  num_hidden_layers: REAL_SHAPE_LAYERS,
  num_attention_heads: 16,
  num_key_value_heads: 4,
  head_dim: 64,
  max_position_embeddings: 131072,
  rms_norm_eps: 1e-5,
  rope_theta: 500000.0,
  rope_scaling: {
    rope_type: 'llama3',
    factor: 32.0,
    low_freq_factor: 1.0,
    high_freq_factor: 4.0,
    original_max_position_embeddings: 8192,
  },
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  bos_token_id: 128000,
  eos_token_id: 128001,
};

/** Config overrides (HF keys) of the real-shape Llama and DiffLlama. */
export const REAL_SHAPE_CONFIGS = {
  llama: { ...REAL_SHAPE, model_type: 'llama' },
  diffllama: { ...REAL_SHAPE, model_type: 'diffllama', lambda_std_dev: 0.1 },
} as const;

/**
 * Writes a seeded real-shape checkpoint of `modelType` to `dir` with the presets' tokenizer (the
 * real Llama 3 tokenizer.json with the post-processor that adds <|begin_of_text|>; taken from a
 * tiny preset written next to it, so both stay one definition) and generation config.
 */
export async function initRealShape(
  modelType: 'llama' | 'diffllama',
  dir: string,
  seed: number,
): Promise<InitResult> {
  const tokenizer = `${dir}-tokenizer`;
  await initPreset(`tiny-${modelType}`, tokenizer, { seed });
  return initRandomCheckpoint(dir, REAL_SHAPE_CONFIGS[modelType], {
    seed,
    tokenizerDir: tokenizer,
    generationConfig: PRESET_GENERATION_CONFIG,
  });
}

/** The files of a real-shape checkpoint as a repo's `checkpoint-64434/` folder. */
export async function realShapeRepoFiles(
  modelType: 'llama' | 'diffllama',
  dir: string,
  seed: number,
): Promise<Record<string, Buffer>> {
  await initRealShape(modelType, dir, seed);
  const files: Record<string, Buffer> = {
    'README.md': Buffer.from(
      `# real-shape ${modelType}, ${REAL_SHAPE_LAYERS} layers, seed ${seed}\n`,
    ),
  };
  for (const f of readdirSync(dir)) files[`${SUBFOLDER}/${f}`] = readFileSync(path.join(dir, f));
  return files;
}
