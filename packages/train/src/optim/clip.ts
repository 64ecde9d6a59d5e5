// Global gradient-norm clipping with torch.nn.utils.clip_grad_norm_ semantics.

/**
 * Total norm over all gradients together (as if concatenated; `normType` 2 or Infinity), then
 * every gradient scaled in place by max_norm / (total + 1e-6) when that factor is below 1 (torch
 * multiplies by the factor clamped to 1, which leaves the others unchanged). Returns the total
 * norm before clipping. Norms accumulate in float64.
 */
/**
 * torch's clip factor for a total norm: max_norm / (total + 1e-6), clamped to 1. The fused
 * optimizer step multiplies the gradients by it instead of scaling them in a pass of their own.
 */
export const clipCoefficient = (total: number, maxNorm: number): number =>
  Math.min(1, maxNorm / (total + 1e-6));

export function clipGradNorm(
  grads: Iterable<Float32Array>,
  maxNorm: number,
  normType: 2 | typeof Infinity = 2,
): number {
  const all = [...grads];
  let total = 0;
  for (const g of all) {
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]!);
      total = normType === 2 ? total + a * a : Math.max(total, a);
    }
  }
  if (normType === 2) total = Math.sqrt(total);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const g of all) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  }
  return total;
}
