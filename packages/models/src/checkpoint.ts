// A Hugging Face checkpoint folder: config.json plus weights in model.safetensors, or sharded as
// model-0000i-of-0000n.safetensors listed by model.safetensors.index.json. Tensors are read one at
// a time on demand, so a multi-GB checkpoint is never held in memory as a whole.
import { ExpError } from '@exp/data';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadModelConfig, type ModelConfig } from './config.js';
import { SafetensorsFile, type SafetensorsDtype } from './safetensors/read.js';

/** A checkpoint folder that is incomplete or inconsistent; the message names file and tensor. */
export class CheckpointError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export const SINGLE_WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

export interface CheckpointTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute path of the file holding it. */
  file: string;
}

const indexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).optional(),
  weight_map: z.record(z.string(), z.string()),
});

function readIndex(file: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file}: not readable JSON: ${(e as Error).message}`);
  }
  const r = indexSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CheckpointError(
      `${file}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  for (const [name, shard] of Object.entries(r.data.weight_map)) {
    // Shards must sit beside the index: no absolute paths or parent references.
    if (path.isAbsolute(shard) || shard.split(/[\\/]/).includes('..')) {
      throw new CheckpointError(
        `${file}: weight_map.${name}: '${shard}' is not a file in the folder`,
      );
    }
  }
  return r.data.weight_map;
}

/** Lazy, read-only access to the tensors of a checkpoint folder. Close it when done. */
export class Checkpoint {
  readonly dir: string;
  readonly config: ModelConfig;
  /** Absolute paths of the weight files, in a stable order. */
  readonly weightFiles: string[];
  private readonly files = new Map<string, SafetensorsFile>();
  private readonly where = new Map<string, SafetensorsFile>();

  private constructor(dir: string, config: ModelConfig, weightFiles: string[]) {
    this.dir = dir;
    this.config = config;
    this.weightFiles = weightFiles;
  }

  /** Opens `dir`: validates config.json and every weight file's header. */
  static open(dir: string): Checkpoint {
    const abs = path.resolve(dir);
    const config = loadModelConfig(abs);
    const single = path.join(abs, SINGLE_WEIGHTS_FILE);
    const index = path.join(abs, WEIGHTS_INDEX_FILE);
    // Same preference as transformers: the single file first, then the sharded index.
    if (existsSync(single)) {
      const ckpt = new Checkpoint(abs, config, [single]);
      try {
        ckpt.attach(single, null);
        ckpt.checkArchitecture();
      } catch (e) {
        ckpt.close();
        throw e;
      }
      return ckpt;
    }
    if (existsSync(index)) {
      const map = readIndex(index);
      const shards = [...new Set(Object.values(map))].sort().map((s) => path.join(abs, s));
      const ckpt = new Checkpoint(abs, config, shards);
      try {
        for (const shard of shards) {
          if (!existsSync(shard)) {
            throw new CheckpointError(
              `${index}: lists shard ${path.basename(shard)}, which is missing`,
            );
          }
        }
        const byShard = new Map<string, string[]>();
        for (const [name, shard] of Object.entries(map)) {
          const p = path.join(abs, shard);
          byShard.set(p, [...(byShard.get(p) ?? []), name]);
        }
        for (const shard of shards) ckpt.attach(shard, byShard.get(shard) ?? [], index);
        ckpt.checkArchitecture();
      } catch (e) {
        ckpt.close();
        throw e;
      }
      return ckpt;
    }
    const exported = ['model.onnx', 'exp-model.json'].find((f) => existsSync(path.join(abs, f)));
    throw new CheckpointError(
      exported
        ? `${abs}: no ${SINGLE_WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE}; it has ${exported}, so it is an exported model folder, not a checkpoint${exported === 'model.onnx' ? '' : ' (and its model.onnx is missing: export it again)'}`
        : `${abs}: no ${SINGLE_WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE} (only safetensors checkpoints are supported)`,
    );
  }

  /**
   * config.json and the weights must be of one architecture: DiffLlama layers have
   * self_attn.lambda_* tensors, Llama layers none. Checked on layer 0 when the weights have one.
   */
  private checkArchitecture() {
    if (!this.has('model.layers.0.self_attn.q_proj.weight')) return;
    const hasLambda = this.has('model.layers.0.self_attn.lambda_q1');
    const wants = this.config.modelType === 'diffllama';
    if (hasLambda === wants) return;
    const weights = this.weightFiles.map((f) => path.basename(f)).join(', ');
    throw new CheckpointError(
      `${this.dir}: config.json says model_type ${this.config.modelType}, but the weights (${weights}) are ${hasLambda ? 'diffllama' : 'llama'}'s (${hasLambda ? 'with' : 'no'} self_attn.lambda_q1 tensors); config.json and the weights are from different checkpoints`,
    );
  }

  // Opens one weight file; with an index, checks the file holds what the index says it does.
  private attach(file: string, expected: string[] | null, index?: string) {
    const f = SafetensorsFile.open(file);
    this.files.set(file, f);
    const names = expected ?? f.names;
    for (const name of names) {
      if (!f.has(name)) {
        throw new CheckpointError(
          `${index}: maps '${name}' to ${path.basename(file)}, which has no such tensor`,
        );
      }
      this.where.set(name, f);
    }
  }

  names(): string[] {
    return [...this.where.keys()];
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  private file(name: string): SafetensorsFile {
    const f = this.where.get(name);
    if (!f) throw new CheckpointError(`${this.dir}: checkpoint has no tensor '${name}'`);
    return f;
  }

  info(name: string): CheckpointTensorInfo {
    const f = this.file(name);
    const { dtype, shape } = f.info(name);
    return { name, dtype, shape: [...shape], file: f.path };
  }

  /** One floating tensor as float32 (BF16/F16/F64 converted). */
  readFloat32(name: string): Float32Array {
    return this.file(name).readFloat32(name);
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
  }
}

/** Opens a checkpoint folder for lazy tensor reads (see Checkpoint). */
export function openCheckpoint(dir: string): Checkpoint {
  return Checkpoint.open(dir);
}

/** Opens `dir`, runs `fn`, closes the files whatever happens. */
export async function withCheckpoint<T>(
  dir: string,
  fn: (ckpt: Checkpoint) => T | Promise<T>,
): Promise<T> {
  const ckpt = Checkpoint.open(dir);
  try {
    return await fn(ckpt);
  } finally {
    ckpt.close();
  }
}

/**
 * Every floating tensor of a checkpoint as float32, keyed by state-dict name. Loads everything at
 * once, so meant for small models (tests, training of tiny models); use openCheckpoint otherwise.
 */
export function readCheckpointTensors(dir: string): Map<string, Float32Array> {
  const ckpt = Checkpoint.open(dir);
  try {
    return new Map(ckpt.names().map((n) => [n, ckpt.readFloat32(n)]));
  } finally {
    ckpt.close();
  }
}
