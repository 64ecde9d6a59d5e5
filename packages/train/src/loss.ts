// Mean cross-entropy of a causal LM as transformers computes it (ForCausalLMLoss): position t's
// logits predict label t+1, labels equal to -100 are ignored, the mean is over the rest.
import { DataType, Ops, type GraphBuilder, type Value } from '@exp/models/onnx';
import { one } from './emit.js';
import { GradientError, typeLookup, type TypeMap } from './types.js';

export const IGNORE_INDEX = -100;

export interface LossOptions {
  /** dtype/shape of `logits` when the graph cannot tell. */
  types?: TypeMap;
}

/**
 * The logits' [B, S, V] type and the targets as transformers builds them: labels shifted left
 * and padded with one -100, logits not shifted (slicing logits[:, :-1] would copy all B*S*V of
 * them, forward and backward, for nothing).
 */
function shiftedTarget(g: GraphBuilder, logits: Value, labels: Value, opts: LossOptions) {
  const o = new Ops(g);
  const t = typeLookup(g, opts.types)(logits.name);
  if (!t || t.shape.length !== 3) {
    throw new GradientError(`causalLmLoss: logits '${logits.name}' need a known [B, S, V] type`);
  }
  const [b, s] = t.shape as [number | string, number | string];
  const rows = o.concat([o.shape(labels, 0, 1), o.i64([1])], 0);
  const pad = one(o, 'Expand', [o.i64([IGNORE_INDEX], true), rows]); // [B, 1] of -100
  const target = o.concat([o.slice(labels, [1], [Number.MAX_SAFE_INTEGER], [1]), pad], 1);
  return { o, t, b, s, target };
}

/** [B, S, 1] bool: the positions whose target is not -100. */
function keptPositions(o: Ops, target: Value): Value {
  return o.unsqueeze(one(o, 'Not', [one(o, 'Equal', [target, o.i64([IGNORE_INDEX], true)])]), [-1]);
}

/** [B, S, 1] int64: each position's target, 0 where it is ignored (a valid index to gather at). */
function targetIds(o: Ops, keep: Value, target: Value): Value {
  return o.where(keep, o.unsqueeze(target, [-1]), o.i64([0], true));
}

/** The number of kept positions as a scalar of `like`'s type. */
function keptCount(o: Ops, keep: Value, like: Value): Value {
  return one(o, 'CastLike', [
    one(o, 'ReduceSum', [o.cast(keep, DataType.INT64)], { keepdims: 0 }),
    like,
  ]);
}

/**
 * Scalar loss from logits [B, S, V] and int64 labels [B, S]. Built from LogSoftmax,
 * GatherElements, Where and ReduceSum, all covered by RULES; the few values whose rules need
 * static shapes are annotated on `g`. All labels ignored gives 0/0 = NaN, as in torch.
 */
export function causalLmLoss(
  g: GraphBuilder,
  logits: Value,
  labels: Value,
  opts: LossOptions = {},
): Value {
  const { o, t, b, s, target } = shiftedTarget(g, logits, labels, opts);
  const lsm = g.node('LogSoftmax', [logits], { axis: -1 })[0]!;
  const keep = keptPositions(o, target);
  const ids = targetIds(o, keep, target);
  const picked = g.node('GatherElements', [lsm, ids], { axis: -1 })[0]!;
  const zero = one(o, 'CastLike', [o.float([0]), picked]);
  const kept = o.where(keep, picked, zero);
  const total = one(o, 'ReduceSum', [kept], { keepdims: 0 });
  const count = keptCount(o, keep, total);
  const mean = o.div(total, count);
  for (const v of [picked, kept]) g.annotate(v, t.dtype, [b, s, 1]);
  for (const v of [total, count, mean]) g.annotate(v, t.dtype, []);
  return o.neg(mean);
}

/** The loss and its gradient with respect to the logits, built together. */
export interface LossWithGrad {
  loss: Value;
  /** d(loss)/d(logits), [B, S, V]: the seed of the backward walk (gradients' opts.seed). */
  dlogits: Value;
}

/**
 * causalLmLoss with a hand-written backward: the same loss (mean over kept positions of
 * -logsoftmax(logits)[target]), and d(loss)/d(logits) = (softmax(logits) - onehot(target)) *
 * keep / count emitted directly: Exp of the log-softmax, one Mul by a per-row [B, S, 1] weight,
 * and a ScatterElements (add) of -weight at the targets into that same tensor. The generic walk
 * through GatherElements and LogSoftmax materialises [B, S, V] six times (zeros, their scatter,
 * a ReduceSum's input, Exp, Mul, Sub), this four (LogSoftmax, Exp, Mul, the scatter): 525 MB
 * each at 2 x 512 x 128256 float32.
 */
export function causalLmLossWithGrad(
  g: GraphBuilder,
  logits: Value,
  labels: Value,
  opts: LossOptions = {},
): LossWithGrad {
  const { o, t, b, s, target } = shiftedTarget(g, logits, labels, opts);
  const keep = keptPositions(o, target);
  const ids = targetIds(o, keep, target);
  const zero = one(o, 'CastLike', [o.float([0]), logits]);
  // LogSoftmax, not lse - picked nor log(softmax[target]): one exp pass like Softmax, exact
  // where a probability underflows (measured on [1, 256, 128256]: ReduceLogSumExp + Softmax
  // 400 ms, LogSoftmax + Exp 270 ms, the generic walk 300 ms)
  const lsm = g.node('LogSoftmax', [logits], { axis: -1 })[0]!;
  const picked = g.node('GatherElements', [lsm, ids], { axis: -1 })[0]!;
  const kept = o.where(keep, o.neg(picked), zero);
  const probs = o.exp(lsm);
  const total = one(o, 'ReduceSum', [kept], { keepdims: 0 });
  const count = keptCount(o, keep, total);
  const loss = o.div(total, count);

  const w = o.where(keep, o.reciprocal(count), zero); // [B, S, 1]: keep / count
  const scaled = o.mul(probs, w);
  const dlogits = one(o, 'ScatterElements', [scaled, ids, o.neg(w)], {
    axis: -1,
    reduction: 'add',
  });
  for (const v of [picked, kept, w]) g.annotate(v, t.dtype, [b, s, 1]);
  for (const v of [total, count, loss]) g.annotate(v, t.dtype, []);
  for (const v of [scaled, dlogits]) g.annotate(v, t.dtype, t.shape);
  return { loss, dlogits };
}
