// Tiny seeded checkpoints shaped like the real 375M models (reyllama/Llama_375M,
// reyllama/DiffLlama-375M): Llama-3 tokenizer and vocabulary, llama3 RoPE scaling, GQA 4:1,
// tied embeddings, float32. Small enough to create in well under two seconds, so tests and
// demos run the whole pipeline without a download.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundledLlama3TokenizerDir } from '../tokenizer/llama3.js';
import { buildRandomConfig, InitError } from './hf-config.js';
import { toPythonJson } from './pyjson.js';
import type { GenerationConfigFile } from '../generation-config.js';
import {
  DEFAULT_INIT_SEED,
  initRandomCheckpoint,
  TOKENIZER_FILES,
  type InitOptions,
  type InitResult,
} from './random-checkpoint.js';

export const PRESET_NAMES = ['tiny-llama', 'tiny-diffllama'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

// Shared by both presets so that a Llama / DiffLlama comparison is like for like.
// Two KV heads because transformers 5 refuses DiffLlama with an odd number of them; 8 query
// heads keep GQA 4:1 and head_dim 8 keeps heads * head_dim = hidden_size. transformers warns
// unless the rope's original_max_position_embeddings is below max_position_embeddings; the
// original is lowered to 512 rather than the maximum raised, because every position up to
// max_position_embeddings is a row of the external-kv decode graph's RoPE cos/sin tables
// (causal-lm.ts maxPositions). 512 also puts head_dim 8's four wavelengths (6.3, 167, 4443,
// 118k) in all three llama3 bands: kept (< 128), smoothed (128..512), divided by the factor.
const TINY_SHAPE = {
  vocab_size: 128256,
  hidden_size: 64,
  intermediate_size: 192,
  num_hidden_layers: 2,
  num_attention_heads: 8,
  num_key_value_heads: 2,
  head_dim: 8,
  max_position_embeddings: 2048,
  rms_norm_eps: 1e-5,
  rope_theta: 500000.0,
  rope_scaling: {
    rope_type: 'llama3',
    factor: 32.0,
    low_freq_factor: 1.0,
    high_freq_factor: 4.0,
    original_max_position_embeddings: 512,
  },
  tie_word_embeddings: true,
  torch_dtype: 'float32',
  bos_token_id: 128000,
  eos_token_id: 128001,
};

/** Config overrides of each preset (HF keys). */
export const PRESET_CONFIGS: Record<PresetName, Record<string, unknown>> = {
  'tiny-llama': { ...TINY_SHAPE, model_type: 'llama' },
  'tiny-diffllama': { ...TINY_SHAPE, model_type: 'diffllama', lambda_std_dev: 0.1 },
};

/** config.json of preset `name` as initPreset writes it (to tell a stale generated copy). */
export function presetConfigJson(name: PresetName): string {
  return toPythonJson(buildRandomConfig(PRESET_CONFIGS[name]));
}

/**
 * The real models' config.json fields (reyllama/Llama_375M and reyllama/DiffLlama-375M,
 * checkpoint-64434): Llama 3 vocabulary, hidden 1024, 16 layers, GQA 16/4,
 * head_dim 64, MLP 4096, 131072 positions, llama3 RoPE (theta 500000, factor 32, original 8192),
 * tied embeddings, bf16 weights. Tests and benches build random checkpoints of this shape with
 * fewer layers; a DiffLlama adds `model_type: 'diffllama'` and its `lambda_std_dev`.
 */
export const REAL_SHAPE_CONFIG = {
  model_type: 'llama',
  vocab_size: 128256,
  hidden_size: 1024,
  intermediate_size: 4096,
  num_hidden_layers: 16,
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
} as const;

/** generation_config.json of the presets: stop on <|end_of_text|> or <|eot_id|>. */
export const PRESET_GENERATION_CONFIG = {
  bos_token_id: 128000,
  eos_token_id: [128001, 128009],
} satisfies GenerationConfigFile;

export interface InitPresetOptions {
  /** Default {@link DEFAULT_INIT_SEED}. */
  seed?: number;
  /** Stored dtype; default float32 (the presets' torch_dtype). */
  dtype?: InitOptions['dtype'];
}

/**
 * Writes preset `name` to `outDir`: config.json, generation_config.json, model.safetensors and
 * the real Llama-3 tokenizer.json / tokenizer_config.json. Same seed -> byte-identical files.
 */
export async function initPreset(
  name: PresetName,
  outDir: string,
  options: InitPresetOptions = {},
): Promise<InitResult> {
  const config = PRESET_CONFIGS[name as PresetName];
  if (!config) {
    throw new InitError(
      `unknown preset ${JSON.stringify(name)}; known: ${PRESET_NAMES.join(', ')}`,
    );
  }
  const result = await initRandomCheckpoint(outDir, config, {
    seed: options.seed ?? DEFAULT_INIT_SEED,
    tokenizerDir: bundledLlama3TokenizerDir(),
    generationConfig: PRESET_GENERATION_CONFIG,
    ...(options.dtype ? { dtype: options.dtype } : {}),
  });
  await addBosTemplate(path.join(outDir, 'tokenizer.json'));
  return result;
}

/**
 * Writes only the presets' tokenizer files to `outDir` (which must exist): the bundled Llama-3
 * tokenizer.json with the BOS template below, and its tokenizer_config.json. Tests use it to get
 * the real models' encoding without writing weights.
 */
export async function writePresetTokenizer(outDir: string): Promise<void> {
  const from = bundledLlama3TokenizerDir();
  for (const f of TOKENIZER_FILES) {
    await copyFile(path.join(from, f), path.join(outDir, f));
  }
  await addBosTemplate(path.join(outDir, 'tokenizer.json'));
}

/**
 * The bundled tokenizer.json is the first Llama-3 release, whose post-processor adds no
 * <|begin_of_text|>; Meta's current files (and the models trained with them) do. Presets get
 * the current post-processor so that prompts encode as they would for the real models.
 */
async function addBosTemplate(file: string): Promise<void> {
  const tokenizer = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const bos = { id: '<|begin_of_text|>', type_id: 0 };
  tokenizer.post_processor = {
    type: 'Sequence',
    processors: [
      { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: bos }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [
          { SpecialToken: bos },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { ...bos, type_id: 1 } },
          { Sequence: { id: 'B', type_id: 1 } },
        ],
        special_tokens: {
          '<|begin_of_text|>': {
            id: '<|begin_of_text|>',
            ids: [128000],
            tokens: ['<|begin_of_text|>'],
          },
        },
      },
    ],
  };
  await writeFile(file, JSON.stringify(tokenizer, null, 2) + '\n');
}
