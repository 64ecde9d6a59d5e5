// What the generation loop needs from a decoder: a batch of `slots` rows, each filled by its own
// prefill (alone, or packed with other prompts, right-padded to whole chunks: the same bits either
// way) and then advanced one token per step with the
// others. Rows join and leave independently (continuous batching); each keeps its cache slots
// laid out as if it ran alone, which is what makes greedy results batch invariant.
export type GenerationPath = 'external-kv' | 'present';

/** Last-position logits [rows, V] row-major, or only their argmax per row. */
export type StepOutput =
  { logits: Float32Array; argmax: null } | { logits: null; argmax: number[] };

/**
 * What a call returns: the logits, their argmax, or the argmax after HF's repetition penalty
 * (`ids[r]`: the ids to penalise for output row r, e.g. its distinct ids so far; a row may repeat
 * an id). Both argmax kinds are wishes: decoders without them return logits.
 */
export type Want = 'logits' | 'argmax' | PenalizedArgmax;
export interface PenalizedArgmax {
  penalty: number;
  ids: readonly (readonly number[])[];
}

export interface StepDecoder {
  readonly path: GenerationPath;
  /** Whether the decoder can return the argmax alone (see `want`). */
  readonly hasArgmax: boolean;
  /** Whether the decoder can return the argmax after the repetition penalty (see `Want`). */
  readonly hasPenalizedArgmax: boolean;
  /** Whether the graph has the attention-knockout inputs (see `begin` and `prefillMany`). */
  readonly hasKnockout: boolean;
  /** Rows of the running batch. */
  readonly slots: number;
  /**
   * Starts a batch of `slots` empty rows (drops any previous cache). `knockoutFromLayer`: the
   * first layer the rows' knockouts apply to (decoders with knockout inputs only).
   */
  begin(slots: number, knockoutFromLayer?: number): void;
  /**
   * Runs `prompt` alone and keeps its keys/values in the empty row `slot`; returns that one
   * row's output. 'argmax' is a wish: decoders without it return logits.
   */
  prefill(slot: number, prompt: readonly number[], want: Want): Promise<StepOutput>;
  /**
   * Several prompts in one call (row r of the output is prompts[r], kept in slots[r]), each
   * with the same outputs and keys/values, bitwise, as its own prefill(). `blocked[r]`: prompt
   * r's knocked-out positions (1 = blocked), kept for its row's later steps; needs hasKnockout.
   */
  prefillMany(
    slots: readonly number[],
    prompts: readonly (readonly number[])[],
    want: Want,
    blocked?: readonly (Uint8Array | undefined)[],
  ): Promise<StepOutput>;
  /** One token per row (ignored for empty rows, whose output rows mean nothing). */
  step(tokens: readonly number[], want: Want): Promise<StepOutput>;
  /** Empties a row (its generation ended); a later prefill may reuse it. */
  free(slot: number): void;
  /** Keeps only these rows, in this order (row i becomes old row slots[i]). */
  keep(slots: readonly number[]): void;
  /** Drops the cache. */
  reset(): void;
  /** Frees what the decoder owns (its session, for the external-kv graph). */
  release(): Promise<void>;
}
