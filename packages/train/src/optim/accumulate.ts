// Gradient accumulation over micro-batches.
import { GradientError } from '../types.js';

/**
 * Sums weighted gradients and returns their weighted mean. With weight 1 per micro-batch (each
 * loss the mean over its own tokens) the result is (1/k) sum of grads, what HF Trainer gives
 * when the loss is not token-normalised (loss / gradient_accumulation_steps). With weight = the
 * micro-batch's count of non-ignored labels it is the gradient of the mean over all k
 * micro-batches' tokens, what Trainer gives with num_items_in_batch (transformers >= 4.46).
 */
export class GradientAccumulator {
  private sums = new Map<string, Float64Array>();
  private total = 0;

  get count(): number {
    return this.total;
  }

  add(grads: ReadonlyMap<string, Float32Array>, weight = 1): void {
    for (const [name, g] of grads) {
      let s = this.sums.get(name);
      if (!s) this.sums.set(name, (s = new Float64Array(g.length)));
      if (s.length !== g.length) {
        throw new GradientError(
          `grads: '${name}' has ${g.length} values, earlier ones had ${s.length}`,
        );
      }
      for (let i = 0; i < g.length; i++) s[i]! += weight * g[i]!;
    }
    this.total += weight;
  }

  /** The weighted mean (float32) of what was added; then starts over. */
  mean(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, s] of this.sums) {
      // a loop, not Float32Array.from(s, fn): with a map function V8 first copies the source
      // into a plain JS array, which overflows the heap at the 131M-value tied embedding
      const m = new Float32Array(s.length);
      for (let i = 0; i < s.length; i++) m[i] = s[i]! / this.total;
      out.set(name, m);
    }
    this.sums = new Map();
    this.total = 0;
    return out;
  }
}
