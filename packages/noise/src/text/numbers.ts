import { normalizeNumber } from '@exp/data';

/** Numbers written with digits: "1,000", "$1.50", "$.5", "3/4" (as 3 and 4), "7:11". */
const NUMBER = /(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+/gu;

/** The distinct numbers written with digits in a text, in canonical form ("1,000.50" -> "1000.5"). */
export function numbersIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(NUMBER)) {
    const n = normalizeNumber(m[0]);
    if (n !== null) out.add(n);
  }
  return out;
}

/** An integer in English style: thousands separated by commas ("12500" -> "12,500"). */
export function formatInt(n: number): string {
  const digits = String(Math.abs(Math.trunc(n)));
  const grouped = digits.replace(/\B(?=(\d{3})+$)/gu, ',');
  return n < 0 ? `-${grouped}` : grouped;
}
