// zod schemas of the run-folder files the report reads. They validate at the edge so a bad file
// fails with one line naming the file and field, and the rest of the package works on typed data.
// Unknown keys are kept (looseObject): writers may add fields without breaking older reports.
import { z } from 'zod';
import { MAP_FORMS, TOKEN_CLASSES, type SampleMap } from '@exp/attention';
import { CI_METHODS, RESULT_COLUMNS, type ResultRow } from '@exp/eval';

const num = z.number();
const nullableNum = z.number().nullable();

export type { SampleMap };

/** One row of experiment_results.json (@exp/eval's ResultRow, which exports no schema). */
export const ResultRowSchema = z.object({
  model: z.string().min(1),
  dataset: z.string().min(1),
  accuracy: num,
  correct: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  eval_type: z.string(),
  extractor: z.string().min(1),
  ci_low: num,
  ci_high: num,
  degradation: nullableNum,
  degradation_ci_low: nullableNum,
  degradation_ci_high: nullableNum,
  diff_vs: z.string().nullable(),
  diff: nullableNum,
  diff_ci_low: nullableNum,
  diff_ci_high: nullableNum,
  mcnemar_p: nullableNum,
}) satisfies z.ZodType<ResultRow>;

/** The schema's columns, checked against @exp/eval's at load time so the two cannot drift. */
export const RESULT_SCHEMA_COLUMNS = Object.keys(ResultRowSchema.shape);
if (RESULT_SCHEMA_COLUMNS.join(',') !== RESULT_COLUMNS.join(',')) {
  throw new Error(
    `@exp/report: ResultRowSchema columns (${RESULT_SCHEMA_COLUMNS.join(',')}) differ from @exp/eval's RESULT_COLUMNS (${RESULT_COLUMNS.join(',')})`,
  );
}

/** manifest.json: only the fields the report uses; everything else is shown as it is. */
export const ManifestSchema = z.looseObject({
  run: z.string().min(1),
  status: z.string().optional(),
  started: z.string().optional(),
  finished: z.string().optional(),
  command: z.array(z.string()).optional(),
  task: z
    .looseObject({
      name: z.string().optional(),
      extractors: z.array(z.string().min(1)).optional(),
    })
    .nullable()
    .optional(),
  seeds: z.looseObject({ run: z.number().int().optional() }).optional(),
  data: z.record(z.string(), z.looseObject({ path: z.string().min(1) })).optional(),
  models: z.record(z.string(), z.looseObject({ modelType: z.string().optional() })).optional(),
  plan: z
    .looseObject({
      models: z.array(z.string()).optional(),
      datasets: z.array(z.string()).optional(),
    })
    .optional(),
  options: z.looseObject({ ciMethod: z.enum(CI_METHODS).optional() }).optional(),
  /** How the results table's intervals were computed (@exp/eval's ciMethods); older runs lack it. */
  ci_methods: z
    .looseObject({
      level: z.number().gt(0).lt(1),
      ci: z.enum(CI_METHODS),
      diff_ci: z.literal('newcombe'),
      degradation_ci: z.literal('bootstrap'),
    })
    .optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

// --- attention_samples/**: @exp/attention's SampleMap (attention_analysis.json is read with
// @exp/attention's own schema and reader) ---

/** A sample map file as @exp/attention's SampleMap describes it (which exports no schema). */
export const SampleMapSchema = z
  .looseObject({
    id: z.string().min(1),
    model: z.string().min(1),
    dataset: z.string().min(1),
    condition: z.enum(['clean', 'noisy']),
    tokens: z.array(z.string()),
    offsets: z.array(z.tuple([z.number().int(), z.number().int()])),
    classes: z.array(z.enum(TOKEN_CLASSES)),
    question: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
    layer: z.number().int().nonnegative(),
    head: z.union([z.number().int().nonnegative(), z.literal('mean')]),
    form: z.enum(MAP_FORMS),
    matrix: z.array(z.array(num)),
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
        message: `expected ${S} columns, got ${m.matrix[bad].length}`,
      });
    if (m.question[0] > m.question[1] || m.question[1] > S)
      ctx.addIssue({
        code: 'custom',
        path: ['question'],
        message: `expected a token range within [0, ${S}], got [${m.question.join(', ')}]`,
      });
  }) satisfies z.ZodType<SampleMap>;

/** One line of sft/<model>/loss.jsonl. */
export const LossPointSchema = z.looseObject({
  step: z.number().int().nonnegative(),
  loss: num,
  lr: num.optional(),
});
export type LossPoint = z.infer<typeof LossPointSchema>;

/** The fields of a noisy data record the drill-down needs (NoisyProblemSchema in @exp/noise). */
export const NoiseRecordSchema = z.looseObject({
  id: z.string().min(1),
  question: z.string(),
  noise: z.array(
    z.looseObject({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }),
  ),
});
