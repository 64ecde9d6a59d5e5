// Learning-rate schedules as multipliers of the base lr, like torch's LambdaLR.

/**
 * transformers' get_linear_schedule_with_warmup: step / warmup during warmup, then linear decay
 * to 0 at `total` steps. `step` counts optimizer steps taken, so the first update uses
 * factor(0), which is 0 when warmup > 0 (as in HF: LambdaLR starts at step 0).
 */
export function linearWithWarmup(warmup: number, total: number): (step: number) => number {
  return (step) =>
    step < warmup
      ? step / Math.max(1, warmup)
      : Math.max(0, (total - step) / Math.max(1, total - warmup));
}
