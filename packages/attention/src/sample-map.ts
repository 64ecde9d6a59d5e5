// A per-sample heat map (attention_samples/<dataset>/<model>/<id>.<condition>.json): its zod
// schema is SampleMap's one definition, so what onSampleMap hands the writer and what a reader
// (the report) accepts cannot drift.
import { z } from 'zod';
import { MAP_FORMS, TOKEN_CLASSES } from './types.js';

const index = z.number().int().nonnegative();

/** One sample's heat-map data, written as attention_samples/<dataset>/<model>/<id>.<condition>.json. */
export const SampleMapSchema = z
  .object({
    id: z.string().min(1),
    model: z.string().min(1),
    dataset: z.string().min(1),
    condition: z.enum(['clean', 'noisy']),
    tokens: z.array(z.string()),
    offsets: z.array(z.tuple([z.number().int(), z.number().int()])),
    classes: z.array(z.enum(TOKEN_CLASSES)),
    /** Token index range [start, end) of the question inside the prompt. */
    question: z.tuple([index, index]),
    layer: index,
    /** Head index, or 'mean' for the head average. */
    head: z.union([index, z.literal('mean')]),
    form: z.enum(MAP_FORMS),
    /** S x S, row = query, column = key; signed for differential forms. */
    matrix: z.array(z.array(z.number())),
  })
  .superRefine((m, ctx) => {
    // One token list, one class list and an S x S matrix: anything else cannot be labelled.
    const S = m.tokens.length;
    if (m.classes.length !== S)
      ctx.addIssue({
        code: 'custom',
        path: ['classes'],
        message: `expected ${S} classes (one per token), got ${m.classes.length}`,
      });
    if (m.matrix.length !== S)
      ctx.addIssue({
        code: 'custom',
        path: ['matrix'],
        message: `expected ${S} rows (one per token), got ${m.matrix.length}`,
      });
    const bad = m.matrix.findIndex((row) => row.length !== S);
    if (bad >= 0)
      ctx.addIssue({
        code: 'custom',
        path: ['matrix', bad],
        message: `expected ${S} columns, got ${m.matrix[bad]!.length}`,
      });
    if (m.question[0] > m.question[1] || m.question[1] > S)
      ctx.addIssue({
        code: 'custom',
        path: ['question'],
        message: `expected a token range within [0, ${S}], got [${m.question.join(', ')}]`,
      });
  });
export type SampleMap = z.infer<typeof SampleMapSchema>;
