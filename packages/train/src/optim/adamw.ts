// AdamW as torch.optim.AdamW computes it (single-tensor path, amsgrad off). The Optimizer owns
// the bookkeeping (parameters, lr, per-parameter state); the algorithm is adamwStep alone.
import { GradientError } from '../types.js';
import { adamwPass } from './kernels.js';

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** torch.optim.AdamW's defaults. */
export const ADAMW_DEFAULTS: AdamWHyper = {
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
};

export interface AdamWState {
  /** Steps taken (0 before the first, when m and v are zeros). */
  step: number;
  /** First and second moment estimates (float32, like torch's exp_avg / exp_avg_sq); zeros before the first step. */
  m: Float32Array;
  v: Float32Array;
}

export const adamwState = (n: number): AdamWState => ({
  step: 0,
  m: new Float32Array(n),
  v: new Float32Array(n),
});

/**
 * One AdamW update of `param` in place; `state` advances by one step. torch's single-tensor
 * AdamW on the CPU (torch.optim.AdamW's default there) in float32, operation by operation, with
 * its fused multiply-adds (kernels.wat has the formulas): m and v equal torch's bitwise and p in
 * all but a few values in a thousand, by one ulp (test/kernels.test.ts, against torch 2.15).
 * torch's scalar arguments (step size, bias correction) are float64 rounded to float32. g is
 * grad * gradScale: the clip coefficient and an accumulator's 1/total folded into the one pass
 * (torch scales .grad in passes of their own first).
 */
export function adamwStep(
  param: Float32Array,
  grad: Float32Array,
  state: AdamWState,
  hp: AdamWHyper,
  gradScale = 1,
): void {
  const t = ++state.step;
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = hp;
  const f = Math.fround;
  const w = 1 - b1; // lerp's weight: from m when below 0.5, else from g (torch's two branches)
  const lerpFromGrad = !(Math.abs(w) < 0.5);
  adamwPass(
    param,
    grad,
    state.m,
    state.v,
    {
      scale: f(gradScale),
      decay: f(1 - lr * wd),
      coef: lerpFromGrad ? f(f(w) - 1) : f(w),
      lerpFromGrad,
      b2: f(b2),
      c2: f(1 - b2),
      bc2s: f(Math.sqrt(1 - b2 ** t)),
      eps: f(eps),
      nss: f(-(lr / (1 - b1 ** t))),
    },
    t === 1,
  );
}

/** Named parameters and their state; `step(grads)` updates every parameter that has a gradient. */
export class Optimizer {
  readonly hp: AdamWHyper;
  readonly state = new Map<string, AdamWState>();

  constructor(
    readonly params: ReadonlyMap<string, Float32Array>,
    hp: Partial<AdamWHyper> = {},
  ) {
    this.hp = { ...ADAMW_DEFAULTS, ...hp };
  }

  /** The learning rate of the next step (a schedule sets it). */
  get lr(): number {
    return this.hp.lr;
  }

  set lr(value: number) {
    this.hp.lr = value;
  }

  /**
   * Parameters without a gradient are skipped, as torch skips `p.grad is None`. Each gradient
   * counts as grads * gradScale (a clip coefficient over an accumulated sum's total).
   */
  step(grads: ReadonlyMap<string, Float32Array>, gradScale = 1): void {
    for (const name of grads.keys()) {
      if (!this.params.has(name)) throw new GradientError(`grads: '${name}' is not a parameter`);
    }
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      if (g.length !== p.length) {
        throw new GradientError(
          `grads: '${name}' has ${g.length} values, the parameter has ${p.length}`,
        );
      }
      let s = this.state.get(name);
      if (!s) this.state.set(name, (s = adamwState(p.length)));
      adamwStep(p, g, s, this.hp, gradScale);
    }
  }
}
