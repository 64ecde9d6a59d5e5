// The shapes the attention package passes around and writes. Maps come from ONNX intermediate
// outputs (maps.ts), token classes from character spans (classes.ts), metrics per layer and head
// (metrics.ts), all combined by compareAttentionPatterns (compare.ts).
import type { CausalLM, HfTokenizer } from '@exp/models';

/** One decoder layer's post-softmax maps for one prompt (batch 1). */
export interface LayerAttention {
  layer: number;
  /** Heads in `data`: for DiffLlama the H raw sub-head maps, as Hugging Face returns them. */
  heads: number;
  /** Prompt length S; each head's map is S x S (query row, key column), row-major. */
  seq: number;
  /** [heads, S, S] float32. */
  data: Float32Array;
  /** DiffLlama: lambda_full of this layer; null for Llama. */
  lambdaFull: number | null;
  /**
   * [H', S] ‖W_O^h v_j‖ per head and key, when the model was exported with value norms (H' = H
   * for Llama, H/2 differential pairs for DiffLlama); see value-weighted.ts.
   */
  valueNorms?: Float32Array;
}

/**
 * Which map a figure or metric is computed on:
 * - softmax: the model's attention (Llama), or one raw DiffLlama sub-head map (A1 or A2);
 * - differential: DiffLlama D_i = A_i - lambda * A_{i+H/2} (rows sum to 1 - lambda, signed);
 * - differential-normalised: D_i / (1 - lambda), comparable with Llama (rows sum to 1);
 * - differential-clamped: the original's clamp of D to [0, 1] (an option, never the default).
 */
export const MAP_FORMS = [
  'softmax',
  'a1',
  'a2',
  'differential',
  'differential-normalised',
  'differential-clamped',
] as const;
export type MapForm = (typeof MAP_FORMS)[number];

/** Token classes: key math information, noise, other context, and special/template tokens. */
export const TOKEN_CLASSES = ['KMI', 'NI', 'OC', 'special'] as const;
export type TokenClass = (typeof TOKEN_CLASSES)[number];

/** A character span [start, end) in UTF-16 code units. */
export interface CharSpan {
  start: number;
  end: number;
}

/** One prompt to analyse. Offsets of `noise` are into `question`, which sits at `questionStart` in `prompt`. */
export interface AttentionItem {
  id: string;
  /** The full prompt as the model sees it (the task's template applied). */
  prompt: string;
  /** Offset of `question` inside `prompt`. */
  questionStart: number;
  /** The question as it appears in the prompt (noisy for noisy items). */
  question: string;
  /** The clean question (= question for clean items). */
  originalQuestion: string;
  /** Noise spans, offsets into `question`; [] for clean items. */
  noise: readonly CharSpan[];
  /** Whether the model answered this item correctly, when sample logs exist (metric 10). */
  correct?: boolean;
}

/** A model to analyse, by the name given to --models. */
export interface AttentionModel {
  name: string;
  lm: CausalLM;
  tokenizer: HfTokenizer;
}

// The files' shapes are inferred from their zod schemas (analysis-file.ts, sample-map.ts), so the
// writer's types and what a reader accepts cannot drift.
export type {
  AttentionAnalysis,
  AttentionSettings,
  MetricSummary,
  ModelAttention,
  SeedRatios,
  Stat,
} from './analysis-file.js';
export type { SampleMap } from './sample-map.js';
