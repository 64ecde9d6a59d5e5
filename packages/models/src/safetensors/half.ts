// 16-bit float <-> float32 conversions. Node 20 has no Float16Array, so these work on the raw
// bit patterns (Uint16Array) with a shared 4-byte scratch buffer for the float32 view.

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** bfloat16 bits -> float32 values (exact: bf16 is the top half of a float32). */
export function bf16ToF32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)) {
  const o32 = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) o32[i] = src[i]! << 16;
  return out;
}

// float16 -> float32 for all 65536 bit patterns, built once on first use (256 KiB).
let f16Table: Float32Array | undefined;

function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero / subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** IEEE float16 bits -> float32 values (exact). */
export function f16ToF32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)) {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = halfBitsToFloat(h);
  }
  const t = f16Table;
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]!]!;
  return out;
}

/** One float32 -> IEEE float16 bits, round to nearest even, overflow to infinity. */
export function f32ToF16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // Subnormal half (or zero): shift the full mantissa (with its implicit 1) into place.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let r = mant >>> shift;
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // Round to nearest even; a carry out of the mantissa correctly bumps the exponent.
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++;
  return sign | r;
}

/** float32 values -> IEEE float16 bits. */
export function f32ToF16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)) {
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16Bits(src[i]!);
  return out;
}

/** float32 values -> bfloat16 bits, round to nearest even (NaN stays NaN). */
export function f32ToBf16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)) {
  const u = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    const x = u[i]!;
    if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) {
      out[i] = (x >>> 16) | 0x40;
      continue;
    }
    out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}
