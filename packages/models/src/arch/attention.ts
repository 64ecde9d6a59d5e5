// Attention implementations, selected by option. 'eager': ONNX ops that reproduce HF's eager
// attention and can output the attention maps (the export default). 'grouped': the same function
// without repeat_kv copies or maps, reading an external cache in place (the runtime's decode
// graph). Another (e.g. com.microsoft GroupQueryAttention for CUDA) is one more entry here.
import type { ModelType } from '../config.js';
import type { Value } from '../onnx/graph.js';
import { diffLlamaEagerAttention } from './diffllama.js';
import { diffLlamaGroupedAttention, llamaGroupedAttention } from './grouped-attention.js';
import type { DecoderContext } from './layers.js';
import { llamaEagerAttention } from './llama.js';

export interface AttentionInputs {
  /** Normalised hidden states [B, S, hidden]. */
  x: Value;
  layer: number;
  /** Cache inputs [B, KV, past or slots, d] (past_key_values.* or kv_cache.*). */
  cache: { key: Value; value: Value };
}

export interface AttentionOutputs {
  /** After o_proj, [B, S, hidden], in ctx.dtype. */
  output: Value;
  /**
   * Keys (after RoPE) and values to output: the cache after this step [B, KV, past+S, d] for
   * kvCache 'present', this call's [B, KV, S, d] for 'external'.
   */
  cacheOut: { key: Value; value: Value };
  /** Post-softmax maps of all H heads [B, H, S, past+S], float32 (null if the impl has none). */
  probs: Value | null;
  /** DiffLlama's lambda_full (float32 scalar), null for Llama. */
  lambdaFull: Value | null;
}

export type AttentionFn = (ctx: DecoderContext, inputs: AttentionInputs) => AttentionOutputs;

export const ATTENTION_IMPLEMENTATIONS = ['eager', 'grouped'] as const;
export type AttentionImplementation = (typeof ATTENTION_IMPLEMENTATIONS)[number];

export const ATTENTION_IMPLS: Record<AttentionImplementation, Record<ModelType, AttentionFn>> = {
  eager: { llama: llamaEagerAttention, diffllama: diffLlamaEagerAttention },
  grouped: { llama: llamaGroupedAttention, diffllama: diffLlamaGroupedAttention },
};
