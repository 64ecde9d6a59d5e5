import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadModelConfig, parseModelConfig } from '../src/config.js';
import { goldenDir } from './helpers/shared.js';

// The config.json of meta-llama/Llama-3.2-1B as published (bf16, tied, llama3 RoPE, eos list).
const LLAMA_32_1B = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: {
    factor: 32.0,
    high_freq_factor: 4.0,
    low_freq_factor: 1.0,
    original_max_position_embeddings: 8192,
    rope_type: 'llama3',
  },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.45.0.dev0',
  use_cache: true,
  vocab_size: 128256,
};

describe('loadModelConfig', () => {
  it('reads the golden configs', () => {
    const l = loadModelConfig(goldenDir('tiny-llama'));
    expect(l).toMatchObject({
      modelType: 'llama',
      vocabSize: 512,
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      headDim: 16,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      ropeScaling: { type: 'default' },
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenIds: [2],
      padTokenId: null,
      lambdaStdDev: null,
    });
    const d = loadModelConfig(goldenDir('tiny-diffllama-l3'));
    expect(d).toMatchObject({
      modelType: 'diffllama',
      numHeads: 8,
      numKvHeads: 2,
      tieWordEmbeddings: true,
      lambdaStdDev: 0.1,
      ropeTheta: 500000,
      ropeScaling: {
        type: 'llama3',
        factor: 4,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalMaxPositionEmbeddings: 64,
      },
    });
  });

  it('reads a real Llama-3.2 config (eos list, llama3 scaling, 128256 vocab)', () => {
    const c = parseModelConfig(LLAMA_32_1B);
    expect(c.eosTokenIds).toEqual([128001, 128008, 128009]);
    expect(c.vocabSize).toBe(128256);
    expect(c.headDim).toBe(64);
    expect(c.ropeScaling).toEqual({
      type: 'llama3',
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    });
  });

  it('fills transformers defaults', () => {
    const c = parseModelConfig({
      model_type: 'llama',
      vocab_size: 10,
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      rope_scaling: {
        type: 'llama3',
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 16,
      },
    });
    expect(c).toMatchObject({
      numKvHeads: 2,
      headDim: 4,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      tieWordEmbeddings: false,
      eosTokenIds: [],
      bosTokenId: null,
    });
    expect(c.ropeScaling.type).toBe('llama3'); // legacy `type` key
  });

  it('reads transformers v5 rope_parameters', () => {
    const { rope_scaling: scaling, rope_theta: _t, ...rest } = LLAMA_32_1B;
    const c = parseModelConfig({ ...rest, rope_parameters: { ...scaling, rope_theta: 250000 } });
    expect(c.ropeTheta).toBe(250000);
    expect(c.ropeScaling).toMatchObject({ type: 'llama3', factor: 32 });
  });

  it('rejects other architectures with one clear message', () => {
    expect(() =>
      parseModelConfig({ ...LLAMA_32_1B, model_type: 'mistral' }, '/m/config.json'),
    ).toThrow(
      new ConfigError(
        'unsupported architecture "mistral" in /m/config.json; supported: llama, diffllama',
      ),
    );
    expect(() => parseModelConfig({}, 'c.json')).toThrow(
      'unsupported architecture null in c.json; supported: llama, diffllama',
    );
  });

  it.each([
    [{ num_attention_heads: 0 }, 'c.json: field num_attention_heads: Too small'],
    [{ hidden_size: 'big' }, 'c.json: field hidden_size: Invalid input: expected number'],
    [
      { num_key_value_heads: 5 },
      'c.json: field num_key_value_heads: 5 must divide num_attention_heads (32)',
    ],
    [{ hidden_act: 'gelu' }, 'c.json: field hidden_act: only silu is supported'],
    [{ attention_bias: true }, 'c.json: field attention_bias: bias terms are not supported'],
    [{ eos_token_id: 'x' }, 'c.json: field eos_token_id'],
    [
      { rope_scaling: { rope_type: 'yarn', factor: 2 } },
      "c.json: field rope_scaling: rope type 'yarn' is not supported",
    ],
    [
      { rope_scaling: { rope_type: 'llama3', factor: 2, low_freq_factor: 1, high_freq_factor: 4 } },
      'c.json: field rope_scaling.original_max_position_embeddings',
    ],
    [{ head_dim: 63 }, 'c.json: field head_dim: 63 must be even'],
  ])('rejects %j naming the field', (patch, message) => {
    expect(() => parseModelConfig({ ...LLAMA_32_1B, ...patch }, 'c.json')).toThrow(message);
  });

  it('names the file for unreadable or invalid JSON', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-cfg-'));
    try {
      expect(() => loadModelConfig(dir)).toThrow(`cannot read ${path.join(dir, 'config.json')}`);
      writeFileSync(path.join(dir, 'config.json'), '{ nope');
      expect(() => loadModelConfig(dir)).toThrow(
        `${path.join(dir, 'config.json')}: not valid JSON`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
