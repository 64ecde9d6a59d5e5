// Rotary inverse frequencies, computed once at export the way transformers does when it builds
// the model: in float32, op by op (modeling_rope_utils: _compute_default_rope_parameters and
// _compute_llama3_parameters); Math.fround after each step reproduces the float32 rounding.
// The same formula without rounding (ropeInvFreqExact) gives the numbers a float64 reference
// uses (golden's rope.inv_freq is that result rounded to float32; HF's float32 build is 1 ulp
// off in places).
import type { ModelConfig } from '../config.js';

/** What each step's result goes through: Math.fround (float32) or nothing (float64). */
type Round = (x: number) => number;
const f = Math.fround;
const exact: Round = (x) => x;

/** Default RoPE: inv_freq[i] = 1 / theta^(2i/d), i = 0..d/2-1. */
export function defaultInvFreq(headDim: number, theta: number, r: Round = f): number[] {
  const base = r(theta);
  return Array.from({ length: headDim / 2 }, (_, i) =>
    r(1 / r(Math.pow(base, r(r(2 * i) / headDim)))),
  );
}

/**
 * Llama-3 scaling: frequencies with wavelength above original/low_freq_factor are divided by
 * `factor`, those below original/high_freq_factor kept, the band between blended linearly.
 */
export function llama3InvFreq(
  invFreq: readonly number[],
  s: {
    factor: number;
    lowFreqFactor: number;
    highFreqFactor: number;
    originalMaxPositionEmbeddings: number;
  },
  r: Round = f,
): number[] {
  const old = s.originalMaxPositionEmbeddings;
  const lowWavelen = r(old / s.lowFreqFactor);
  const highWavelen = r(old / s.highFreqFactor);
  return invFreq.map((inv) => {
    const wavelen = r(r(2 * Math.PI) / inv);
    const llama = wavelen > lowWavelen ? r(inv / r(s.factor)) : inv;
    if (wavelen < highWavelen || wavelen > lowWavelen) return llama;
    const smooth = r(
      r(r(r(old) / wavelen) - r(s.lowFreqFactor)) / r(s.highFreqFactor - s.lowFreqFactor),
    );
    return r(r(r(r(1 - smooth) * llama) / r(s.factor)) + r(smooth * llama));
  });
}

function invFreq(config: ModelConfig, r: Round): number[] {
  const base = defaultInvFreq(config.headDim, config.ropeTheta, r);
  return config.ropeScaling.type === 'llama3' ? llama3InvFreq(base, config.ropeScaling, r) : base;
}

/** The inverse-frequency vector a checkpoint's rotary embedding uses (HF's float32 build). */
export function ropeInvFreq(config: ModelConfig): Float32Array {
  return Float32Array.from(invFreq(config, f));
}

/** ropeInvFreq in float64, no rounding between the steps. */
export function ropeInvFreqExact(config: ModelConfig): number[] {
  return invFreq(config, exact);
}

/**
 * cos/sin tables [positions, d/2] for com.microsoft.RotaryEmbedding: the angle rounded to float32
 * as HF's float32 inv_freq x position product, cos/sin then taken of that float32 angle.
 */
export function ropeTables(invFreq: Float32Array, positions: number): [Float32Array, Float32Array] {
  const half = invFreq.length;
  const cos = new Float32Array(positions * half);
  const sin = new Float32Array(positions * half);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = f(p * invFreq[i]!);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return [cos, sin];
}
