// The likelihood step's tables, as files of a run folder (likelihood_results.json,
// knockout_results.json): written by @exp/run from summarizeLikelihood and the knockout
// summary, read back with these schemas by readRun and the report.
import { z } from 'zod';
import { csvText } from '../results/write.js';

const count = z.number().int().nonnegative();
const num = z.number().nullable();

/** One model x set x measure: its mean and its noise effect against the clean set. */
export const LikelihoodRowSchema = z.object({
  model: z.string().min(1),
  dataset: z.string().min(1),
  measure: z.string().min(1),
  /** Items of the set where the measure is defined, and their mean. */
  n: count,
  mean: num,
  /** Items with the measure on both sets; mean of noisy − clean over them (null on clean). */
  n_paired: count,
  effect: num,
});
export type LikelihoodRow = z.infer<typeof LikelihoodRowSchema>;

/** DiffLlama − Llama (pair[0] − pair[1]) difference of noise effects on one noisy set. */
export const LikelihoodPairRowSchema = z.object({
  dataset: z.string().min(1),
  measure: z.string().min(1),
  a: z.string().min(1),
  b: z.string().min(1),
  /** Items with the measure on both sets for both models. */
  n: count,
  /** mean over items of (a_noisy − a_clean) − (b_noisy − b_clean). */
  diff: num,
  lo: num,
  hi: num,
  /** Two-sided sign-flip permutation p-value. */
  p: num,
  /** `p` adjusted by Holm over every pair row of the summary that has a p (sets × measures). */
  p_holm: num,
  /** Minimum detectable `diff` at α 0.05, power 0.8: (z + z) · sd(d) / √n (null below 2 items). */
  mde: num,
});
export type LikelihoodPairRow = z.infer<typeof LikelihoodPairRowSchema>;

export const LikelihoodSummarySchema = z.object({
  rows: z.array(LikelihoodRowSchema),
  pairs: z.array(LikelihoodPairRowSchema),
});
export type LikelihoodSummary = z.infer<typeof LikelihoodSummarySchema>;

/**
 * Attention knockout of a noisy set's noise spans, for one model, set, measure and first knocked
 * layer: the means over the items scored on all three conditions, and the share of the noise
 * effect the knockout recovers. `measure` is a likelihood measure (LIKELIHOOD_MEASURES) or
 * 'pass@1' (generation with knockout, `--knockout-generate`; extractor `extractor`).
 */
export const KnockoutRowSchema = z.object({
  model: z.string().min(1),
  dataset: z.string().min(1),
  measure: z.string().min(1),
  /** Null for likelihood measures; the extractor of a 'pass@1' row. */
  extractor: z.string().min(1).nullable(),
  /** Evaluation of the samples ('zero_shot', 'post_sft', ...); null for likelihood measures. */
  eval_type: z.string().min(1).nullable(),
  /** Knockout applied in layers from_layer..layers-1 (0: every layer). */
  from_layer: count,
  /** Items with the measure on the clean set, the noisy set and the noisy set with knockout. */
  n: count,
  clean: num,
  noisy: num,
  knockout: num,
  /** (knockout − noisy) / (clean − noisy) of the means; null when clean = noisy or n = 0. */
  recovered: num,
  /** Paired percentile bootstrap interval of `recovered` over items (null where undefined). */
  lo: num,
  hi: num,
});
export type KnockoutRow = z.infer<typeof KnockoutRowSchema>;

export const KnockoutTableSchema = z.object({ rows: z.array(KnockoutRowSchema) });
export type KnockoutTable = z.infer<typeof KnockoutTableSchema>;

/**
 * CSV text of table rows: a header of the schema's fields in its order, one line per row,
 * numbers in JS's shortest round-trip form and nulls empty (as experiment_results.csv).
 */
export function tableCsv<T extends z.ZodObject>(schema: T, rows: readonly z.infer<T>[]): string {
  return csvText(Object.keys(schema.shape), rows as readonly object[]);
}

/** JSON text of a table file: two-space indent and a final newline. */
export const tableJson = (table: LikelihoodSummary | KnockoutTable): string =>
  JSON.stringify(table, null, 2) + '\n';
