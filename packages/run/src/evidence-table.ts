// evidence.json's format (the schema readers parse it with); evidence.ts builds and writes it.
import { z } from 'zod';
import { VERDICTS } from '@exp/eval';

export const ORIENTATIONS = ['higher is better', 'lower is better'] as const;
export type Orientation = (typeof ORIENTATIONS)[number];

const num = z.number().nullable();

/** One row of evidence.json / .csv (columns in this order). */
export const EvidenceRowSchema = z.object({
  /** The noisy set (noise type or sweep cell). */
  dataset: z.string().min(1),
  /** 'pass@1' or a likelihood measure (EVIDENCE_LIKELIHOOD_MEASURES). */
  measure: z.string().min(1),
  /** Evaluation of the samples for Pass@1 ('zero_shot', 'post_sft'); null for likelihood. */
  eval_type: z.string().min(1).nullable(),
  /** Extractor of a Pass@1 row (the task's primary one); null for likelihood. */
  extractor: z.string().min(1).nullable(),
  /** The pair: a = DiffLlama, b = Llama. */
  a: z.string().min(1),
  b: z.string().min(1),
  /** Items with the measure on both sets for both models. */
  n: z.number().int().positive(),
  /** Each model's mean noise effect (noisy − clean) in the measure's units. */
  effect_a: num,
  effect_b: num,
  /** Mean over items of (a_noisy − a_clean) − (b_noisy − b_clean), in the measure's units. */
  diff: z.number(),
  orientation: z.enum(ORIENTATIONS),
  /** diff, negated where lower is better: positive = DiffLlama hurt less by the noise. */
  estimate: z.number(),
  /** Paired percentile bootstrap interval of `estimate` over items. */
  lo: num,
  hi: num,
  /** Two-sided sign-flip permutation p of the per-item differences. */
  p: z.number(),
  /** `p` Holm-adjusted over every row of the table (the run's family). */
  p_holm: z.number(),
  /** Minimum detectable |estimate| at α 0.05, power 0.8: (z + z) · sd(d) / √n; null below 2 items. */
  mde: num,
  /** verdict() of estimate, p_holm and mde. */
  verdict: z.enum(VERDICTS),
});
export type EvidenceRow = z.infer<typeof EvidenceRowSchema>;

export const EvidenceTableSchema = z.object({ rows: z.array(EvidenceRowSchema) });
export type EvidenceTable = z.infer<typeof EvidenceTableSchema>;
