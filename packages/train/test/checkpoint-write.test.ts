// writeCheckpoint / readCheckpointParams on the five golden checkpoints.
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import {
  SafetensorsFile,
  bundledLlama3TokenizerDir,
  f32ToBf16,
  withSafetensors,
} from '@exp/models';
import { readCheckpointParams, writeCheckpoint } from '../src/index.js';
import { MODELS, goldenDir } from './golden-data.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-ckpt-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const tensorBytes = (file: string) =>
  withSafetensors(file, (f) => new Map(f.names.map((n) => [n, Buffer.from(f.readBytes(n))])));

describe('round trip of every golden checkpoint', () => {
  test.each(MODELS)('%s: same bytes per tensor, same file, config keys kept', async (model) => {
    const src = goldenDir(model);
    const out = path.join(tmp, `${model}-rt`);
    const res = await writeCheckpoint(out, readCheckpointParams(src), { sourceDir: src });
    expect(res.files).toEqual(['config.json', 'model.safetensors']);
    expect(res.dtype).toBe('float32');
    const a = tensorBytes(path.join(src, 'model.safetensors'));
    const b = tensorBytes(path.join(out, 'model.safetensors'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, bytes] of a) expect(b.get(name)!.equals(bytes)).toBe(true);
    // Same header layout as the Python writer: the whole file is byte-identical.
    expect(sha(path.join(out, 'model.safetensors'))).toBe(sha(path.join(src, 'model.safetensors')));
    expect(json(path.join(out, 'config.json'))).toEqual(json(path.join(src, 'config.json')));
    expect(b.has('lm_head.weight')).toBe(
      json(path.join(src, 'config.json')).tie_word_embeddings === false,
    );
  });
});

