import { describe, expect, test } from '@jest/globals';
import { NormalSampler, Xoshiro128 } from '../../src/init/prng.js';
import { pythonFloatRepr, toPythonJson } from '../../src/init/pyjson.js';

describe('Xoshiro128 / NormalSampler', () => {
  test('xoshiro128** reference output for state [1, 2, 3, 4]', () => {
    const r = Xoshiro128.fromState(1, 2, 3, 4);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([11520, 0, 5927040]);
  });

  test('same seed and stream -> same numbers; other stream or seed -> different', () => {
    const draw = (seed: number, stream: string) => {
      const r = new Xoshiro128(seed, stream);
      return [r.nextU32(), r.nextU32(), r.nextU32()];
    };
    expect(draw(1, 'a')).toEqual(draw(1, 'a'));
    expect(draw(1, 'a')).not.toEqual(draw(1, 'b'));
    expect(draw(1, 'a')).not.toEqual(draw(2, 'a'));
    expect(() => new Xoshiro128(1.5)).toThrow('seed: expected an integer, got 1.5');
  });

  test('normal samples have mean ~0 and std ~1 (200k draws)', () => {
    const s = new NormalSampler(new Xoshiro128(7, 'stats'));
    const out = s.fill(new Float32Array(200_000), 1);
    let sum = 0;
    let sq = 0;
    for (const v of out) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / out.length;
    const std = Math.sqrt(sq / out.length - mean * mean);
    // Standard errors: mean 0.0022, std 0.0016; bounds are ~4.5 sigma.
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(std - 1)).toBeLessThan(0.0075);
    const u = new Xoshiro128(7, 'uniform');
    for (let i = 0; i < 1000; i++) {
      const d = u.nextDouble();
      expect(d >= 0 && d < 1).toBe(true);
    }
  });
});

describe('Python-style JSON', () => {
  test('float repr matches Python', () => {
    const cases: [number, string][] = [
      [1e-5, '1e-05'],
      [1e-6, '1e-06'],
      [0.02, '0.02'],
      [0.1, '0.1'],
      [0, '0.0'],
      [500000, '500000.0'],
      [32, '32.0'],
      [1e-4, '0.0001'],
      [1.5e-7, '1.5e-07'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [123.456, '123.456'],
      [-2.5, '-2.5'],
    ];
    for (const [x, py] of cases) expect(pythonFloatRepr(x)).toBe(py);
  });

  test('sorted keys, indent 2, floats by key, ASCII escapes, trailing newline', () => {
    expect(
      toPythonJson({
        b: [1, 2],
        a: { factor: 4, rope_type: 'llama3' },
        c: [],
        d: {},
        e: 'é',
        f: null,
      }),
    ).toBe(
      '{\n  "a": {\n    "factor": 4.0,\n    "rope_type": "llama3"\n  },\n  "b": [\n    1,\n    2\n  ],\n' +
        '  "c": [],\n  "d": {},\n  "e": "\\u00e9",\n  "f": null\n}\n',
    );
  });
});
