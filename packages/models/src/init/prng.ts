// Seeded normal samples for random initialisation. Hand-written (not a library) because the
// exact stream is part of a preset's identity: same seed -> byte-identical checkpoint, forever.
//
// Generator: xoshiro128** 1.1 (Blackman & Vigna; 128-bit state, 32-bit output, period 2^128-1),
// state filled by splitmix32 from a 32-bit FNV-1a hash of `${seed}:${stream}`, so every tensor
// has its own stream (adding a layer never changes the others). Normals: Box-Muller on two
// 53-bit uniforms, both outputs used, computed in float64 and rounded to float32 at the end.
// Math.log/sqrt/cos/sin are V8's fdlibm ports, identical on every machine for a Node version.

// Module-level aliases: hot loops then skip the global `Math` lookup, which is slow where the
// global object is instrumented (jest's vm context: ~20x slower for these loops).
const { imul, log, sqrt, cos, sin, PI } = Math;

function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** xoshiro128** seeded from (seed, stream name). */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, stream = '') {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: expected an integer, got ${seed}`);
    let x = fnv1a32(`${seed}:${stream}`);
    const splitmix32 = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = imul(z ^ (z >>> 16), 0x85ebca6b);
      z = imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32();
  }

  /** A generator with an explicit state (for checking against the reference vectors). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Xoshiro128 {
    const r = new Xoshiro128(0);
    [r.s0, r.s1, r.s2, r.s3] = [s0 | 0, s1 | 0, s2 | 0, s3 | 0];
    return r;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = imul(rotl(imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Standard normal samples by Box-Muller; keeps the second value of each pair. */
export class NormalSampler {
  private spare: number | undefined;

  constructor(private readonly rng: Xoshiro128) {}

  next(): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return z;
    }
    const u1 = 1 - this.rng.nextDouble(); // (0, 1]: log never sees 0
    const u2 = this.rng.nextDouble();
    const r = sqrt(-2 * log(u1));
    const theta = 2 * PI * u2;
    this.spare = r * sin(theta);
    return r * cos(theta);
  }

  /** Fills `out` with normal(0, std) values (float32-rounded). */
  fill(out: Float32Array, std: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.next() * std;
    return out;
  }
}
