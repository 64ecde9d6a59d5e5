// JSON the way Python's `json.dumps(obj, indent=2, sort_keys=True) + "\n"` writes it, which is
// how transformers saves config.json / generation_config.json. Differences from JSON.stringify
// that matter for byte-identical files: floats keep a ".0" and use Python's repr (1e-05,
// 500000.0), keys are sorted, non-ASCII is escaped, arrays are one item per line.

/** Keys whose numbers are Python floats in transformers configs (written with a ".0"). */
export const FLOAT_KEYS: ReadonlySet<string> = new Set([
  'attention_dropout',
  'initializer_range',
  'rms_norm_eps',
  'rope_theta',
  'lambda_std_dev',
  'factor',
  'low_freq_factor',
  'high_freq_factor',
  'attention_factor',
  'beta_fast',
  'beta_slow',
  'mscale',
  'mscale_all_dim',
  'temperature',
  'top_p',
  'repetition_penalty',
]);

/** Python's repr() of a float: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${sign}${m}e${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

function pyString(s: string): string {
  return JSON.stringify(s).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function dump(value: unknown, indent: string, key: string | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (key !== undefined && FLOAT_KEYS.has(key)) return pythonFloatRepr(value);
    return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  }
  if (typeof value === 'string') return pyString(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + dump(v, inner, key)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    if (keys.length === 0) return '{}';
    const items = keys.map(
      (k) => `${inner}${pyString(k)}: ${dump((value as Record<string, unknown>)[k], inner, k)}`,
    );
    return `{\n${items.join(',\n')}\n${indent}}`;
  }
  throw new TypeError(`cannot write ${typeof value} as JSON`);
}

/** `json.dumps(value, indent=2, sort_keys=True) + "\n"`, floats chosen by key (FLOAT_KEYS). */
export function toPythonJson(value: unknown): string {
  return `${dump(value, '', undefined)}\n`;
}
