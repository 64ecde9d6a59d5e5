// Gradient accumulation over micro-batches into preallocated float32 buffers.
import { GradientError } from '../types.js';
import { accumulatePass, sumOfSquares } from './kernels.js';

/** What one accumulation group holds once it is complete. */
export interface AccumulatedGrads {
  /**
   * Per parameter, the sum of weight * gradient over the group's micro-batches (float32), in
   * units of the group's first weight (so the first micro-batch's gradients need no pass).
   */
  sums: ReadonlyMap<string, Float32Array>;
  /** The sum of the weights in the same units: sums / total is the weighted mean. */
  total: number;
  /** The global 2-norm of the weighted mean (sums / total), as if all were concatenated. */
  norm: number;
}

/**
 * Sums weighted gradients, the way torch's `.grad` accumulates: in float32, into buffers
 * allocated once and reused by every group, or into the first micro-batch's own arrays
 * (`adopt`). With
 * weight 1 per micro-batch (each loss the mean over its own tokens) the mean is (1/k) sum of
 * grads, what HF Trainer gives when the loss is not token-normalised; with weight = the
 * micro-batch's count of non-ignored labels it is the gradient of the mean over all k
 * micro-batches' tokens, what Trainer gives with num_items_in_batch (transformers >= 4.46).
 * The optimizer takes `sums` with a scale (clip coefficient / total) instead of a divided copy.
 */
export class GradientAccumulator {
  private buffers = new Map<string, Float32Array>();
  /** Parameters written in the current group (a buffer outside it holds an old group's values). */
  private group = new Set<string>();
  private adopted = new Set<string>();
  private total = 0;
  /** The group's first weight: sums hold sum(weight * g) / unit. */
  private unit: number | undefined;
  /** Sum of squares of the sums, when the last add computed it over the whole group. */
  private sumSq: number | undefined;

  /** The sum of the weights added in this group. */
  get count(): number {
    return this.total * (this.unit ?? 0);
  }

  /**
   * Adds weight * grads. `last` marks the group's last micro-batch: the same pass then also
   * sums the squares of the results, so that take() needs no pass of its own for the norm.
   * `adopt`: the caller hands the arrays over (an onnxruntime run's fresh outputs), and the
   * group's first ones become its sums as they are (sums count in units of the group's first
   * weight): no buffer of the accumulator's own, so the sums cost no memory beyond the one
   * step's gradients (1.5 GB at 375M parameters), and no pass over the first micro-batch.
   */
  add(
    grads: ReadonlyMap<string, Float32Array>,
    weight = 1,
    opts: { last?: boolean; adopt?: boolean } = {},
  ): void {
    let sq = 0;
    this.unit ??= weight;
    const w = weight / this.unit;
    for (const [name, g] of grads) {
      const first = !this.group.has(name);
      let s = this.buffers.get(name);
      if (first && opts.adopt) {
        this.buffers.set(name, (s = g));
        this.adopted.add(name);
      } else if (!s) this.buffers.set(name, (s = new Float32Array(g.length)));
      if (s.length !== g.length) {
        throw new GradientError(
          `grads: '${name}' has ${g.length} values, earlier ones had ${s.length}`,
        );
      }
      this.group.add(name);
      if (first && s === g && w === 1) {
        // adopted in the group's units already: no pass, but for the norm's squares
        if (opts.last) sq += sumOfSquares(s);
      } else {
        const sumSq = accumulatePass(s, g, w, first);
        if (opts.last) sq += sumSq;
      }
    }
    this.total += w;
    this.sumSq = opts.last && grads.size === this.group.size ? sq : undefined;
  }

  /** The group's sums, total weight and mean's norm; the next add starts a new group. */
  take(): AccumulatedGrads {
    const sums = new Map([...this.group].map((n) => [n, this.buffers.get(n)!]));
    let sq = this.sumSq;
    if (sq === undefined) {
      sq = 0;
      for (const s of sums.values()) sq += sumOfSquares(s);
    }
    const out = { sums, total: this.total, norm: Math.sqrt(sq) / this.total };
    // adopted arrays are the caller's from here on: holding them would keep 1.5 GB (375M)
    // alive through the next group's first run
    for (const n of this.adopted) this.buffers.delete(n);
    this.adopted.clear();
    this.group = new Set();
    this.total = 0;
    this.unit = undefined;
    this.sumSq = undefined;
    return out;
  }

  /**
   * The weighted mean of what was added, divided in place in the accumulator's buffers (valid
   * until the next add); then starts over.
   */
  mean(): Map<string, Float32Array> {
    const { sums, total } = this.take();
    for (const s of sums.values()) for (let i = 0; i < s.length; i++) s[i] = s[i]! / total;
    return new Map(sums);
  }
}
