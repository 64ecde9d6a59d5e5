// attention_analysis.json: its zod schema, an atomic writer and a validating reader. Numbers keep
// full precision; keys follow the schema's order (and the caller's order of sets, models and
// metrics), so the same analysis always gives the same bytes.
import { DataError, formatIssue, readTextFile, writeFileAtomic } from '@exp/data';
import { z } from 'zod';
import { MAP_FORMS } from './types.js';

const num = z.number().refine(Number.isFinite, 'expected a finite number');

/** Summary statistics of a per-sample quantity. */
export const StatSchema = z.object({
  mean: num,
  /** Population standard deviation (the original's). */
  std: num,
  /** 95% percentile bootstrap interval of the mean. */
  ci_low: num,
  ci_high: num,
  n: z.number().int().positive(),
});
export type Stat = z.infer<typeof StatSchema>;

/** The original's block for one model and one condition (clean or noisy). */
export const SeedRatiosSchema = z.object({
  kmi_mean: num,
  kmi_std: num,
  ni_mean: num,
  ni_std: num,
  oc_mean: num,
  oc_std: num,
});
export type SeedRatios = z.infer<typeof SeedRatiosSchema>;

const byClass = <T extends z.ZodType>(t: T) => z.object({ kmi: t, ni: t, oc: t });
const layers = z.array(num);
const grid = z.array(z.array(num));

export const MetricSummarySchema = z.object({
  clean: StatSchema.optional(),
  noisy: StatSchema.optional(),
  /** Paired or single-valued metrics (distraction effect, AUC, layer profile peak...). */
  value: z.union([StatSchema, num]).nullable().optional(),
  /** Mean over samples (and heads, for per_layer); written only when every cell is defined. */
  per_layer: z.object({ clean: layers.optional(), noisy: layers.optional() }).optional(),
  per_head: z.object({ clean: grid.optional(), noisy: grid.optional() }).optional(),
  /** Anything else a metric reports (distractor heads with stability, ...). */
  extra: z.unknown().optional(),
});
export type MetricSummary = z.infer<typeof MetricSummarySchema>;

export const AttentionSettingsSchema = z.object({
  form: z.enum(MAP_FORMS),
  classifier: z.enum(['exp', 'seed']),
  /** 'last' = the last prompt position; 'generated' = averaged over generated positions. */
  query: z.enum(['last', 'generated']),
  excludeSpecial: z.boolean(),
  samples: z.number().int().positive(),
  layers: z.number().int().positive(),
  /** Heads analysed per layer: H for softmax maps, H/2 for the DiffLlama forms. */
  heads: z.number().int().positive(),
  /** Seed of every bootstrap interval. */
  seed: z.number().int(),
  /** Bootstrap resamples of each interval. */
  bootstrap: z.number().int().positive(),
  /** query 'generated': how many tokens were generated. */
  generatedTokens: z.number().int().positive().optional(),
});
/** How the numbers were computed: map form, classifier, query rows, special handling, samples. */
export type AttentionSettings = z.infer<typeof AttentionSettingsSchema>;

export const ModelAttentionSchema = z.object({
  clean: SeedRatiosSchema,
  noisy: SeedRatiosSchema,
  /** Seed ratios per layer (head-averaged): class -> [L] for clean and noisy. */
  per_layer: z.object({ clean: byClass(layers), noisy: byClass(layers) }),
  /** Seed ratios per layer and head: class -> [L][H]. */
  per_head: z.object({ clean: byClass(grid), noisy: byClass(grid) }),
  /** Every metric by name (see metrics.ts), aggregated; per_layer / per_head where defined. */
  metrics: z.record(z.string(), MetricSummarySchema),
  /** How the numbers were computed: map form, classifier, query rows, special handling, samples. */
  settings: AttentionSettingsSchema,
  /**
   * The seed ratios of the value-weighted maps |a_qj| ‖W_O^h v_j‖ (README, "Value-weighted
   * attention"), in the keys of clean / noisy / per_layer / per_head above; only when the model
   * was exported with value norms (absent in older files).
   */
  value_weighted: z
    .object({
      clean: SeedRatiosSchema,
      noisy: SeedRatiosSchema,
      per_layer: z.object({ clean: byClass(layers), noisy: byClass(layers) }),
      per_head: z.object({ clean: byClass(grid), noisy: byClass(grid) }),
    })
    .optional(),
});
export type ModelAttention = z.infer<typeof ModelAttentionSchema>;

/**
 * attention_analysis.json: noise type (dataset name) -> model name (as given to --models) ->
 * { clean, noisy } in the original's keys, plus per_layer / per_head / metrics / settings.
 */
export const AttentionAnalysisSchema = z.record(
  z.string(),
  z.record(z.string(), ModelAttentionSchema),
);
export type AttentionAnalysis = z.infer<typeof AttentionAnalysisSchema>;

function parse(value: unknown, where: string): AttentionAnalysis {
  const r = AttentionAnalysisSchema.safeParse(value);
  if (!r.success) throw new DataError(`${where}: ${formatIssue(r.error.issues[0]!)}`);
  return r.data;
}

/** Validates `analysis` and writes it as indented JSON, atomically (temp file + rename). */
export function writeAttentionAnalysis(file: string, analysis: AttentionAnalysis): void {
  const valid = parse(analysis, `${file} (not written)`);
  writeFileAtomic(file, JSON.stringify(valid, null, 2) + '\n');
}

/** Reads and validates an attention_analysis.json. */
export function readAttentionAnalysis(file: string): AttentionAnalysis {
  let json: unknown;
  try {
    json = JSON.parse(readTextFile(file));
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${file}: not JSON (${(e as Error).message})`);
  }
  return parse(json, file);
}
