// Reverse-mode autodiff over a GraphBuilder: walk g.nodes (built in topological order) backwards
// from the loss, apply each node's rule, and sum the gradients of values used more than once.
import { Ops, type GraphBuilder, type Value } from '@exp/models/onnx';
import { one, scalarLike, sumTo, zerosLike } from './emit.js';
import { DTYPE_ONLY, NON_DIFFERENTIABLE, RULES, type RuleCtx } from './rules.js';
import { GradientError, typeLookup, type TypeMap } from './types.js';

export interface GradientsOptions {
  /**
   * d(output)/d(`loss`) when `loss` is not the scalar output itself: the walk then starts from
   * `loss` with this gradient (a hand-written VJP of what follows, e.g. the logits' gradient of
   * causalLmLossWithGrad). Default: ones of `loss`'s shape.
   */
  seed?: Value;
  /** dtype/shape of forward values the graph cannot tell (before GraphBuilder.typeOf exists). */
  types?: TypeMap;
}

/** Appends to `g` the nodes computing d(loss)/d(w) for each w (zeros where loss does not depend). */
export function gradients(
  g: GraphBuilder,
  loss: Value,
  wrt: readonly Value[],
  opts: GradientsOptions = {},
): Value[] {
  const o = new Ops(g);
  const typeOf = typeLookup(g, opts.types);
  const forward = [...g.nodes];
  // values that depend on some w through differentiable inputs: only these get gradients
  const dep = new Set(wrt.map((w) => w.name));
  for (const n of forward) {
    if (NON_DIFFERENTIABLE.has(n.opType)) continue;
    if (n.inputs.some((i, k) => dep.has(i) && DTYPE_ONLY[n.opType] !== k)) {
      n.outputs.forEach((v) => dep.add(v));
    }
  }

  const grads = new Map<string, Value>([
    [loss.name, opts.seed ?? one(o, 'Expand', [scalarLike(o, 1, loss), o.shape(loss)])],
  ]);
  const accumulate = (name: string, d: Value) => {
    const prev = grads.get(name);
    grads.set(name, prev ? o.add(prev, d) : d);
  };
  const shape = (v: Value) => {
    const t = typeOf(v.name);
    if (!t)
      throw new GradientError(`shape of '${v.name}' is unknown (annotate it or pass opts.types)`);
    return t.shape;
  };

  for (const node of forward.reverse()) {
    const needs = (i: number) => dep.has(node.inputs[i] ?? '') && DTYPE_ONLY[node.opType] !== i;
    const dys = node.outputs.map((v) => grads.get(v));
    if (!dys.some(Boolean) || !node.inputs.some((_, i) => needs(i))) continue;
    // an output nothing downstream uses (one piece of a Split) has a zero gradient
    const dyAll = dys.map((d, i) => d ?? zerosLike(o, { name: node.outputs[i]! }));
    const rule = RULES[node.opType];
    if (!rule) {
      throw new GradientError(
        `no gradient rule for ${node.opType} (node '${node.name}') on the path from the loss`,
      );
    }
    const x = node.inputs.map((name) => ({ name }));
    const y = { name: node.outputs[0]! };
    const ctx: RuleCtx = {
      o,
      node,
      dys: dyAll,
      x,
      y,
      shape,
      need: (i, make) => (needs(i) ? make() : undefined),
      unb: (i, make) => (needs(i) ? sumTo(o, make(), shape(y), shape(x[i]!), x[i]!) : undefined),
      takeAccumulated: (i) => {
        const name = node.inputs[i]!;
        const prev = needs(i) ? grads.get(name) : undefined;
        // a value used twice by this node must not lose the first use's part
        if (prev && node.inputs.filter((n) => n === name).length === 1) {
          grads.delete(name);
          return prev;
        }
        return undefined;
      },
    };
    rule(dyAll[0]!, ctx).forEach((d, i) => {
      if (d && needs(i)) accumulate(node.inputs[i]!, d);
    });
  }
  return wrt.map((w) => grads.get(w.name) ?? zerosLike(o, w));
}
