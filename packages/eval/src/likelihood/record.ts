import { z } from 'zod';

const count = z.number().int().nonnegative();

/**
 * The scores of one teacher-forced text (a prompt followed by " " and the gold worked solution):
 * log-probabilities in nats, natural log, from the model's log-softmax.
 */
export const FormatScoreSchema = z.object({
  /** Tokens of the prompt (BOS included) kept in the context of the first solution token. */
  prompt_tokens: count,
  /** Tokens scored: those of " {solution}" (no EOS). */
  solution_tokens: z.number().int().positive(),
  /** Σ log p(solution token | everything before it). */
  sum: z.number(),
  /** sum / solution_tokens (nats per token). */
  mean: z.number(),
  /** Tokens of the final answer: those after the solution's last `#### `. */
  final_tokens: z.number().int().positive(),
  /** Σ log p over the final answer tokens, given the prompt and the solution up to `#### `. */
  final_sum: z.number(),
  /**
   * At the answer position (the first token after `#### `): per number string, its first token's
   * id and log-probability as the continuation. Holds the gold answer (as written after `#### `,
   * key `gold` of the record) and the candidate distractors (`noise_numbers` of this record, and
   * on the clean set those of every noisy set scored with it).
   */
  numbers: z.record(z.string(), z.tuple([count, z.number()])),
  /**
   * Tokens cut from the text's left to fit the model's context (max_position_embeddings), as
   * lm-eval cuts loglikelihood requests; `prompt_tokens` counts the prompt tokens kept. Absent
   * when nothing was cut.
   */
  truncated_tokens: z.number().int().positive().optional(),
});
export type FormatScore = z.infer<typeof FormatScoreSchema>;

/** One line of `<run>/likelihood/<model>/<dataset>.jsonl`: one scored item. */
export const LikelihoodRecordSchema = z.object({
  run: z.string().min(1),
  model: z.string().min(1),
  dataset: z.string().min(1),
  /** The problem's id (the same on the clean set and its noisy variants). */
  id: z.string().min(1),
  /** Position of the problem in the scored set (0-based). */
  index: count,
  /** The final answer as written after `#### ` in the gold solution. */
  gold: z.string().min(1),
  /** Numbers that appear only in this item's noise (empty on the clean set). */
  noise_numbers: z.array(z.string().min(1)),
  /** `Question: {q}\n\nAnswer: {solution}`, the SFT training format. */
  sft: FormatScoreSchema,
  /** The task's prompt for the item, then " {solution}". */
  protocol: FormatScoreSchema,
  /** Wall time of the item's forward passes in milliseconds (shared by a batch: its share). */
  ms: z.number().nonnegative(),
});
export type LikelihoodRecord = z.infer<typeof LikelihoodRecordSchema>;
