// One row of experiment_results (.json / .csv / .arrow): the zod schema is the row's one
// definition; ResultRow is inferred from it, so the writer, its columns and every reader agree.
import { z } from 'zod';

const nullableNum = z.number().nullable();
/** A column added after the first result files: absent in those, so they still read. */
const laterNum = nullableNum.optional();

/**
 * One line of experiment_results: Pass@1 of one model on one dataset under one extractor.
 * The first six fields are the original's zero_shot_performance.csv columns (accuracy a
 * fraction in [0, 1]); the rest are ours. Fields that do not apply to a row are null: the
 * degradation on the baseline set itself, the paired difference on rows of models that are not
 * the first of the pair, both where the other side is missing. The keys' order is the files'
 * column order (RESULT_COLUMNS).
 */
export const ResultRowSchema = z.object({
  model: z.string().min(1),
  dataset: z.string().min(1),
  accuracy: z.number(),
  correct: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  eval_type: z.string(),
  extractor: z.string().min(1),
  /** CI of `accuracy`: Wilson's score interval, or Clopper-Pearson's when asked (ciMethods). */
  ci_low: z.number(),
  ci_high: z.number(),
  /** (baseline − this) / baseline over the items present in both sets, with a paired bootstrap CI. */
  degradation: nullableNum,
  degradation_ci_low: nullableNum,
  degradation_ci_high: nullableNum,
  /**
   * The pair's second model: `diff` is this model's Pass@1 minus its, on the items both have,
   * with Newcombe's paired score CI.
   */
  diff_vs: z.string().nullable(),
  diff: nullableNum,
  diff_ci_low: nullableNum,
  diff_ci_high: nullableNum,
  /** McNemar's exact two-sided p for the same paired items. */
  mcnemar_p: nullableNum,
  /**
   * Minimum detectable |diff| at alpha 0.05 and power 0.8 (Connor's McNemar formula at the
   * pair's discordant proportion); null without a diff or without discordant items.
   */
  diff_mde: laterNum,
  /** `mcnemar_p` Holm-adjusted across every row of the table that has one (the run's family). */
  p_holm: laterNum,
  /**
   * Minimum detectable `degradation` (relative, like it): the McNemar MDE of the clean − noisy
   * difference of this model's paired outcomes, divided by the clean accuracy.
   */
  degradation_mde: laterNum,
});
export type ResultRow = z.infer<typeof ResultRowSchema>;
