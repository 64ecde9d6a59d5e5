// Attention implementations, selected by export option. Only 'eager' exists now: plain ONNX ops
// that reproduce HF's eager attention and can output the attention maps. A fused path (e.g.
// com.microsoft GroupQueryAttention for CUDA) can be added as another entry of ATTENTION_IMPLS.
import type { ModelType } from '../config.js';
import type { Value } from '../onnx/graph.js';
import { diffLlamaEagerAttention } from './diffllama.js';
import type { DecoderContext } from './layers.js';
import { llamaEagerAttention } from './llama.js';

export interface AttentionInputs {
  /** Normalised hidden states [B, S, hidden]. */
  x: Value;
  layer: number;
  /** Cache tensors [B, KV, past, d]. */
  pastKey: Value;
  pastValue: Value;
}

export interface AttentionOutputs {
  /** After o_proj, [B, S, hidden], in ctx.dtype. */
  output: Value;
  /** Cache after this step [B, KV, past+S, d] (keys after RoPE). */
  presentKey: Value;
  presentValue: Value;
  /** Post-softmax maps of all H heads [B, H, S, past+S], float32 (null if the impl has none). */
  probs: Value | null;
  /** DiffLlama's lambda_full (float32 scalar), null for Llama. */
  lambdaFull: Value | null;
}

export type AttentionFn = (ctx: DecoderContext, inputs: AttentionInputs) => AttentionOutputs;

export const ATTENTION_IMPLEMENTATIONS = ['eager'] as const;
export type AttentionImplementation = (typeof ATTENTION_IMPLEMENTATIONS)[number];

export const ATTENTION_IMPLS: Record<AttentionImplementation, Record<ModelType, AttentionFn>> = {
  eager: { llama: llamaEagerAttention, diffllama: diffLlamaEagerAttention },
};
