// What real-shape-sft.test.ts fine-tunes: the real models' vocabulary and width at 2 layers,
// the seed's batch 2 and accumulation 2, 8 GSM8K items cut to 128 tokens (2 optimizer steps).
export const REAL_SHAPE_CONFIG = {
  model_type: 'llama',
  vocab_size: 128256,
  hidden_size: 1024,
  intermediate_size: 4096,
  num_hidden_layers: 2,
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
  bos_token_id: 128000,
  eos_token_id: 128001,
  torch_dtype: 'bfloat16',
};

export const REAL_SHAPE_SFT = {
  samples: 8,
  epochs: 1,
  batchSize: 2,
  gradAccum: 2,
  maxLength: 128,
  lossOn: 'all' as const,
  lr: 1e-3,
};
