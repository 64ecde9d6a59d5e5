/**
 * Canonical form of a number written in a math answer: thousands separators, currency signs
 * and a leading '+' removed, trailing decimal zeros dropped ("1,000" -> "1000", "3.50" -> "3.5",
 * "-0.0" -> "0"). Returns null when the text is not a single number.
 */
export function normalizeNumber(text: string): string | null {
  const cleaned = text
    .trim()
    .replace(/^\$\s*/, '')
    .replace(/\s*%$/, '')
    .replace(/[,\s]/g, '');
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(cleaned.replace(/^([+-]?)\$/, '$1'));
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const sign = m[1] === '-' ? '-' : '';
  const int = m[2].replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return body === '0' ? '0' : sign + body;
}

const GOLD_MARK = '####';

/** The gold final answer of a GSM8K worked solution: the number after the last `####`. */
export function parseGoldAnswer(solution: string): string | null {
  const at = solution.lastIndexOf(GOLD_MARK);
  if (at < 0) return null;
  return normalizeNumber(solution.slice(at + GOLD_MARK.length));
}
