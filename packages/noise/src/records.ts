import { ProblemSchema } from '@exp/data';
import { z } from 'zod';

export const NoiseSpanSchema = z.object({
  text: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});

/**
 * A record of `gsm8k_<type>_test.jsonl`: a Problem plus where the noise went. `question`,
 * `answer`, `original_question` and `noise_type` keep the original project's names so its tools
 * read our files; `noise[i].start/end` are UTF-16 offsets into `question`; `seed` is the global
 * seed the file was generated with (the problem's stream is `noiseRng(seed, type, id)`).
 */
export const NoisyProblemSchema = ProblemSchema.extend({
  original_question: z.string(),
  noise_type: z.string().min(1),
  noise: z.array(NoiseSpanSchema),
  seed: z.number().int(),
});
export type NoisyProblem = z.infer<typeof NoisyProblemSchema>;
