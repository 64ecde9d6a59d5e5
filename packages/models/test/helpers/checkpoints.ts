// Derived checkpoint folders for tests, built in a tmp dir from a golden checkpoint: other dtypes,
// shards, edited configs. Weight files are written fresh or symlinked, never copied into the repo.
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openCheckpoint } from '../../src/checkpoint.js';
import { f32ToBf16, f32ToF16 } from '../../src/safetensors/half.js';
import { bytesOf, writeSafetensors, type RawEntry } from './safetensors-bytes.js';
import { goldenDir, type GoldenModel } from './shared.js';

export type Dtype = 'F32' | 'F16' | 'BF16';

/** Tensor bytes in `dtype` (16-bit values rounded to nearest even). */
export function encode(values: Float32Array, dtype: Dtype): Uint8Array {
  if (dtype === 'F32') return bytesOf(values);
  return bytesOf(dtype === 'BF16' ? f32ToBf16(values) : f32ToF16(values));
}

export interface DeriveOptions {
  dtype?: Dtype;
  /** Split the tensors over this many shards with model.safetensors.index.json. */
  shards?: number;
  /** Edit config.json. */
  config?: (c: Record<string, unknown>) => Record<string, unknown>;
  /** Map each tensor's values before writing (e.g. round through bf16). */
  values?: (name: string, v: Float32Array) => Float32Array;
  /** Keep the golden model.safetensors (symlinked) instead of rewriting weights. */
  linkWeights?: boolean;
}

/** Builds `<dir>` as a checkpoint derived from the golden model `name`. */
export function deriveCheckpoint(name: GoldenModel, dir: string, opts: DeriveOptions = {}): string {
  const src = goldenDir(name);
  const config = JSON.parse(readFileSync(path.join(src, 'config.json'), 'utf8'));
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify(opts.config ? opts.config(config) : config, null, 2),
  );
  if (opts.linkWeights) {
    symlinkSync(path.join(src, 'model.safetensors'), path.join(dir, 'model.safetensors'));
    return dir;
  }
  const dtype = opts.dtype ?? 'F32';
  const ckpt = openCheckpoint(src);
  let entries: RawEntry[];
  try {
    entries = ckpt.names().map((n) => {
      const v = ckpt.readFloat32(n);
      const data = encode(opts.values ? opts.values(n, v) : v, dtype);
      return { name: n, dtype, shape: ckpt.info(n).shape, data };
    });
  } finally {
    ckpt.close();
  }
  const shards = opts.shards ?? 1;
  if (shards === 1) {
    writeSafetensors(path.join(dir, 'model.safetensors'), entries, { format: 'pt' });
    return dir;
  }
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = entries.filter((_, i) => i % shards === s);
    for (const e of part) weightMap[e.name] = file;
    writeSafetensors(path.join(dir, file), part, { format: 'pt' });
  }
  const total = entries.reduce((a, e) => a + e.data.length, 0);
  writeFileSync(
    path.join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2),
  );
  return dir;
}
