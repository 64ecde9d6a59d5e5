import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ropeInvFreq } from '../../src/arch/rope.js';
import { parseModelConfig } from '../../src/config.js';
import { f32ToBf16 } from '../../src/safetensors/half.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { InitError } from '../../src/init/hf-config.js';
import {
  initPreset,
  PRESET_CONFIGS,
  PRESET_GENERATION_CONFIG,
  PRESET_NAMES,
  type PresetName,
} from '../../src/init/presets.js';
import { initRandomCheckpoint } from '../../src/init/random-checkpoint.js';

const SHARED =
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../../shared', import.meta.url));
const GOLDEN = path.join(SHARED, 'golden');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-init-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hashes(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(path.join(dir, f)))
          .digest('hex'),
      ]),
  );
}

function headerBytes(file: string): Buffer {
  const buf = readFileSync(file);
  return buf.subarray(0, 8 + Number(buf.readBigUInt64LE(0)));
}

function stats(values: Float32Array) {
  let sum = 0;
  let sq = 0;
  for (const v of values) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(sq / values.length - mean * mean) };
}

describe.each(PRESET_NAMES.map((n) => [n]))('preset %s', (name: PresetName) => {
  const isDiff = name === 'tiny-diffllama';

  test('same seed -> byte-identical files; another seed -> other weights only', async () => {
    const a = await initPreset(name, path.join(tmp, `${name}-a`));
    await initPreset(name, path.join(tmp, `${name}-b`));
    await initPreset(name, path.join(tmp, `${name}-c`), { seed: 7 });
    expect(a.files).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const ha = hashes(path.join(tmp, `${name}-a`));
    expect(hashes(path.join(tmp, `${name}-b`))).toEqual(ha);
    const hc = hashes(path.join(tmp, `${name}-c`));
    expect(hc['model.safetensors']).not.toBe(ha['model.safetensors']);
    expect({ ...hc, 'model.safetensors': '' }).toEqual({ ...ha, 'model.safetensors': '' });
  });

  test('config.json in HF format, accepted by the config parser', () => {
    const dir = path.join(tmp, `${name}-a`);
    const text = readFileSync(path.join(dir, 'config.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('  "rms_norm_eps": 1e-05,\n');
    expect(text).toContain('  "rope_theta": 500000.0,\n');
    expect(text).toContain(
      '  "rope_scaling": {\n    "factor": 32.0,\n    "high_freq_factor": 4.0,\n    "low_freq_factor": 1.0,\n' +
        '    "original_max_position_embeddings": 512,\n    "rope_type": "llama3"\n  },\n',
    );
    const raw = JSON.parse(text);
    expect(Object.keys(raw)).toEqual(Object.keys(raw).sort());
    expect(raw).toMatchObject({
      architectures: [isDiff ? 'DiffLlamaForCausalLM' : 'LlamaForCausalLM'],
      model_type: isDiff ? 'diffllama' : 'llama',
      vocab_size: 128256,
      bos_token_id: 128000,
      eos_token_id: 128001,
      tie_word_embeddings: true,
      torch_dtype: 'float32',
    });
    expect(raw.lambda_std_dev).toBe(isDiff ? 0.1 : undefined);
    const cfg = parseModelConfig(raw, path.join(dir, 'config.json'));
    expect(cfg).toMatchObject({
      modelType: isDiff ? 'diffllama' : 'llama',
      vocabSize: 128256,
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 8,
      numKvHeads: 2,
      headDim: 8,
      rmsNormEps: 1e-5,
      ropeTheta: 500000,
      ropeScaling: {
        type: 'llama3',
        factor: 32,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalMaxPositionEmbeddings: 512,
      },
      tieWordEmbeddings: true,
    });
    expect(readFileSync(path.join(dir, 'generation_config.json'), 'utf8')).toBe(
      '{\n  "bos_token_id": 128000,\n  "eos_token_id": [\n    128001,\n    128009\n  ],\n' +
        '  "transformers_version": "4.51.3"\n}\n',
    );
  });

  test('llama3 rope: the four frequencies fall in all three bands (kept, smoothed, divided by 32)', () => {
    const raw = JSON.parse(readFileSync(path.join(tmp, `${name}-a`, 'config.json'), 'utf8'));
    // Unscaled: 1, 0.0376, 0.00141, 5.32e-5 (wavelengths 6.3, 167, 4443, 118k against 128..512).
    expect([...ropeInvFreq(parseModelConfig(raw, 'config.json'))]).toEqual([
      1, 0.026244645938277245, 0.000044194170186528936, 0.0000016619674170215148,
    ]);
  });

  test('weights: HF names and shapes, no lm_head, normal(0, 0.02) / ones / lambdas', () => {
    const tensors = readSafetensors(path.join(tmp, `${name}-a`, 'model.safetensors'));
    const perLayer = [
      'input_layernorm.weight',
      'mlp.down_proj.weight',
      'mlp.gate_proj.weight',
      'mlp.up_proj.weight',
      'post_attention_layernorm.weight',
      'self_attn.k_proj.weight',
      ...(isDiff
        ? [
            'self_attn.lambda_k1',
            'self_attn.lambda_k2',
            'self_attn.lambda_q1',
            'self_attn.lambda_q2',
          ]
        : []),
      'self_attn.o_proj.weight',
      'self_attn.q_proj.weight',
      'self_attn.v_proj.weight',
    ];
    expect([...tensors.keys()]).toEqual([
      'model.embed_tokens.weight',
      ...perLayer.map((n) => `model.layers.0.${n}`),
      ...perLayer.map((n) => `model.layers.1.${n}`),
      'model.norm.weight',
    ]);
    const shape = (n: string) => tensors.get(n)!.shape;
    expect(shape('model.embed_tokens.weight')).toEqual([128256, 64]);
    expect(shape('model.layers.0.self_attn.q_proj.weight')).toEqual([64, 64]);
    expect(shape('model.layers.0.self_attn.k_proj.weight')).toEqual([16, 64]);
    expect(shape('model.layers.1.mlp.down_proj.weight')).toEqual([64, 192]);
    const embed = stats(tensors.get('model.embed_tokens.weight')!.data as Float32Array);
    expect(Math.abs(embed.mean)).toBeLessThan(1e-4);
    expect(Math.abs(embed.std - 0.02)).toBeLessThan(1e-4);
    expect([...(tensors.get('model.norm.weight')!.data as Float32Array)]).toEqual(
      new Array(64).fill(1),
    );
    if (isDiff) {
      const lambdas = new Float32Array(
        [0, 1].flatMap((l) =>
          ['q1', 'k1', 'q2', 'k2'].flatMap((k) => [
            ...(tensors.get(`model.layers.${l}.self_attn.lambda_${k}`)!.data as Float32Array),
          ]),
        ),
      );
      // 2 layers x 4 lambdas x head_dim 8.
      expect(lambdas.length).toBe(64);
      const s = stats(lambdas);
      expect(s.std).toBeGreaterThan(0.07);
      expect(s.std).toBeLessThan(0.13);
    }
  });

  test("the copied Llama-3 tokenizer loads with the preset ids and adds BOS like Meta's", async () => {
    const tok = await loadTokenizer(path.join(tmp, `${name}-a`));
    expect(tok.encode('Hello')).toMatchObject({
      ids: [128000, 9906],
      offsets: [
        [0, 0],
        [0, 5],
      ],
    });
    expect(tok.encode('Hello', { addSpecialTokens: false }).ids).toEqual([9906]);
    expect(tok.addBosToken).toBe(true);
    expect([...tok.eosTokenIds]).toEqual([128001, 128009]);
    expect(tok.bosTokenId).toBe(128000);
    expect(tok.modelVocabSize).toBe(128256);
  });
});

describe('initRandomCheckpoint', () => {
  // The golden checkpoints' configs, as overrides: our writer must reproduce their config.json
  // and safetensors header byte for byte (only the random values differ).
  const goldenOverrides: Record<string, Record<string, unknown>> = {
    'tiny-llama': {
      model_type: 'llama',
      vocab_size: 512,
      hidden_size: 64,
      intermediate_size: 176,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 16,
      max_position_embeddings: 256,
    },
    'tiny-diffllama-l3': {
      model_type: 'diffllama',
      vocab_size: 512,
      hidden_size: 128,
      intermediate_size: 256,
      num_hidden_layers: 4,
      num_attention_heads: 8,
      num_key_value_heads: 2,
      head_dim: 16,
      max_position_embeddings: 256,
      rms_norm_eps: 1e-5,
      rope_theta: 500000,
      rope_scaling: {
        rope_type: 'llama3',
        factor: 4,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 64,
      },
      tie_word_embeddings: true,
    },
  };
  goldenOverrides['tiny-llama-l3'] = {
    ...goldenOverrides['tiny-diffllama-l3'],
    model_type: 'llama',
  };

  test.each(Object.keys(goldenOverrides).map((k) => [k]))(
    'reproduces golden %s config.json and safetensors header',
    async (golden: string) => {
      const dir = path.join(tmp, `golden-${golden}`);
      const res = await initRandomCheckpoint(dir, goldenOverrides[golden], { seed: 1 });
      expect(res.files).toEqual(['config.json', 'generation_config.json', 'model.safetensors']);
      expect(readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe(
        readFileSync(path.join(GOLDEN, golden, 'config.json'), 'utf8'),
      );
      expect(headerBytes(path.join(dir, 'model.safetensors')).toString('latin1')).toBe(
        headerBytes(path.join(GOLDEN, golden, 'model.safetensors')).toString('latin1'),
      );
    },
  );

  test('untied, bf16 and a pad row: lm_head written, pad embedding zero, bf16 dtype', async () => {
    const dir = path.join(tmp, 'custom');
    const res = await initRandomCheckpoint(
      dir,
      {
        vocab_size: 300,
        hidden_size: 32,
        intermediate_size: 64,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        torch_dtype: 'bfloat16',
        pad_token_id: 5,
      },
      { seed: 3 },
    );
    expect(res.config.num_key_value_heads).toBe(2);
    expect(res.config.head_dim).toBe(16);
    expect(res.parameters).toBe(300 * 32 * 2 + 4 * 32 * 32 + 3 * 32 * 64 + 3 * 32);
    const t = readSafetensors(path.join(dir, 'model.safetensors'));
    const embed = t.get('model.embed_tokens.weight')!;
    expect(embed.dtype).toBe('BF16');
    const bits = embed.data as Uint16Array;
    expect([...bits.subarray(5 * 32, 6 * 32)]).toEqual(new Array(32).fill(0));
    expect(bits.subarray(4 * 32, 5 * 32).some((b) => b !== 0)).toBe(true);
    expect(t.has('lm_head.weight')).toBe(true);
    const cfg = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(cfg.pad_token_id).toBe(5);
    expect(cfg.torch_dtype).toBe('bfloat16');
  });

  test("dtype 'bfloat16': every tensor BF16, the float32 preset's values rounded to nearest even", async () => {
    const f32 = await initPreset('tiny-llama', path.join(tmp, 'dtype-f32'));
    const bf16 = await initPreset('tiny-llama', path.join(tmp, 'dtype-bf16'), {
      dtype: 'bfloat16',
    });
    expect(bf16.parameters).toBe(f32.parameters);
    expect(bf16.config.torch_dtype).toBe('bfloat16');
    const cfg = JSON.parse(readFileSync(path.join(tmp, 'dtype-bf16', 'config.json'), 'utf8'));
    expect(cfg.torch_dtype).toBe('bfloat16');
    const a = readSafetensors(path.join(tmp, 'dtype-f32', 'model.safetensors'));
    const b = readSafetensors(path.join(tmp, 'dtype-bf16', 'model.safetensors'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, t] of b) {
      expect(t.dtype).toBe('BF16');
      const want = f32ToBf16(a.get(name)!.data as Float32Array);
      expect(Buffer.from((t.data as Uint16Array).buffer).equals(Buffer.from(want.buffer))).toBe(
        true,
      );
    }
    // Same call on the random-checkpoint API: byte-identical files.
    await initRandomCheckpoint(path.join(tmp, 'dtype-bf16-raw'), PRESET_CONFIGS['tiny-llama'], {
      dtype: 'bfloat16',
      generationConfig: PRESET_GENERATION_CONFIG,
    });
    expect(
      readFileSync(path.join(tmp, 'dtype-bf16-raw', 'model.safetensors')).equals(
        readFileSync(path.join(tmp, 'dtype-bf16', 'model.safetensors')),
      ),
    ).toBe(true);
  });

  test('bad overrides fail with the field named, before anything is written', async () => {
    await expect(
      initRandomCheckpoint(path.join(tmp, 'x1'), {
        hidden_size: 64,
        num_attention_heads: 4,
        num_key_value_heads: 3,
      }),
    ).rejects.toThrow(InitError);
    await expect(
      initRandomCheckpoint(path.join(tmp, 'x2'), {
        vocab_size: 10,
        hidden_size: 64,
        intermediate_size: 8,
        num_hidden_layers: 1,
        num_attention_heads: 4,
        num_key_value_heads: 3,
      }),
    ).rejects.toThrow('config: num_key_value_heads: must divide num_attention_heads (4)');
    await expect(
      initRandomCheckpoint(path.join(tmp, 'x3'), { model_type: 'gpt2' }),
    ).rejects.toThrow('config: model_type "gpt2" is not supported (llama, diffllama)');
    await expect(initPreset('tiny-gpt' as PresetName, path.join(tmp, 'x4'))).rejects.toThrow(
      'unknown preset "tiny-gpt"; known: tiny-llama, tiny-diffllama',
    );
    expect(readdirSync(tmp).filter((f) => /^x\d$/.test(f))).toEqual([]);
  });
});
