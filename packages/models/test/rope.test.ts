import path from 'node:path';
import { defaultInvFreq, ropeInvFreq, ropeInvFreqExact } from '../src/arch/rope.js';
import { lambdaInit } from '../src/arch/diffllama.js';
import { loadModelConfig } from '../src/config.js';
import { readSafetensors } from '../src/safetensors/read.js';
import { goldenDir } from './helpers/shared.js';

describe('rotary inverse frequencies', () => {
  it.each(['tiny-llama-l3', 'tiny-diffllama-l3'] as const)(
    'match golden rope.inv_freq of %s (llama3)',
    (name) => {
      const want = readSafetensors(path.join(goldenDir(name), 'golden.safetensors')).get(
        'rope.inv_freq',
      )!.data as Float32Array;
      const got = ropeInvFreq(loadModelConfig(goldenDir(name)));
      expect(got).toHaveLength(8);
      // Float32 evaluation vs the float64 golden rounded to float32: a few ulp at most.
      got.forEach((v, i) => expect(Math.abs(v - want[i]!) / want[i]!).toBeLessThan(5e-7));
      // The float64 build, rounded, is golden's vector bit for bit (the float32 one is not).
      const exact = Float32Array.from(ropeInvFreqExact(loadModelConfig(goldenDir(name))));
      expect([...exact]).toEqual([...want]);
      expect([...got]).not.toEqual([...want]);
    },
  );

  it('apply the README table: kept, blended, divided by factor', () => {
    const base = defaultInvFreq(16, 500000);
    const scaled = ropeInvFreq(loadModelConfig(goldenDir('tiny-llama-l3')));
    expect(scaled[0]).toBe(base[0]); // high frequency: kept
    expect(base[1]! / scaled[1]!).toBeCloseTo(2.025028483, 5); // medium: blended
    for (let i = 2; i < 8; i++) expect(base[i]! / scaled[i]!).toBeCloseTo(4, 6); // low: / factor
  });

  it('default RoPE is 1 / theta^(2i/d)', () => {
    const f = defaultInvFreq(16, 10000);
    f.forEach((v, i) => expect(v).toBeCloseTo(1 / 10000 ** ((2 * i) / 16), 7));
  });
});

describe('lambdaInit', () => {
  it('is 0.8 - 0.6 exp(-0.3 layer) with 0-based layers (golden README table)', () => {
    expect(lambdaInit(0)).toBeCloseTo(0.2, 15);
    expect(lambdaInit(1)).toBeCloseTo(0.35550906759096934, 15);
    expect(lambdaInit(3)).toBeCloseTo(0.55605820415564056, 15);
  });
});
