// The real models' shape in every dimension but depth, for rehearsals of the real path:
// REAL_SHAPE_CONFIG (the config of reyllama/Llama_375M and reyllama/DiffLlama-375M) with 2 layers
// instead of 16, so a checkpoint is 164M parameters (328 MB in bf16) and a CI run stays in minutes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { initPreset, PRESET_GENERATION_CONFIG, REAL_SHAPE_CONFIG } from '../../src/init/presets.js';
import { initRandomCheckpoint, type InitResult } from '../../src/init/random-checkpoint.js';
import { SUBFOLDER } from './hub-fixture.js';

export const REAL_SHAPE_LAYERS = 2;

const REAL_SHAPE = { ...REAL_SHAPE_CONFIG, num_hidden_layers: REAL_SHAPE_LAYERS };

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
