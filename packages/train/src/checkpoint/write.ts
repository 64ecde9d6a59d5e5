// Writes a Hugging Face checkpoint folder from trained parameters. The architecture comes from
// the source config's model_type, never from a folder name (the original reloaded its fine-tuned
// DiffLlama as a Llama because the class was picked by folder name).
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  expectedWeights,
  loadModelConfig,
  openCheckpoint,
  writeSafetensors,
  type ModelType,
  type TensorToWrite,
  type WritableDtype,
} from '@exp/models';
import { writeFolderAtomically } from './atomic.js';
import { CheckpointWriteError, type CheckpointParams } from './params.js';

/** The transformers class of each model_type, written to config.json `architectures`. */
export const ARCHITECTURES: Record<ModelType, string> = {
  llama: 'LlamaForCausalLM',
  diffllama: 'DiffLlamaForCausalLM',
};

/** Files copied unchanged from the source folder when present. */
export const CHECKPOINT_COPIED_FILES = [
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'tokenizer.model',
] as const;
export const CHECKPOINT_FILES = ['config.json', 'model.safetensors', ...CHECKPOINT_COPIED_FILES];

/** 'source': the dtype of the source's embedding (float32 if it is none of these). */
export type CheckpointDtype = 'float32' | 'bfloat16' | 'float16' | 'source';
type StoredDtype = Exclude<CheckpointDtype, 'source'>;

const TO_SAFETENSORS: Record<StoredDtype, WritableDtype> = {
  float32: 'F32',
  bfloat16: 'BF16',
  float16: 'F16',
};
const FROM_SAFETENSORS: Partial<Record<string, StoredDtype>> = {
  F32: 'float32',
  BF16: 'bfloat16',
  F16: 'float16',
};

export interface WriteCheckpointOptions {
  /** The checkpoint trained from: config.json, tokenizer files, generation_config.json. */
  sourceDir: string;
  /** Stored dtype; default float32 (what training holds). 16-bit rounds to nearest even. */
  dtype?: CheckpointDtype;
}

export interface WriteCheckpointResult {
  dir: string;
  architecture: string;
  dtype: StoredDtype;
  /** Files in the folder, sorted. */
  files: string[];
}

function sourceDtype(dir: string): StoredDtype {
  const ckpt = openCheckpoint(dir);
  try {
    return FROM_SAFETENSORS[ckpt.info('model.embed_tokens.weight').dtype] ?? 'float32';
  } finally {
    ckpt.close();
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The tensors to store: exactly the config's weights, each checked against its shape. */
function tensorsToWrite(
  dir: string,
  params: CheckpointParams,
  expected: Map<string, number[]>,
  dtype: WritableDtype,
): TensorToWrite[] {
  for (const name of params.keys()) {
    if (expected.has(name)) continue;
    if (name === 'lm_head.weight') {
      // Tied: the head is the embedding; a separate copy that drifted would be silently lost.
      const head = params.get(name)!.data;
      const embed = params.get('model.embed_tokens.weight')?.data;
      if (embed && head.length === embed.length && head.every((v, i) => Object.is(v, embed[i]))) {
        continue;
      }
      throw new CheckpointWriteError(
        `${dir}: lm_head.weight differs from model.embed_tokens.weight, but config.json ties them (tie_word_embeddings)`,
      );
    }
    throw new CheckpointWriteError(`${dir}: parameter '${name}' is not a weight of this model`);
  }
  return [...expected].map(([name, shape]) => {
    const p = params.get(name);
    if (!p) throw new CheckpointWriteError(`${dir}: parameter '${name}' is missing`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (!sameDims(p.dims, shape) || p.data.length !== count) {
      throw new CheckpointWriteError(
        `${dir}: parameter '${name}' has dims [${p.dims.join(', ')}] and ${p.data.length} values, config.json implies [${shape.join(', ')}]`,
      );
    }
    return { name, dtype, shape, data: p.data };
  });
}

/**
 * Writes `params` as a checkpoint folder `outDir` (config.json, model.safetensors, the source's
 * tokenizer and generation files), atomically. config.json is the source's with `architectures`
 * set from model_type and torch_dtype (and v5 `dtype`, if present) set to the stored dtype.
 */
export async function writeCheckpoint(
  outDir: string,
  params: CheckpointParams,
  opts: WriteCheckpointOptions,
): Promise<WriteCheckpointResult> {
  const src = path.resolve(opts.sourceDir);
  const dst = path.resolve(outDir);
  const config = loadModelConfig(src);
  const want = opts.dtype ?? 'float32';
  if (!(want === 'source' || want in TO_SAFETENSORS)) {
    throw new CheckpointWriteError(
      `dtype '${String(want)}' is not supported (supported: float32, bfloat16, float16, source)`,
    );
  }
  const dtype = want === 'source' ? sourceDtype(src) : want;
  const tensors = tensorsToWrite(dst, params, expectedWeights(config), TO_SAFETENSORS[dtype]);
  const architecture = ARCHITECTURES[config.modelType];
  const raw = JSON.parse(readFileSync(path.join(src, 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const json: Record<string, unknown> = { ...raw, architectures: [architecture] };
  json.torch_dtype = dtype;
  if ('dtype' in raw) json.dtype = dtype;

  const files = await writeFolderAtomically(dst, CHECKPOINT_FILES, async (tmp) => {
    writeFileSync(path.join(tmp, 'config.json'), `${JSON.stringify(json, null, 2)}\n`);
    await writeSafetensors(path.join(tmp, 'model.safetensors'), tensors, { format: 'pt' });
    const written = ['config.json', 'model.safetensors'];
    for (const f of CHECKPOINT_COPIED_FILES) {
      if (!existsSync(path.join(src, f))) continue;
      copyFileSync(path.join(src, f), path.join(tmp, f));
      // Sources may be read-only (a hub cache, shared data); the copy must stay writable.
      chmodSync(path.join(tmp, f), 0o644);
      written.push(f);
    }
    return written.sort();
  });
  return { dir: dst, architecture, dtype, files };
}
