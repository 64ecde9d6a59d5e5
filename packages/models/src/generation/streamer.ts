// Per-token progress: called once per decoding step with the token chosen for every row.

/**
 * `tokens[r]` is row r's new token (the pad id for rows that had already finished);
 * `finished[r]` says whether row r is done after this step.
 */
export type TokenCallback = (
  step: number,
  tokens: readonly number[],
  finished: readonly boolean[],
) => void;
