/**
 * Exact rational numbers on bigints, so that answer equality is exact: 3.50 = 3.5, 3/4 = 0.75,
 * 0.1 + 0.2 questions never meet binary floating point.
 */
export interface Rational {
  /** Numerator; carries the sign. */
  readonly num: bigint;
  /** Denominator, always > 0; gcd(num, den) = 1. */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** num/den in lowest terms with a positive denominator; null for a zero denominator. */
export function rational(num: bigint, den: bigint): Rational | null {
  if (den === 0n) return null;
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den) || 1n;
  return { num: (sign * num) / g, den: (sign * den) / g };
}

export function rationalEquals(a: Rational, b: Rational): boolean {
  // Both are in lowest terms with positive denominators, so equal values have equal parts.
  return a.num === b.num && a.den === b.den;
}

/**
 * The value of a plain decimal literal: optional sign, digits with an optional fraction part
 * (`12`, `3.50`, `.5`) and an optional exponent (`1e3`, `2.5E-2`). No separators or currency.
 */
export function parseDecimal(text: string): Rational | null {
  const m = /^([-+]?)(\d*)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && m[3] === undefined)) return null;
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  let num = BigInt(`${m[2]}${frac}` || '0');
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  return rational(m[1] === '-' ? -num : num, den);
}

/**
 * The canonical text of a value: an integer (`-3`), else a terminating decimal without trailing
 * zeros (`3.5`, `0.75`), else the reduced fraction (`1/3`). It is the same form @exp/data's
 * normalizeNumber gives gold answers, so a predicted and a gold string can be read side by side.
 */
export function formatRational(r: Rational): string {
  if (r.den === 1n) return r.num.toString();
  let twos = 0;
  let fives = 0;
  let rest = r.den;
  while (rest % 2n === 0n) [rest, twos] = [rest / 2n, twos + 1];
  while (rest % 5n === 0n) [rest, fives] = [rest / 5n, fives + 1];
  if (rest !== 1n) return `${r.num}/${r.den}`;
  const places = Math.max(twos, fives);
  const scaled = (r.num < 0n ? -r.num : r.num) * (10n ** BigInt(places) / r.den);
  const digits = scaled.toString().padStart(places + 1, '0');
  const body = `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return r.num < 0n ? `-${body}` : body;
}
