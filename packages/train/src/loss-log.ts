// loss.jsonl of an SFT output folder: one line per optimiser step. Its zod schema is the line's
// one definition (the writer's record type is inferred from it) and readSftLosses its one reader,
// used by trainSft's resume, `exp run` and the report.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseJsonl } from '@exp/data';

/** The file's name inside an SFT output folder. */
export const SFT_LOSS_FILE = 'loss.jsonl';

/** One line of loss.jsonl: the step (1-based), its mean loss and the learning rate it used. */
export const SftLossRecordSchema = z.object({
  step: z.number().int().nonnegative(),
  /** Mean over the step's label tokens; null for a step without any (NaN, which JSON writes as null). */
  loss: z.number().nullable(),
  lr: z.number(),
});
export type SftLossRecord = z.infer<typeof SftLossRecordSchema>;

/**
 * The loss records of an SFT output folder (its loss.jsonl), none when there is none. A line that
 * is not a record fails with one line naming file:line and field (DataError).
 */
export function readSftLosses(out: string): SftLossRecord[] {
  const file = path.join(out, SFT_LOSS_FILE);
  if (!existsSync(file)) return [];
  return parseJsonl(readFileSync(file, 'utf8'), SftLossRecordSchema, file);
}
