import {
  bf16ToF32,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  f32ToF16Bits,
} from '../../src/safetensors/half.js';

describe('float16', () => {
  it('round-trips every non-NaN half bit pattern exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = f32ToF16(f16ToF32(all));
    let bad = 0;
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (!isNaN && back[h] !== h) bad++;
    }
    expect(bad).toBe(0);
  });

  it('decodes known values', () => {
    const f = f16ToF32(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x8000]));
    expect(Array.from(f)).toEqual([1, -2, 65504, 2 ** -24, Infinity, -Infinity, -0]);
    expect(Number.isNaN(f16ToF32(Uint16Array.from([0x7e00]))[0])).toBe(true);
  });

  it('rounds to nearest even and overflows to infinity', () => {
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (1.0)
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (1 + 2^-9)
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // rounds past the largest half
    expect(f32ToF16Bits(65519)).toBe(0x7bff);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal
    expect(f32ToF16Bits(1.5 * 2 ** -25)).toBe(1);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
  });
});

describe('bfloat16', () => {
  it('widens exactly and narrows with round to nearest even', () => {
    expect(Array.from(bf16ToF32(Uint16Array.from([0x3f80, 0xc040, 0x7f80])))).toEqual([
      1,
      -3,
      Infinity,
    ]);
    const src = Float32Array.from([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, -2.5]);
    expect(Array.from(f32ToBf16(src))).toEqual([0x3f80, 0x3f80, 0x3f82, 0x3f81, 0xc020]);
    expect(Number.isNaN(bf16ToF32(f32ToBf16(Float32Array.from([NaN])))[0])).toBe(true);
  });
});
