// Value-weighted attention (norm-based analysis, Kobayashi et al. 2020, "Attention is Not Only a
// Weight"): what key j contributes to head h's output at query q is α_hqj W_O^h v_j, so its size
// is ‖α_hqj W_O^h v_j‖ = |α_hqj| ‖W_O^h v_j‖ (α is a scalar). The model exports the norms
// N_hj = ‖W_O^h v_j‖ once per layer ([H', S], value_norms.{i}) and the map is multiplied here:
// no [H, S, S, hidden] tensor of transformed vectors is ever built.
//
// DiffLlama: pair i's output is (1 - λ_init) RMSNorm(Σ_j D_qj V'_j) with D = A_i - λ A_{i+H/2} and
// V'_j the pair's 2d-wide value; the weightless RMSNorm divides row q by one scalar, so key j's
// contribution is (1 - λ_init) r_q D_qj W_O^i V'_j and its norm (1 - λ_init) r_q |D_qj| N_ij. The
// row factor (1 - λ_init) r_q is left out (it needs the head's output and cancels in every share
// of a row), so the differential map is |D_qj| N_ij whatever the DiffLlama form; the raw
// sub-head forms (softmax, a1, a2) weigh A_h by the norms of the pair the head belongs to.
import { formHeads } from './differential.js';
import type { LayerAttention, MapForm } from './types.js';

/**
 * [formHeads, S, S] value-weighted maps |a_hqj| · ‖W_O^h v_j‖ of `layer` in `form` (see above),
 * or null when the layer has no value norms.
 */
export function valueWeightedMaps(layer: LayerAttention, form: MapForm): Float32Array | null {
  const { data, heads, seq, lambdaFull: lambda, valueNorms: norms } = layer;
  if (!norms) return null;
  const pairs = lambda === null ? heads : heads / 2;
  if (norms.length !== pairs * seq) {
    throw new Error(
      `layer ${layer.layer}: ${norms.length} value norms, expected ${pairs} x ${seq}`,
    );
  }
  const size = seq * seq;
  const out = new Float32Array(formHeads(layer, form) * size);
  const differential = lambda !== null && form !== 'softmax' && form !== 'a1' && form !== 'a2';
  // the sub-heads a map of this form holds: all H, or one half (a2 starts at H/2)
  const first = form === 'a2' ? heads / 2 : 0;
  const n = out.length / size;
  for (let h = 0; h < n; h++) {
    const src = first + h;
    const norm = norms.subarray((src % pairs) * seq, (src % pairs) * seq + seq);
    for (let q = 0; q < seq; q++) {
      const row = src * size + q * seq;
      const at = h * size + q * seq;
      for (let j = 0; j <= q; j++) {
        const a = differential
          ? data[row + j]! - lambda * data[row + (heads / 2) * size + j]!
          : data[row + j]!;
        out[at + j] = Math.abs(a) * norm[j]!;
      }
    }
  }
  return out;
}
