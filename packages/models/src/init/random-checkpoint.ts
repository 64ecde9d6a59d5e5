// A seeded, randomly initialised checkpoint in Hugging Face layout (config.json,
// generation_config.json, model.safetensors, optionally tokenizer files), initialised the way
// transformers' `_init_weights` does it: Linear and Embedding weights normal(0,
// initializer_range), RMSNorm weights 1, DiffLlama lambdas normal(0, lambda_std_dev), the
// embedding row of pad_token_id (when set) zero.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeSafetensors, type TensorToWrite, type WritableDtype } from '../safetensors/write.js';
import { bundledLlama3TokenizerDir } from '../tokenizer/llama3.js';
import { buildRandomConfig, TRANSFORMERS_VERSION_LABEL, type RandomConfig } from './hf-config.js';
import { NormalSampler, Xoshiro128 } from './prng.js';
import { toPythonJson } from './pyjson.js';
import type { GenerationConfigFile } from '../generation-config.js';

/** The seed used when none is given. */
export const DEFAULT_INIT_SEED = 20240601;

/** Tokenizer files copied into a checkpoint. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'] as const;

export interface InitOptions {
  /** Seed of every random draw; default {@link DEFAULT_INIT_SEED}. */
  seed?: number;
  /**
   * Folder whose tokenizer.json / tokenizer_config.json are copied in, or false for none.
   * Default: the bundled Llama-3 tokenizer when vocab_size >= 128256 (its ids fit), else none.
   */
  tokenizerDir?: string | false;
  /** generation_config.json contents; default bos/eos from the config. */
  generationConfig?: GenerationConfigFile;
  /**
   * Stored dtype (config.json torch_dtype and the safetensors dtype); overrides the config's
   * torch_dtype. The real reyllama checkpoints are bfloat16. Values are drawn in float32 and
   * rounded to nearest even, so a bf16 checkpoint holds the float32 one's values rounded.
   */
  dtype?: RandomConfig['torch_dtype'];
}

export interface InitResult {
  dir: string;
  config: RandomConfig;
  /** Files written, relative to `dir`, sorted. */
  files: string[];
  /** Number of stored parameters (tied lm_head counted once). */
  parameters: number;
}

type Init = { kind: 'normal'; std: number } | { kind: 'ones' };

interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  /** Row to zero after drawing (embedding padding_idx). */
  zeroRow?: number;
}

/** State-dict names, shapes and init of every stored parameter, in transformers' order. */
export function randomCheckpointParams(config: RandomConfig): ParamSpec[] {
  const H = config.hidden_size;
  const I = config.intermediate_size;
  const V = config.vocab_size;
  const qDim = config.num_attention_heads * config.head_dim;
  const kvDim = config.num_key_value_heads * config.head_dim;
  const linear: Init = { kind: 'normal', std: config.initializer_range };
  const ones: Init = { kind: 'ones' };
  const params: ParamSpec[] = [
    {
      name: 'model.embed_tokens.weight',
      shape: [V, H],
      init: linear,
      zeroRow: config.pad_token_id ?? undefined,
    },
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    params.push(
      { name: `${p}.self_attn.q_proj.weight`, shape: [qDim, H], init: linear },
      { name: `${p}.self_attn.k_proj.weight`, shape: [kvDim, H], init: linear },
      { name: `${p}.self_attn.v_proj.weight`, shape: [kvDim, H], init: linear },
      { name: `${p}.self_attn.o_proj.weight`, shape: [H, qDim], init: linear },
    );
    if (config.model_type === 'diffllama') {
      const lambda: Init = { kind: 'normal', std: config.lambda_std_dev ?? 0.1 };
      for (const n of ['lambda_q1', 'lambda_k1', 'lambda_q2', 'lambda_k2']) {
        params.push({ name: `${p}.self_attn.${n}`, shape: [config.head_dim], init: lambda });
      }
    }
    params.push(
      { name: `${p}.mlp.gate_proj.weight`, shape: [I, H], init: linear },
      { name: `${p}.mlp.up_proj.weight`, shape: [I, H], init: linear },
      { name: `${p}.mlp.down_proj.weight`, shape: [H, I], init: linear },
      { name: `${p}.input_layernorm.weight`, shape: [H], init: ones },
      { name: `${p}.post_attention_layernorm.weight`, shape: [H], init: ones },
    );
  }
  params.push({ name: 'model.norm.weight', shape: [H], init: ones });
  if (!config.tie_word_embeddings)
    params.push({ name: 'lm_head.weight', shape: [V, H], init: linear });
  return params;
}

