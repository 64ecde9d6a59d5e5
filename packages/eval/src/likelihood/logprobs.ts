// Log-probabilities from a forward pass's logits, one position at a time: the logits of a batch
// at the real vocabulary (128,256) are hundreds of MB, so they stay in their Float32Array and
// each position is reduced on its own. Hand-written: a max-shifted log-sum-exp is a few lines.

/**
 * log Σ_v exp(logits[offset + v]) over v < vocab, in float64, shifted by the maximum so that no
 * exp overflows (the log-softmax of a token is then `logits[offset + id] - logSumExp`).
 */
export function logSumExp(logits: Float32Array, offset: number, vocab: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v]!;
    if (x > max) max = x;
  }
  if (max === -Infinity || Number.isNaN(max)) return max;
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v]! - max);
  return max + Math.log(sum);
}

/**
 * Teacher-forced log-probabilities of one row: for every position t in [from, to), the
 * log-softmax at position t - 1 of the id at t (`ids` is the row as fed, `logits` its [S, V]
 * slice starting at `offset`). Returns to - from values.
 */
export function teacherForcedLogprobs(
  logits: Float32Array,
  offset: number,
  vocab: number,
  ids: readonly number[],
  from: number,
  to: number,
): Float64Array {
  if (!(from >= 1 && from <= to && to <= ids.length)) {
    throw new RangeError(
      `teacherForcedLogprobs: expected 1 <= from <= to <= ${ids.length}, got [${from}, ${to})`,
    );
  }
  const out = new Float64Array(to - from);
  for (let t = from; t < to; t++) {
    const at = offset + (t - 1) * vocab;
    out[t - from] = logits[at + ids[t]!]! - logSumExp(logits, at, vocab);
  }
  return out;
}
