// Token-weighted gradient accumulation done by the training step itself (trainSft's and the
// bench's path): the sums live in buffers allocated once, and each run adds into them in place.
import { GradientError } from './types.js';
import type { TrainingStep, TrainingBatch } from './step-graph.js';
import type { AccumulatedGrads } from './optim/accumulate.js';
import { sumOfSquares } from './optim/kernels.js';

/**
 * The sums of one accumulation group, as GradientAccumulator keeps them (in units of the group's
 * first weight, float32, the same two roundings per add), but added by an accumulating
 * TrainingStep's run into the sums where they lie. Beyond the weights and AdamW's moments this
 * holds one set of gradients (1.5 GB at 375M parameters), where a run's fresh outputs, the
 * binding's copy of them and the previous micro-batches' sums were three.
 */
export class GroupSums {
  private sums: Map<string, Float32Array> | undefined;
  /** The group's first weight (undefined: no run in this group yet). */
  private unit: number | undefined;
  private total = 0;

  constructor(readonly step: TrainingStep) {
    if (!step.step.accumulate) {
      throw new GradientError('GroupSums: the step must be built with accumulate');
    }
  }

  /** Runs one micro-batch and adds weight (> 0) x its gradients to the group's sums; its loss. */
  async add(
    params: ReadonlyMap<string, Float32Array>,
    batch: TrainingBatch,
    weight: number,
  ): Promise<number> {
    if (!(weight > 0)) throw new GradientError(`GroupSums.add: weight ${weight}, expected > 0`);
    if (this.unit === undefined) {
      this.unit = weight;
      // the group starts from zeros: 0 + 1 x g is g exactly (allocated zeroed the first time)
      if (this.sums) for (const s of this.sums.values()) s.fill(0);
      else {
        this.sums = new Map(
          this.step.trainable.map((n) => [
            n,
            new Float32Array(this.step.parameters.get(n)!.reduce((a, b) => a * b, 1)),
          ]),
        );
      }
    }
    const scale = weight / this.unit;
    const { loss } = await this.step.run(params, batch, { into: this.sums!, scale });
    this.total += scale;
    return loss;
  }

  /** The group's sums (valid until the next add), total weight and mean's norm; starts over. */
  take(): AccumulatedGrads {
    if (!this.sums || this.unit === undefined) throw new GradientError('GroupSums.take: no add');
    let sq = 0;
    for (const s of this.sums.values()) sq += sumOfSquares(s);
    const out = { sums: this.sums, total: this.total, norm: Math.sqrt(sq) / this.total };
    this.unit = undefined;
    this.total = 0;
    return out;
  }
}
