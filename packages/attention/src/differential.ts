// The map a figure or metric reads (MapForm) from one layer's raw maps. DiffLlama returns the
// post-softmax maps of all H heads; Hugging Face pairs head i with head i + H/2 (torch.chunk into
// halves, not neighbours), and the differential map of pair i is D_i = A_i - lambda * A_{i+H/2}.
import type { LayerAttention, MapForm } from './types.js';

/** How many maps `form` gives for `layer`: H for softmax, H/2 for the DiffLlama forms. */
export function formHeads(layer: LayerAttention, form: MapForm): number {
  return form === 'softmax' ? layer.heads : layer.heads / 2;
}

/**
 * [formHeads, S, S] maps of `form`: 'softmax' returns `layer.data` itself (every head's map,
 * Llama or the raw DiffLlama sub-heads); 'a1' / 'a2' views of the first / second half of the
 * heads; 'differential' D = A1 - lambda * A2 (rows sum to 1 - lambda); 'differential-normalised'
 * D / (1 - lambda) (rows sum to 1); 'differential-clamped' D clamped to [0, 1], as the original
 * did. The DiffLlama forms need `layer.lambdaFull`.
 */
export function differentialMaps(layer: LayerAttention, form: MapForm): Float32Array {
  const { data, heads, seq, lambdaFull: lambda } = layer;
  if (data.length !== heads * seq * seq) {
    throw new Error(
      `layer ${layer.layer}: ${data.length} values, expected ${heads} x ${seq} x ${seq}`,
    );
  }
  if (form === 'softmax') return data;
  if (lambda === null) {
    throw new Error(
      `layer ${layer.layer}: map form ${form} needs a DiffLlama layer (lambda_full), this one has none`,
    );
  }
  if (heads % 2 !== 0)
    throw new Error(`layer ${layer.layer}: DiffLlama needs an even head count, got ${heads}`);
  const half = (heads / 2) * seq * seq;
  if (form === 'a1') return data.subarray(0, half);
  if (form === 'a2') return data.subarray(half);
  const scale = form === 'differential-normalised' ? 1 / (1 - lambda) : 1;
  if (!Number.isFinite(scale)) {
    throw new Error(
      `layer ${layer.layer}: lambda_full is ${lambda}, so D / (1 - lambda) is undefined`,
    );
  }
  const clamp = form === 'differential-clamped';
  const out = new Float32Array(half);
  for (let k = 0; k < half; k++) {
    const d = (data[k]! - lambda * data[half + k]!) * scale;
    out[k] = clamp ? Math.min(1, Math.max(0, d)) : d;
  }
  return out;
}
