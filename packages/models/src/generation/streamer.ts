// Per-step callbacks: the tokens chosen (progress, streaming) and the logits they came from.

/**
 * `tokens[r]` is row r's new token (the pad id for rows that had already finished);
 * `finished[r]` says whether row r is done after this step.
 */
export type TokenCallback = (
  step: number,
  tokens: readonly number[],
  finished: readonly boolean[],
) => void;

/**
 * Prompt `index`'s raw logits for its new token number `step` (0 = the prefill's), vocabulary
 * sized. The buffer is reused and changed afterwards: copy what you keep.
 */
export type StepLogitsCallback = (index: number, step: number, logits: Float32Array) => void;
