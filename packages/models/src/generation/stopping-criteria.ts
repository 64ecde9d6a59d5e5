// When a row stops: HF's MaxLengthCriteria (as max_new_tokens) and EosTokenCriteria.

export type FinishReason = 'stop' | 'length' | 'aborted';

export interface StoppingCriterion {
  readonly reason: FinishReason;
  /** True when the row with these generated tokens (prompt excluded) is done. */
  done(generated: readonly number[]): boolean;
}

export class MaxNewTokensCriteria implements StoppingCriterion {
  readonly reason = 'length' as const;
  constructor(readonly maxNewTokens: number) {}

  done(generated: readonly number[]): boolean {
    return generated.length >= this.maxNewTokens;
  }
}

/** Stops a row once it produced one of the ids (the stop token is kept in the output). */
export class StopTokenCriteria implements StoppingCriterion {
  readonly reason = 'stop' as const;
  private readonly ids: Set<number>;
  constructor(ids: Iterable<number>) {
    this.ids = new Set(ids);
  }

  done(generated: readonly number[]): boolean {
    return generated.length > 0 && this.ids.has(generated[generated.length - 1]!);
  }
}

/** The reason of the first criterion that holds, or null while the row goes on. */
export function checkStop(
  criteria: readonly StoppingCriterion[],
  generated: readonly number[],
): FinishReason | null {
  for (const c of criteria) if (c.done(generated)) return c.reason;
  return null;
}
