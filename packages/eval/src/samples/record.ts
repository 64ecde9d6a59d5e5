import { z } from 'zod';

/** An extractor's name as it appears as a key of `answers` / `correct_by`. */
const ExtractorName = z.string().min(1);

/**
 * One line of `<run>/samples/<model>/<dataset>.jsonl`: one finished sample.
 *
 * The eval-sample fields keep the original's names: `predicted` / `correct` are the
 * `seed` extractor's (the original's protocol), `predicted_strict` / `correct_strict` the
 * headline `strict` extractor's. `answers` / `correct_by` hold every extractor the run used, so a
 * table for any of them is computed from the log alone. Where `seed` / `strict` are among them
 * the flat fields must agree with them, so the two views of a record never diverge.
 */
export const SampleRecordSchema = z
  .object({
    run: z.string().min(1),
    model: z.string().min(1),
    dataset: z.string().min(1),
    /** The problem's id (the same id on the clean set and its noisy variants). */
    id: z.string().min(1),
    /** Position of the problem in the evaluated set (0-based). */
    index: z.number().int().nonnegative(),
    prompt: z.string(),
    completion: z.string(),
    /** The gold final answer as a normalised number string. */
    gold: z.string(),
    answers: z.record(ExtractorName, z.string().nullable()),
    correct_by: z.record(ExtractorName, z.boolean()),
    predicted: z.string().nullable(),
    predicted_strict: z.string().nullable(),
    correct: z.boolean(),
    correct_strict: z.boolean(),
    /** Which stopping criterion ended the generation: 'eos', 'max_new_tokens', 'stop_string', … */
    stop_reason: z.string().min(1),
    /** Tokens generation started from (after any cut below). */
    prompt_tokens: z.number().int().nonnegative(),
    /** Tokens cut from the prompt's left to fit the model's context (absent in older logs). */
    truncated_tokens: z.number().int().nonnegative().optional(),
    new_tokens: z.number().int().nonnegative(),
    /**
     * Wall time in milliseconds from the previous sample of its set finishing (or the set's
     * start) to this one finishing. Generation is batched, so it is not this sample's own time:
     * a 512-token sample that finishes with its batch can log a few ms.
     */
    ms: z.number().nonnegative(),
  })
  .superRefine((r, ctx) => {
    const answerKeys = Object.keys(r.answers).sort();
    const correctKeys = Object.keys(r.correct_by).sort();
    if (answerKeys.join('\0') !== correctKeys.join('\0')) {
      ctx.addIssue({
        code: 'custom',
        path: ['correct_by'],
        message: `expected the same extractors as answers (${answerKeys.join(', ')}), got ${correctKeys.join(', ')}`,
      });
      return;
    }
    const flat = [
      ['seed', 'predicted', 'correct'],
      ['strict', 'predicted_strict', 'correct_strict'],
    ] as const;
    for (const [name, predictedKey, correctKey] of flat) {
      if (!Object.hasOwn(r.answers, name)) continue;
      if (r.answers[name] !== r[predictedKey]) {
        ctx.addIssue({
          code: 'custom',
          path: [predictedKey],
          message: `expected answers.${name} (${JSON.stringify(r.answers[name])}), got ${JSON.stringify(r[predictedKey])}`,
        });
      } else if (r.correct_by[name] !== r[correctKey]) {
        ctx.addIssue({
          code: 'custom',
          path: [correctKey],
          message: `expected correct_by.${name} (${r.correct_by[name]}), got ${r[correctKey]}`,
        });
      }
    }
  });
export type SampleRecord = z.infer<typeof SampleRecordSchema>;
