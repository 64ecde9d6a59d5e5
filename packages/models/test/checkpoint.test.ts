import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CheckpointError,
  openCheckpoint,
  readCheckpointTensors,
  withCheckpoint,
} from '../src/checkpoint.js';
import { bf16ToF32, f32ToBf16 } from '../src/safetensors/half.js';
import { deriveCheckpoint } from './helpers/checkpoints.js';
import { bytesOf } from './helpers/safetensors-bytes.js';
import { goldenDir } from './helpers/shared.js';

let tmp: string;
let n = 0;
const fresh = () => {
  const d = path.join(tmp, `c${n++}`);
  mkdirSync(d);
  return d;
};
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-ckpt-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sameBytes = (a: Float32Array, b: Float32Array) => Buffer.from(bytesOf(a)).equals(bytesOf(b));

const golden = readCheckpointTensors(goldenDir('tiny-llama'));

describe('Checkpoint', () => {
  it('opens a single-file checkpoint with its config', async () => {
    await withCheckpoint(goldenDir('tiny-llama'), (c) => {
      expect(c.config.modelType).toBe('llama');
      expect(c.names()).toHaveLength(2 * 9 + 3);
      expect(c.info('model.layers.0.self_attn.k_proj.weight')).toMatchObject({
        dtype: 'F32',
        shape: [32, 64],
      });
      expect(c.weightFiles).toEqual([path.join(goldenDir('tiny-llama'), 'model.safetensors')]);
      expect(c.has('lm_head.weight')).toBe(true);
    });
    expect(golden.get('model.embed_tokens.weight')).toHaveLength(512 * 64);
  });

  it('reads sharded checkpoints through model.safetensors.index.json', () => {
    const dir = deriveCheckpoint('tiny-llama', fresh(), { shards: 3 });
    const c = openCheckpoint(dir);
    try {
      expect(c.weightFiles.map((f) => path.basename(f))).toEqual([
        'model-00001-of-00003.safetensors',
        'model-00002-of-00003.safetensors',
        'model-00003-of-00003.safetensors',
      ]);
      expect(c.names().sort()).toEqual([...golden.keys()].sort());
      for (const [name, v] of golden) expect(sameBytes(c.readFloat32(name), v)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('converts BF16 weights to float32 exactly', () => {
    const dir = deriveCheckpoint('tiny-llama', fresh(), { dtype: 'BF16' });
    const tensors = readCheckpointTensors(dir);
    const w = golden.get('model.layers.1.mlp.up_proj.weight')!;
    expect(
      sameBytes(tensors.get('model.layers.1.mlp.up_proj.weight')!, bf16ToF32(f32ToBf16(w))),
    ).toBe(true);
  });

  it('reports a folder without weights', () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2' }));
    expect(() => openCheckpoint(dir)).toThrow('unsupported architecture "gpt2"');
    const empty = deriveCheckpoint('tiny-llama', fresh(), {});
    rmSync(path.join(empty, 'model.safetensors'));
    expect(() => openCheckpoint(empty)).toThrow(
      new CheckpointError(
        `${empty}: no model.safetensors or model.safetensors.index.json (only safetensors checkpoints are supported)`,
      ),
    );
  });

  it('rejects an index that lists a missing shard, a tensor the shard lacks, or a path outside', () => {
    const dir = deriveCheckpoint('tiny-llama', fresh(), { shards: 2 });
    const index = path.join(dir, 'model.safetensors.index.json');
    const write = (map: Record<string, string>) =>
      writeFileSync(index, JSON.stringify({ weight_map: map }));
    write({ 'model.norm.weight': 'model-00009-of-00009.safetensors' });
    expect(() => openCheckpoint(dir)).toThrow(
      `${index}: lists shard model-00009-of-00009.safetensors, which is missing`,
    );
    write({ 'no.such.tensor': 'model-00001-of-00002.safetensors' });
    expect(() => openCheckpoint(dir)).toThrow(
      `${index}: maps 'no.such.tensor' to model-00001-of-00002.safetensors, which has no such tensor`,
    );
    write({ x: '../model.safetensors' });
    expect(() => openCheckpoint(dir)).toThrow(
      `${index}: weight_map.x: '../model.safetensors' is not a file in the folder`,
    );
    writeFileSync(index, JSON.stringify({ weight_map: [] }));
    expect(() => openCheckpoint(dir)).toThrow(`${index}: field weight_map`);
  });

  it('names the checkpoint for a missing tensor', () => {
    const c = openCheckpoint(goldenDir('tiny-llama-tied'));
    try {
      expect(() => c.readFloat32('lm_head.weight')).toThrow(
        `${goldenDir('tiny-llama-tied')}: checkpoint has no tensor 'lm_head.weight'`,
      );
    } finally {
      c.close();
    }
  });

  it('refuses a config.json of the other architecture than the weights', () => {
    const dir = deriveCheckpoint('tiny-llama', fresh(), {
      linkWeights: true,
      config: (c) => ({ ...c, model_type: 'diffllama', architectures: ['DiffLlamaForCausalLM'] }),
    });
    expect(() => openCheckpoint(dir)).toThrow(
      `${dir}: config.json says model_type diffllama, but the weights (model.safetensors) are llama's (no self_attn.lambda_q1 tensors); config.json and the weights are from different checkpoints`,
    );
    const sharded = deriveCheckpoint('tiny-diffllama', fresh(), {
      shards: 2,
      config: (c) => ({ ...c, model_type: 'llama', architectures: ['LlamaForCausalLM'] }),
    });
    expect(() => openCheckpoint(sharded)).toThrow(
      "config.json says model_type llama, but the weights (model-00001-of-00002.safetensors, model-00002-of-00002.safetensors) are diffllama's (with self_attn.lambda_q1 tensors)",
    );
  });

  it('says when the folder is an export, not a checkpoint', () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    for (const f of ['config.json']) {
      writeFileSync(path.join(dir, f), readFileSync(path.join(goldenDir('tiny-llama'), f)));
    }
    writeFileSync(path.join(dir, 'model.onnx'), '');
    expect(() => openCheckpoint(dir)).toThrow(
      `${dir}: no model.safetensors or model.safetensors.index.json; it has model.onnx, so it is an exported model folder, not a checkpoint`,
    );
  });
});
