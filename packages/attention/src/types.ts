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

/** Summary statistics of a per-sample quantity. */
export interface Stat {
  mean: number;
  /** Population standard deviation (the original's). */
  std: number;
  /** 95% percentile bootstrap interval of the mean. */
  ci_low: number;
  ci_high: number;
  n: number;
}

/** The original's block for one model and one condition (clean or noisy). */
export interface SeedRatios {
  kmi_mean: number;
  kmi_std: number;
  ni_mean: number;
  ni_std: number;
  oc_mean: number;
  oc_std: number;
}

/**
 * attention_analysis.json: noise type (dataset name) -> model name (as given to --models) ->
 * { clean, noisy } in the original's keys, plus per_layer / per_head / metrics / settings.
 */
export type AttentionAnalysis = Record<string, Record<string, ModelAttention>>;

export interface ModelAttention {
  clean: SeedRatios;
  noisy: SeedRatios;
  /** Seed ratios per layer (head-averaged): class -> [L] for clean and noisy. */
  per_layer: {
    clean: Record<'kmi' | 'ni' | 'oc', number[]>;
    noisy: Record<'kmi' | 'ni' | 'oc', number[]>;
  };
  /** Seed ratios per layer and head: class -> [L][H]. */
  per_head: {
    clean: Record<'kmi' | 'ni' | 'oc', number[][]>;
    noisy: Record<'kmi' | 'ni' | 'oc', number[][]>;
  };
  /** Every metric by name (see metrics.ts), aggregated; per_layer / per_head where defined. */
  metrics: Record<string, MetricSummary>;
  /** How the numbers were computed: map form, classifier, query rows, special handling, samples. */
  settings: AttentionSettings;
}

export interface MetricSummary {
  clean?: Stat;
  noisy?: Stat;
  /** Paired or single-valued metrics (distraction effect, AUC, layer profile peak...). */
  value?: Stat | number | null;
  /** Mean over samples (and heads, for per_layer); written only when every cell is defined. */
  per_layer?: { clean?: number[]; noisy?: number[] };
  per_head?: { clean?: number[][]; noisy?: number[][] };
  /** Anything else a metric reports (distractor heads with stability, ...). */
  extra?: unknown;
}

export interface AttentionSettings {
  form: MapForm;
  classifier: 'exp' | 'seed';
  /** 'last' = the last prompt position; 'generated' = averaged over generated positions. */
  query: 'last' | 'generated';
  excludeSpecial: boolean;
  samples: number;
  layers: number;
  /** Heads analysed per layer: H for softmax maps, H/2 for the DiffLlama forms. */
  heads: number;
  /** Seed of every bootstrap interval. */
  seed: number;
  /** Bootstrap resamples of each interval. */
  bootstrap: number;
  /** query 'generated': how many tokens were generated. */
  generatedTokens?: number;
}

/** One sample's heat-map data, written as attention_samples/<dataset>/<model>/<id>.<condition>.json. */
export interface SampleMap {
  id: string;
  model: string;
  dataset: string;
  condition: 'clean' | 'noisy';
  tokens: string[];
  offsets: [number, number][];
  classes: TokenClass[];
  /** Token index range [start, end) of the question inside the prompt. */
  question: [number, number];
  layer: number;
  /** Head index, or 'mean' for the head average. */
  head: number | 'mean';
  form: MapForm;
  /** S x S, row = query, column = key; signed for differential forms. */
  matrix: number[][];
}
