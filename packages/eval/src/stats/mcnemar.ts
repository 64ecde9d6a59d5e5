import { checkPaired } from './pass-at-1.js';

/** bigint binomial coefficients C(n, 0..m), by the multiplicative recurrence (exact). */
function binomials(n: number, m: number): bigint[] {
  const out = [1n];
  for (let i = 1; i <= m; i++) out.push((out[i - 1] * BigInt(n - i + 1)) / BigInt(i));
  return out;
}

/** num / 2^exp as a double without overflowing the numerator or underflowing 2^-exp early. */
function overPowerOfTwo(num: bigint, exp: number): number {
  const shift = Math.max(0, num.toString(2).length - 60);
  return Number(num >> BigInt(shift)) * 2 ** (shift - exp);
}

/**
 * McNemar's exact test of two models on the same items: b = items only A gets right, c = items
 * only B gets right; under the null each discordant item is a fair coin, so the two-sided p is
 * min(1, 2 * P(X <= min(b, c))) for X ~ Binomial(b + c, 1/2), computed with exact integers.
 * No discordant item gives p = 1 (nothing tells the models apart).
 */
export function mcnemarExact(
  a: readonly boolean[],
  b: readonly boolean[],
): { b: number; c: number; p: number } {
  checkPaired(a, b, 'mcnemarExact');
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && !b[i]) onlyA++;
    else if (!a[i] && b[i]) onlyB++;
  }
  const n = onlyA + onlyB;
  if (n === 0) return { b: 0, c: 0, p: 1 };
  const tail = binomials(n, Math.min(onlyA, onlyB)).reduce((s, x) => s + x, 0n);
  return { b: onlyA, c: onlyB, p: Math.min(1, overPowerOfTwo(2n * tail, n)) };
}
