// Logits processors and warpers, one class each, as in transformers (logits_process.py) and
// transformers.js (generation/logits_process.js). Each works in place on the scores of one row,
// given that row's ids so far (prompt without padding + generated tokens).

export interface LogitsProcessor {
  /** Changes `scores` (one row, vocabulary-sized) in place. */
  process(ids: readonly number[], scores: Float32Array): void;
  /**
   * Set when process() is exactly HF's repetition penalty with this value: greedy decoding with
   * no other processor may then apply it in the decode graph instead of calling process().
   */
  readonly repetitionPenalty?: number;
}

/**
 * HF RepetitionPenaltyLogitsProcessor: for every distinct id already in the row, a positive
 * score is divided by `penalty` and a negative one multiplied by it (penalty > 1 discourages
 * repeats). HF gathers over the padded input_ids; here padding is not part of `ids`, so a pad
 * id is only penalised if the row really contains it (identical results for unpadded rows).
 * Computed as torch does, in float32 with the penalty rounded to float32: a float64 product or
 * quotient of two float32 values, rounded once to float32, is exactly the float32 operation.
 */
export class RepetitionPenaltyLogitsProcessor implements LogitsProcessor {
  /** This class's own instances only: a subclass may change process(). */
  readonly repetitionPenalty?: number;

  constructor(readonly penalty: number) {
    if (!(penalty > 0)) throw new Error(`repetitionPenalty must be > 0, got ${penalty}`);
    if (new.target === RepetitionPenaltyLogitsProcessor) this.repetitionPenalty = penalty;
  }

  process(ids: readonly number[], scores: Float32Array): void {
    const seen = new Set<number>();
    const p = Math.fround(this.penalty);
    for (const id of ids) {
      if (seen.has(id) || id < 0 || id >= scores.length) continue;
      seen.add(id);
      const s = scores[id]!;
      scores[id] = s < 0 ? s * p : s / p; // rounded to float32 by the store
    }
  }
}

/** HF TemperatureLogitsWarper: scores / temperature. */
export class TemperatureLogitsWarper implements LogitsProcessor {
  constructor(readonly temperature: number) {
    if (!(temperature > 0)) throw new Error(`temperature must be > 0, got ${temperature}`);
  }

  process(_ids: readonly number[], scores: Float32Array): void {
    for (let i = 0; i < scores.length; i++) scores[i] = scores[i]! / this.temperature;
  }
}

/** HF TopKLogitsWarper: scores below the k-th largest become -Infinity (ties with it are kept). */
export class TopKLogitsWarper implements LogitsProcessor {
  constructor(readonly topK: number) {
    if (!Number.isInteger(topK) || topK < 1) throw new Error(`topK must be an integer >= 1`);
  }

  process(_ids: readonly number[], scores: Float32Array): void {
    const k = Math.min(this.topK, scores.length);
    if (k >= scores.length) return;
    const kth = kthLargest(scores, k);
    for (let i = 0; i < scores.length; i++) if (scores[i]! < kth) scores[i] = -Infinity;
  }
}

/**
 * HF TopPLogitsWarper: sort ascending, drop the tokens whose cumulative probability is
 * <= 1 - top_p (always keeping the most likely one).
 */
export class TopPLogitsWarper implements LogitsProcessor {
  constructor(readonly topP: number) {
    if (!(topP > 0 && topP <= 1)) throw new Error(`topP must be in (0, 1], got ${topP}`);
  }

  process(_ids: readonly number[], scores: Float32Array): void {
    if (this.topP >= 1) return;
    const probs = softmax(scores);
    // tokens already at -Infinity (e.g. cut by top-k) have probability 0 and cannot matter
    const order: number[] = [];
    for (let i = 0; i < scores.length; i++) if (scores[i]! > -Infinity) order.push(i);
    order.sort((a, b) => scores[a]! - scores[b]! || b - a);
    let cum = 0;
    // ascending order; the last (most likely) token is never removed
    for (let j = 0; j < order.length - 1; j++) {
      cum += probs[order[j]!]!;
      if (cum <= 1 - this.topP) scores[order[j]!] = -Infinity;
      else break;
    }
  }
}

/** The k-th largest value (1-based) by quickselect on a copy: O(V), unlike a full sort. */
export function kthLargest(values: Float32Array, k: number): number {
  const a = Float32Array.from(values);
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}

/** Runs processors in order. */
export class LogitsProcessorList implements LogitsProcessor {
  constructor(readonly processors: LogitsProcessor[] = []) {}

  get length(): number {
    return this.processors.length;
  }

  process(ids: readonly number[], scores: Float32Array): void {
    for (const p of this.processors) p.process(ids, scores);
  }
}

/** Numerically stable softmax in float64 (sums over 128k-token vocabularies). */
export function softmax(scores: Float32Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!;
  const out = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const e = Math.exp(scores[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}
