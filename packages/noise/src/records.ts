import { ProblemSchema } from '@exp/data';
import { z } from 'zod';

/**
 * Where inserted text went: `question.slice(start, end) === text` (UTF-16 offsets). `type` is the
 * noise label of the sentence (it differs between spans of a `mix` record); `topic` is the SD
 * topic the sentence was drawn from.
 */
export const NoiseSpanSchema = z.object({
  text: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  type: z.string().min(1).optional(),
  topic: z.string().min(1).optional(),
});

/** How the noisy question relates to the clean one: text only added, or changed otherwise. */
export const NOISE_KINDS = ['insertion', 'rewrite'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

/**
 * A record of a noisy set (`gsm8k_<type>_test.jsonl`, `<name>_<type>.jsonl`, an imported noisy
 * benchmark): a Problem plus where the noise went. `question`, `answer`, `original_question` and
 * `noise_type` keep the original project's names so its tools read our files.
 * - `noise[i].start/end` are UTF-16 offsets into `question`, disjoint, in question order.
 * - `noise_kind`: 'insertion' (removing the spans gives back `original_question`) or 'rewrite'
 *   (an external record whose change is not a pure insertion; `noise` is then empty).
 * - `position`: where the sentences were asked to go (random, early, middle, late,
 *   before-question); absent for imported sets.
 * - `sentences`: how many noise sentences the record holds (the dose K).
 * - `topic`: the SD topic of the question (null when the record has no SD sentence).
 * - `seed`: the global seed the file was generated with; null for imported sets.
 */
export const NoisyProblemSchema = ProblemSchema.extend({
  original_question: z.string(),
  noise_type: z.string().min(1),
  noise: z.array(NoiseSpanSchema),
  noise_kind: z.enum(NOISE_KINDS).default('insertion'),
  position: z.string().min(1).optional(),
  sentences: z.number().int().nonnegative().optional(),
  topic: z.string().min(1).nullable().optional(),
  seed: z.number().int().nullable(),
});
export type NoisyProblem = z.output<typeof NoisyProblemSchema>;
