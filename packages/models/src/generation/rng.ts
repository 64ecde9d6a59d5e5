// Seeded random numbers for sampling. Hand-written (a few lines) rather than a dependency:
// sampling needs only uniform floats, and the stream must be identical on every platform.

/** splitmix32: mixes a 32-bit state; used to derive independent per-row seeds. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** mulberry32 generator: uniform floats in [0, 1) from a 32-bit seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** The generator for row `row` of a batch started with `seed` (independent of batch size). */
  static forRow(seed: number, row: number): Rng {
    return new Rng(splitmix32(splitmix32(seed >>> 0) ^ splitmix32(row + 1)));
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
