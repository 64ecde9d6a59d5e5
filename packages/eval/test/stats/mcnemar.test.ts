import { mcnemarExact } from '../../src/stats/mcnemar.js';

/** Outcome lists with `both` items both right, b only A right, c only B right, `neither`. */
function pairs(both: number, b: number, c: number, neither: number): [boolean[], boolean[]] {
  const rows: [boolean, boolean][] = [
    ...Array<[boolean, boolean]>(both).fill([true, true]),
    ...Array<[boolean, boolean]>(b).fill([true, false]),
    ...Array<[boolean, boolean]>(c).fill([false, true]),
    ...Array<[boolean, boolean]>(neither).fill([false, false]),
  ];
  return [rows.map((r) => r[0]), rows.map((r) => r[1])];
}

describe('mcnemarExact', () => {
  test.each([
    // n = 7: 2 * (C(7,0) + C(7,1)) / 2^7 = 2 * 8 / 128
    [1, 6, 0.125],
    [6, 1, 0.125],
    // n = 5: 2 * 1 / 32
    [0, 5, 0.0625],
    // n = 6, min 3: 2 * (1 + 6 + 15 + 20) / 64 = 84/64 > 1 -> 1
    [3, 3, 1],
    // n = 10, min 1: 2 * (1 + 10) / 1024
    [1, 9, 22 / 1024],
    // n = 1: 2 * 1 / 2 = 1
    [0, 1, 1],
  ])('b=%i c=%i -> p=%f', (b, c, p) => {
    const [x, y] = pairs(4, b, c, 3);
    expect(mcnemarExact(x, y)).toEqual({ b, c, p });
  });

  test('no discordant pair gives p = 1', () => {
    expect(mcnemarExact(...pairs(5, 0, 0, 5))).toEqual({ b: 0, c: 0, p: 1 });
  });

  test('large n stays finite and exact where it can: b=0, c=1100 -> 2^-1099 underflows to 0', () => {
    expect(mcnemarExact(...pairs(0, 0, 1100, 0)).p).toBe(0);
    // b=400, c=600 (n=1000): a tiny but representable p, symmetric in b and c.
    const p = mcnemarExact(...pairs(0, 400, 600, 0)).p;
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-9);
    expect(mcnemarExact(...pairs(0, 600, 400, 0)).p).toBe(p);
  });

  test('unpaired inputs are refused', () => {
    expect(() => mcnemarExact([true], [true, false])).toThrow(
      'mcnemarExact: expected outcomes of the same items, got 1 and 2',
    );
  });
});
