// attention_analysis.json: its zod schema, an atomic writer and a validating reader. Numbers keep
// full precision; keys follow the schema's order (and the caller's order of sets, models and
// metrics), so the same analysis always gives the same bytes.
import { DataError, formatIssue, readTextFile, writeFileAtomic } from '@exp/data';
import { z } from 'zod';
import { MAP_FORMS, type AttentionAnalysis } from './types.js';

const num = z.number().refine(Number.isFinite, 'expected a finite number');

export const StatSchema = z.object({
  mean: num,
  std: num,
  ci_low: num,
  ci_high: num,
  n: z.number().int().positive(),
});

export const SeedRatiosSchema = z.object({
  kmi_mean: num,
  kmi_std: num,
  ni_mean: num,
  ni_std: num,
  oc_mean: num,
  oc_std: num,
});

const byClass = <T extends z.ZodType>(t: T) => z.object({ kmi: t, ni: t, oc: t });
const layers = z.array(num);
const grid = z.array(z.array(num));

export const MetricSummarySchema = z.object({
  clean: StatSchema.optional(),
  noisy: StatSchema.optional(),
  value: z.union([StatSchema, num]).nullable().optional(),
  per_layer: z.object({ clean: layers.optional(), noisy: layers.optional() }).optional(),
  per_head: z.object({ clean: grid.optional(), noisy: grid.optional() }).optional(),
  extra: z.unknown().optional(),
});

export const AttentionSettingsSchema = z.object({
  form: z.enum(MAP_FORMS),
  classifier: z.enum(['exp', 'seed']),
  query: z.enum(['last', 'generated']),
  excludeSpecial: z.boolean(),
  samples: z.number().int().positive(),
  layers: z.number().int().positive(),
  heads: z.number().int().positive(),
  seed: z.number().int(),
  bootstrap: z.number().int().positive(),
  generatedTokens: z.number().int().positive().optional(),
});

export const ModelAttentionSchema = z.object({
  clean: SeedRatiosSchema,
  noisy: SeedRatiosSchema,
  per_layer: z.object({ clean: byClass(layers), noisy: byClass(layers) }),
  per_head: z.object({ clean: byClass(grid), noisy: byClass(grid) }),
  metrics: z.record(z.string(), MetricSummarySchema),
  settings: AttentionSettingsSchema,
});

/** Noise type (dataset name) -> model name -> ModelAttention. */
export const AttentionAnalysisSchema = z.record(
  z.string(),
  z.record(z.string(), ModelAttentionSchema),
);

function parse(value: unknown, where: string): AttentionAnalysis {
  const r = AttentionAnalysisSchema.safeParse(value);
  if (!r.success) throw new DataError(`${where}: ${formatIssue(r.error.issues[0]!)}`);
  return r.data as AttentionAnalysis;
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
