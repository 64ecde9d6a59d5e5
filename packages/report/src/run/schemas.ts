// zod schemas of the run-folder files the report reads that no package below it writes with a
// schema of its own (the files' writers own the others: @exp/eval's ResultRowSchema and
// SampleRecordSchema, @exp/attention's AttentionAnalysisSchema and SampleMapSchema, @exp/train's
// SftLossRecordSchema). They validate at the edge so a bad file fails with one line naming the
// file and field. Unknown keys are kept (looseObject): writers may add fields without breaking
// older reports.
import { z } from 'zod';
import { CI_METHODS } from '@exp/eval';

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

/** The fields of a noisy data record the drill-down needs (NoisyProblemSchema in @exp/noise). */
export const NoiseRecordSchema = z.looseObject({
  id: z.string().min(1),
  question: z.string(),
  noise: z.array(
    z.looseObject({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }),
  ),
});
