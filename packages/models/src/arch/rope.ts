// Rotary inverse frequencies, computed once at export the way transformers does when it builds
// the model: in float32, op by op (modeling_rope_utils: _compute_default_rope_parameters and
// _compute_llama3_parameters). Math.fround after each step reproduces the float32 rounding.
// ropeInvFreqExact is the same formula in float64, the numbers a float64 reference uses (golden's
// rope.inv_freq is that result rounded to float32; HF's float32 build is 1 ulp off in places).
import type { ModelConfig } from '../config.js';

const f = Math.fround;

/** Default RoPE: inv_freq[i] = 1 / theta^(2i/d), i = 0..d/2-1. */
export function defaultInvFreq(headDim: number, theta: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  const base = f(theta);
  for (let i = 0; i < out.length; i++) {
    const exponent = f(f(2 * i) / headDim);
    out[i] = f(1 / f(Math.pow(base, exponent)));
  }
  return out;
}

/**
 * Llama-3 scaling: frequencies with wavelength above original/low_freq_factor are divided by
 * `factor`, those below original/high_freq_factor kept, the band between blended linearly.
 */
export function llama3InvFreq(
  invFreq: Float32Array,
  s: {
    factor: number;
    lowFreqFactor: number;
    highFreqFactor: number;
    originalMaxPositionEmbeddings: number;
  },
): Float32Array {
  const old = s.originalMaxPositionEmbeddings;
  const lowWavelen = old / s.lowFreqFactor;
  const highWavelen = old / s.highFreqFactor;
  const out = new Float32Array(invFreq.length);
  for (let i = 0; i < invFreq.length; i++) {
    const inv = invFreq[i]!;
    const wavelen = f(f(2 * Math.PI) / inv);
    let llama = wavelen > f(lowWavelen) ? f(inv / f(s.factor)) : inv;
    const smooth = f(
      f(f(f(old) / wavelen) - f(s.lowFreqFactor)) / f(s.highFreqFactor - s.lowFreqFactor),
    );
    const smoothed = f(f(f(f(1 - smooth) * llama) / f(s.factor)) + f(smooth * llama));
    const medium = !(wavelen < f(highWavelen)) && !(wavelen > f(lowWavelen));
    if (medium) llama = smoothed;
    out[i] = llama;
  }
  return out;
}

/** The inverse-frequency vector a checkpoint's rotary embedding uses. */
export function ropeInvFreq(config: ModelConfig): Float32Array {
  const base = defaultInvFreq(config.headDim, config.ropeTheta);
  return config.ropeScaling.type === 'llama3' ? llama3InvFreq(base, config.ropeScaling) : base;
}

/** ropeInvFreq in float64, no rounding between the steps. */
export function ropeInvFreqExact(config: ModelConfig): number[] {
  const d = config.headDim;
  const base = Array.from({ length: d / 2 }, (_, i) => 1 / Math.pow(config.ropeTheta, (2 * i) / d));
  const s = config.ropeScaling;
  if (s.type !== 'llama3') return base;
  const old = s.originalMaxPositionEmbeddings;
  const low = old / s.lowFreqFactor;
  const high = old / s.highFreqFactor;
  return base.map((inv) => {
    const wavelen = (2 * Math.PI) / inv;
    const llama = wavelen > low ? inv / s.factor : inv;
    if (wavelen < high || wavelen > low) return llama;
    const smooth = (old / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return ((1 - smooth) * llama) / s.factor + smooth * llama;
  });
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
