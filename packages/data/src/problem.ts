import { z } from 'zod';

/** A record in the official GSM8K JSONL format. */
export const Gsm8kRecordSchema = z.object({
  question: z.string().min(1, 'expected a non-empty question'),
  answer: z.string().regex(/####\s*\S/, 'expected a worked solution ending in "#### <number>"'),
});
export type Gsm8kRecord = z.infer<typeof Gsm8kRecordSchema>;

/** A problem as the rest of exp sees it: `answer` is the worked solution, `final` the gold number. */
export const ProblemSchema = z.object({
  id: z.string().min(1),
  question: z.string().min(1),
  answer: z.string(),
  final: z.string(),
});
export type Problem = z.infer<typeof ProblemSchema>;