// Values are generated in chunks of this many floats, so a large embedding streams to disk.
const CHUNK = 1 << 20;

/** The values of one parameter, chunk by chunk; each parameter has its own seeded stream. */
function* paramValues(spec: ParamSpec, seed: number): Generator<Float32Array> {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const rowLength = spec.shape.length > 1 ? spec.shape[1]! : count;
  const normal =
    spec.init.kind === 'normal' ? new NormalSampler(new Xoshiro128(seed, spec.name)) : undefined;
  for (let start = 0; start < count; start += CHUNK) {
    const out = new Float32Array(Math.min(CHUNK, count - start));
    if (normal && spec.init.kind === 'normal') normal.fill(out, spec.init.std);
    else out.fill(1);
    if (spec.zeroRow !== undefined) {
      // Zero the part of the padding row that falls in this chunk.
      const rowStart = spec.zeroRow * rowLength - start;
      const from = Math.max(0, rowStart);
      const to = Math.min(out.length, rowStart + rowLength);
      if (from < to) out.fill(0, from, to);
    }
    yield out;
  }
}

/** One parameter's seeded values, whole: the floats initRandomCheckpoint writes for it. */
export function randomParamData(spec: ParamSpec, seed: number): Float32Array {
  const out = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
  let at = 0;
  for (const chunk of paramValues(spec, seed)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const DTYPE: Record<RandomConfig['torch_dtype'], WritableDtype> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
};

/**
 * Writes a seeded random checkpoint to `outDir` from config overrides (HF keys, e.g.
 * `{ model_type: 'llama', vocab_size: 32000, hidden_size: 512, num_hidden_layers: 8, ... }`).
 * Same config and seed -> byte-identical files.
 */
export async function initRandomCheckpoint(
  outDir: string,
  configOverrides: Record<string, unknown>,
  options: InitOptions = {},
): Promise<InitResult> {
  const seed = options.seed ?? DEFAULT_INIT_SEED;
  const config = buildRandomConfig(
    options.dtype ? { ...configOverrides, torch_dtype: options.dtype } : configOverrides,
  );
  const params = randomCheckpointParams(config);
  await mkdir(outDir, { recursive: true });

  const dtype = DTYPE[config.torch_dtype];
  const tensors: TensorToWrite[] = params.map((spec) => ({
    name: spec.name,
    dtype,
    shape: spec.shape,
    data: () => paramValues(spec, seed),
  }));
  await writeSafetensors(path.join(outDir, 'model.safetensors'), tensors, { format: 'pt' });
  await writeFile(path.join(outDir, 'config.json'), toPythonJson(config));
  const generation = options.generationConfig ?? {
    bos_token_id: config.bos_token_id ?? undefined,
    eos_token_id: config.eos_token_id ?? undefined,
    pad_token_id: config.pad_token_id ?? undefined,
  };
  await writeFile(
    path.join(outDir, 'generation_config.json'),
    toPythonJson({ transformers_version: TRANSFORMERS_VERSION_LABEL, ...generation }),
  );
  const files = ['config.json', 'generation_config.json', 'model.safetensors'];

  const tokenizerDir =
    options.tokenizerDir ?? (config.vocab_size >= 128256 ? bundledLlama3TokenizerDir() : false);
  if (tokenizerDir) {
    for (const f of TOKENIZER_FILES) {
      await copyFile(path.join(tokenizerDir, f), path.join(outDir, f));
      files.push(f);
    }
  }
  return {
    dir: outDir,
    config,
    files: files.sort(),
    parameters: params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
  };
}
