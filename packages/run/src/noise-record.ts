// The fields of a noisy data record that readRun's sample drill-down needs: @exp/noise's
// NoisyProblemSchema, loosely (unknown keys kept, so that data written by another exp version
// still shows its spans).
import { z } from 'zod';

export const NoiseRecordSchema = z.looseObject({
  id: z.string().min(1),
  question: z.string(),
  noise: z.array(
    z.looseObject({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }),
  ),
});
