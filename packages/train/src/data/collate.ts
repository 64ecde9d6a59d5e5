// Batches as the training graph takes them: int64 [B, S] tensors padded on the right to the
// longest item of the batch (not to a fixed length), mask 0 and label -100 on the padding.
import { IGNORE_INDEX } from '../loss.js';
import { batchPlan, type BatchPlanOptions } from './batches.js';
import { SftDataError, type SftExample } from './format.js';

export interface SftBatch {
  /** Problem ids, in row order. */
  ids: string[];
  /** [B, S]: B rows, S = the longest item. */
  dims: [number, number];
  /** Row-major int64 [B, S]. */
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  labels: BigInt64Array;
  /** Labels other than -100 (what the mean loss divides by, before the shift drops row starts). */
  labelTokens: number;
}

/** Pads `examples` on the right with `padId` to the longest one. */
export function padBatch(examples: readonly SftExample[], padId: number): SftBatch {
  if (examples.length === 0) throw new SftDataError('padBatch: the batch is empty');
  if (!Number.isInteger(padId) || padId < 0) {
    throw new SftDataError(`padBatch: padId: expected a token id, got ${padId}`);
  }
  const B = examples.length;
  const S = Math.max(...examples.map((e) => e.inputIds.length));
  const inputIds = new BigInt64Array(B * S).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(B * S);
  const labels = new BigInt64Array(B * S).fill(BigInt(IGNORE_INDEX));
  let labelTokens = 0;
  examples.forEach((e, r) => {
    if (e.labels.length !== e.inputIds.length) {
      throw new SftDataError(
        `padBatch: item '${e.id}' has ${e.inputIds.length} ids but ${e.labels.length} labels`,
      );
    }
    e.inputIds.forEach((id, c) => {
      inputIds[r * S + c] = BigInt(id);
      attentionMask[r * S + c] = 1n;
      labels[r * S + c] = BigInt(e.labels[c]!);
      if (e.labels[c] !== IGNORE_INDEX) labelTokens++;
    });
  });
  return {
    ids: examples.map((e) => e.id),
    dims: [B, S],
    inputIds,
    attentionMask,
    labels,
    labelTokens,
  };
}

/** The padded batches of one epoch, in batchPlan's order. */
export function sftBatches(
  examples: readonly SftExample[],
  opts: BatchPlanOptions & { padId: number },
): SftBatch[] {
  const plan = batchPlan(
    examples.map((e) => e.inputIds.length),
    opts,
  );
  return plan.map((rows) =>
    padBatch(
      rows.map((i) => examples[i]!),
      opts.padId,
    ),
  );
}
