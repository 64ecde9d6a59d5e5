// When a row stops, one class per rule as in transformers (stopping_criteria.py): HF's
// MaxLengthCriteria (as max_new_tokens), EosTokenCriteria and StopStringCriteria.

export type FinishReason = 'stop' | 'length' | 'aborted';

export interface StoppingCriterion {
  readonly reason: FinishReason;
  /** Short stable name recorded in results: 'eos', 'max_new_tokens', 'stop_string', or a user's. */
  readonly name: string;
  /**
   * True when the row with these generated tokens (prompt excluded) is done. `index` is the
   * prompt's position in the list given to generate() / generateStream(), for rules that differ
   * per prompt (e.g. {@link PerPromptMaxNewTokensCriteria}); rules that do not may omit it.
   */
  done(generated: readonly number[], index: number): boolean;
}

export class MaxNewTokensCriteria implements StoppingCriterion {
  readonly reason = 'length' as const;
  readonly name = 'max_new_tokens';
  constructor(readonly maxNewTokens: number) {}

  done(generated: readonly number[]): boolean {
    return generated.length >= this.maxNewTokens;
  }
}

/**
 * A length limit per prompt: prompt i stops after `limits[i]` new tokens (a prompt without an
 * entry runs on to the other rules). Works in generate() and generateStream() alike, since
 * both pass the prompt's index; stops count as 'length', as maxNewTokens does.
 */
export class PerPromptMaxNewTokensCriteria implements StoppingCriterion {
  readonly reason = 'length' as const;
  readonly name = 'max_new_tokens';
  constructor(readonly limits: readonly number[]) {
    for (const n of limits) {
      if (!Number.isInteger(n) || n <= 0) {
        throw new Error(`per-prompt maxNewTokens must be positive integers, got ${n}`);
      }
    }
  }

  done(generated: readonly number[], index: number): boolean {
    const limit = this.limits[index];
    return limit !== undefined && generated.length >= limit;
  }
}

/** Stops a row once it produced one of the ids (the stop token is kept in the output). */
export class StopTokenCriteria implements StoppingCriterion {
  readonly reason = 'stop' as const;
  readonly name = 'eos';
  private readonly ids: Set<number>;
  constructor(ids: Iterable<number>) {
    this.ids = new Set(ids);
  }

  done(generated: readonly number[]): boolean {
    return generated.length > 0 && this.ids.has(generated[generated.length - 1]!);
  }
}

/** The text before the earliest occurrence of any stop string, and which one it was. */
export function cutAtStopStrings(
  text: string,
  stops: readonly string[],
): { text: string; stop: string | null } {
  let at = -1;
  let stop: string | null = null;
  for (const s of stops) {
    if (!s) continue;
    const i = text.indexOf(s);
    // earliest wins; at the same place the longer string (it contains the shorter one)
    if (i >= 0 && (at < 0 || i < at || (i === at && s.length > stop!.length))) {
      at = i;
      stop = s;
    }
  }
  return stop === null ? { text, stop } : { text: text.slice(0, at), stop };
}

/** Characters a decoded window may lose at its start (a UTF-8 sequence cut by the window). */
const CUT_CHARACTER_SLACK = 3;

/**
 * Stops a row once its decoded text contains one of the strings (which may straddle tokens).
 * Each check decodes only a tail of the tokens, long enough to hold any stop string that ends
 * in the newest token: every earlier end was seen by an earlier check.
 */
export class StopStringCriteria implements StoppingCriterion {
  readonly reason = 'stop' as const;
  readonly name = 'stop_string';
  private readonly longest: number;

  constructor(
    readonly stops: readonly string[],
    private readonly tokenizer: { decode(ids: readonly number[]): string },
  ) {
    if (stops.some((s) => s.length === 0)) throw new Error('stop strings must not be empty');
    this.longest = Math.max(0, ...stops.map((s) => s.length));
  }

  /** The decoded tail of `generated` that any new match lies in. */
  private tail(generated: readonly number[]): string {
    if (!generated.length || !this.longest) return '';
    const newest = this.tokenizer.decode(generated.slice(-1)).length;
    const need = newest + this.longest - 1 + CUT_CHARACTER_SLACK;
    // a token decodes to at least one character mostly; widen the window when it does not
    for (let k = Math.min(generated.length, need); ; k = Math.min(generated.length, 2 * k)) {
      const text = this.tokenizer.decode(generated.slice(-k));
      if (text.length >= need || k === generated.length) return text;
    }
  }

  /** The stop string found in the tail (the earliest one), or null. */
  match(generated: readonly number[]): string | null {
    return cutAtStopStrings(this.tail(generated), this.stops).stop;
  }

  done(generated: readonly number[]): boolean {
    return this.match(generated) !== null;
  }
}

/** The first criterion that holds for prompt `index`'s row, or null while the row goes on. */
export function checkStop(
  criteria: readonly StoppingCriterion[],
  generated: readonly number[],
  index: number,
): StoppingCriterion | null {
  for (const c of criteria) if (c.done(generated, index)) return c;
  return null;
}