describe('writeCheckpoint', () => {
  test('architectures from model_type, never the folder name or a wrong architectures', async () => {
    // A DiffLlama source whose folder says llama and whose config claims LlamaForCausalLM.
    const src = path.join(tmp, 'llama_sft');
    cpSync(goldenDir('tiny-diffllama'), src, { recursive: true });
    chmodSync(path.join(src, 'config.json'), 0o644);
    const cfg = json(path.join(src, 'config.json'));
    writeFileSync(
      path.join(src, 'config.json'),
      JSON.stringify({ ...cfg, architectures: ['LlamaForCausalLM'] }),
    );
    const out = path.join(tmp, 'llama_sft-out');
    const res = await writeCheckpoint(out, readCheckpointParams(src), { sourceDir: src });
    expect(res.architecture).toBe('DiffLlamaForCausalLM');
    const written = json(path.join(out, 'config.json'));
    expect(written.architectures).toEqual(['DiffLlamaForCausalLM']);
    expect(Object.keys(written).sort()).toEqual(Object.keys(cfg).sort());
  });

  test('bfloat16: values rounded as f32ToBf16, torch_dtype follows; source dtype kept', async () => {
    const src = goldenDir('tiny-llama');
    const params = readCheckpointParams(src);
    const bf = path.join(tmp, 'bf16');
    expect((await writeCheckpoint(bf, params, { sourceDir: src, dtype: 'bfloat16' })).dtype).toBe(
      'bfloat16',
    );
    expect(json(path.join(bf, 'config.json')).torch_dtype).toBe('bfloat16');
    const f = SafetensorsFile.open(path.join(bf, 'model.safetensors'));
    try {
      for (const [name, p] of params) {
        const t = f.read(name);
        expect(t.dtype).toBe('BF16');
        expect(Array.from(t.data as Uint16Array)).toEqual(Array.from(f32ToBf16(p.data)));
      }
    } finally {
      f.close();
    }
    // bf16 -> float32 params -> 'source' (bf16) is exact: same bytes again.
    const again = path.join(tmp, 'bf16-again');
    const res = await writeCheckpoint(again, readCheckpointParams(bf), {
      sourceDir: bf,
      dtype: 'source',
    });
    expect(res.dtype).toBe('bfloat16');
    expect(sha(path.join(again, 'model.safetensors'))).toBe(
      sha(path.join(bf, 'model.safetensors')),
    );
    const half = path.join(tmp, 'f16');
    await writeCheckpoint(half, params, { sourceDir: src, dtype: 'float16' });
    expect(json(path.join(half, 'config.json')).torch_dtype).toBe('float16');
  });

  test('tokenizer files and generation_config.json are copied byte for byte', async () => {
    const src = path.join(tmp, 'with-tokenizer');
    cpSync(goldenDir('tiny-llama'), src, { recursive: true });
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
      copyFileSync(path.join(bundledLlama3TokenizerDir(), f), path.join(src, f));
    }
    writeFileSync(
      path.join(src, 'generation_config.json'),
      '{"bos_token_id": 1, "eos_token_id": 2}\n',
    );
    const out = path.join(tmp, 'with-tokenizer-out');
    const res = await writeCheckpoint(out, readCheckpointParams(src), { sourceDir: src });
    expect(res.files).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    for (const f of ['generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      expect(sha(path.join(out, f))).toBe(sha(path.join(src, f)));
    }
  });

  test('tied embeddings: no lm_head.weight; a drifted lm_head copy is refused', async () => {
    const src = goldenDir('tiny-llama-tied');
    const params = readCheckpointParams(src);
    const embed = params.get('model.embed_tokens.weight')!;
    const out = path.join(tmp, 'tied');
    await writeCheckpoint(out, new Map([...params, ['lm_head.weight', embed]]), { sourceDir: src });
    expect(
      withSafetensors(path.join(out, 'model.safetensors'), (f) => f.has('lm_head.weight')),
    ).toBe(false);
    const drifted = { data: embed.data.map((v) => v + 1), dims: embed.dims };
    await expect(
      writeCheckpoint(out, new Map([...params, ['lm_head.weight', drifted]]), { sourceDir: src }),
    ).rejects.toThrow(
      'lm_head.weight differs from model.embed_tokens.weight, but config.json ties them (tie_word_embeddings)',
    );
  });

  test('a failed write leaves nothing behind; foreign folders are not replaced', async () => {
    const src = goldenDir('tiny-llama');
    const params = readCheckpointParams(src);
    const out = path.join(tmp, 'failed');
    const missing = new Map(params);
    missing.delete('model.norm.weight');
    await expect(writeCheckpoint(out, missing, { sourceDir: src })).rejects.toThrow(
      "parameter 'model.norm.weight' is missing",
    );
    const bad = new Map(params);
    bad.set('model.norm.weight', { data: new Float32Array(3), dims: [3] });
    await expect(writeCheckpoint(out, bad, { sourceDir: src })).rejects.toThrow(
      "parameter 'model.norm.weight' has dims [3] and 3 values, config.json implies [64]",
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.startsWith('failed'))).toEqual([]);

    // Rewriting a checkpoint folder replaces it; a folder with other files is refused.
    const ok = path.join(tmp, 'rewrite');
    await writeCheckpoint(ok, params, { sourceDir: src });
    await writeCheckpoint(ok, params, { sourceDir: src });
    expect(readdirSync(tmp).filter((f) => f.startsWith('rewrite'))).toEqual(['rewrite']);
    writeFileSync(path.join(ok, 'notes.txt'), 'mine');
    await expect(writeCheckpoint(ok, params, { sourceDir: src })).rejects.toThrow(
      'holds files a checkpoint does not (notes.txt); write into a new or empty folder',
    );
    await expect(
      writeCheckpoint(
        path.join(tmp, 'x'),
        new Map([...params, ['extra', params.get('model.norm.weight')!]]),
        {
          sourceDir: src,
        },
      ),
    ).rejects.toThrow("parameter 'extra' is not a weight of this model");
  });
});
