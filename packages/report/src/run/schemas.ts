// zod schemas of the run-folder files the report reads that no package below it writes with a
// schema of its own (the files' writers own the others: @exp/run's RunManifestSchema, @exp/eval's
// ResultRowSchema and SampleRecordSchema, @exp/attention's AttentionAnalysisSchema and
// SampleMapSchema, @exp/train's SftLossRecordSchema). They validate at the edge so a bad file fails with one line naming the
// file and field. Unknown keys are kept (looseObject): writers may add fields without breaking
// older reports.
import { z } from 'zod';

/** The fields of a noisy data record the drill-down needs (NoisyProblemSchema in @exp/noise). */
export const NoiseRecordSchema = z.looseObject({
  id: z.string().min(1),
  question: z.string(),
  noise: z.array(
    z.looseObject({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }),
  ),
});
