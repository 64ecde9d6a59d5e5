// Symbolic dimension arithmetic for type inference: a Dim string is a polynomial over symbol
// names with integer coefficients ('batch_size', '2*sequence_length',
// 'past_sequence_length + sequence_length'), so Concat sums, Range lengths and Reshape -1 stay
// exact instead of becoming unknown. Aliases (GraphBuilder.defineDim) name a polynomial, e.g.
// total_sequence_length = past_sequence_length + sequence_length, so both spellings compare equal.
import type { Dim } from './graph.js';

/** monomial key (symbol names sorted, joined by '*'; '' for the constant) -> coefficient. */
export type Poly = Map<string, number>;

const SYMBOL = /^[A-Za-z_][\w.]*$/;

function addTerm(p: Poly, key: string, c: number): void {
  const v = (p.get(key) ?? 0) + c;
  if (v === 0) p.delete(key);
  else p.set(key, v);
}

/** Parses a Dim; undefined for a string that is neither a symbol nor a polynomial we wrote. */
export function parseDim(d: Dim): Poly | undefined {
  const p: Poly = new Map();
  if (typeof d === 'number') {
    addTerm(p, '', d);
    return p;
  }
  const s = d.trim();
  const lead = s.startsWith('-') ? -1 : 1;
  const tokens = (lead < 0 ? s.slice(1) : s).split(/\s+([+-])\s+/);
  for (let i = 0; i < tokens.length; i += 2) {
    let coeff = i === 0 ? lead : tokens[i - 1] === '-' ? -1 : 1;
    const syms: string[] = [];
    for (const f of tokens[i]!.split('*')) {
      if (/^\d+$/.test(f)) coeff *= Number(f);
      else if (SYMBOL.test(f)) syms.push(f);
      else return undefined;
    }
    addTerm(p, syms.sort().join('*'), coeff);
  }
  return p;
}

export function polyAdd(a: Poly, b: Poly, sign = 1): Poly {
  const p: Poly = new Map(a);
  for (const [k, c] of b) addTerm(p, k, sign * c);
  return p;
}

export function polyMul(a: Poly, b: Poly): Poly {
  const p: Poly = new Map();
  for (const [ka, ca] of a) {
    for (const [kb, cb] of b) {
      const key = [...(ka ? ka.split('*') : []), ...(kb ? kb.split('*') : [])].sort().join('*');
      addTerm(p, key, ca * cb);
    }
  }
  return p;
}

export function polyEqual(a: Poly, b: Poly): boolean {
  return a.size === b.size && [...a].every(([k, c]) => b.get(k) === c);
}

/** The number a constant polynomial stands for, else undefined. */
export function polyConstant(p: Poly): number | undefined {
  if (p.size === 0) return 0;
  return p.size === 1 && p.has('') ? p.get('')! : undefined;
}

/** Formats a polynomial as a Dim: a number when constant, else terms in a stable order. */
export function formatPoly(p: Poly): Dim {
  const c = polyConstant(p);
  if (c !== undefined) return c;
  const keys = [...p.keys()].sort((x, y) => (x === '' ? 1 : y === '' ? -1 : x < y ? -1 : 1));
  let out = '';
  for (const k of keys) {
    const c = p.get(k)!;
    const abs = Math.abs(c);
    const term = k === '' ? String(abs) : abs === 1 ? k : `${abs}*${k}`;
    out += out === '' ? (c < 0 ? `-${term}` : term) : c < 0 ? ` - ${term}` : ` + ${term}`;
  }
  return out;
}

/**
 * Dim comparison and arithmetic with named aliases: every Dim is expanded to a polynomial over
 * non-alias symbols before comparing, and results equal to an alias are written as its name.
 */
export class DimAlgebra {
  private readonly aliases = new Map<string, Poly>();

  /** Declares `name` equal to `expr` (e.g. 'total_sequence_length' = 'past + seq'). */
  define(name: string, expr: Dim): void {
    const p = this.expand(expr);
    if (!SYMBOL.test(name) || !p)
      throw new Error(`defineDim: cannot define '${name}' as '${expr}'`);
    this.aliases.set(name, p);
  }

  /** Every declared alias with its expression, in declaration order (to copy the algebra). */
  definitions(): [string, Dim][] {
    return [...this.aliases].map(([name, p]) => [name, formatPoly(p)]);
  }

  /** The polynomial of `d` over non-alias symbols; undefined for an opaque string. */
  expand(d: Dim): Poly | undefined {
    const p = parseDim(d);
    if (!p) return undefined;
    let out: Poly = new Map();
    for (const [key, c] of p) {
      let term: Poly = new Map([['', c]]);
      for (const sym of key ? key.split('*') : []) {
        term = polyMul(term, this.aliases.get(sym) ?? new Map([[sym, 1]]));
      }
      out = polyAdd(out, term);
    }
    return out;
  }

  /** Writes `p` as a Dim, preferring an alias name that stands for it. */
  format(p: Poly): Dim {
    for (const [name, a] of this.aliases) if (polyEqual(a, p)) return name;
    return formatPoly(p);
  }

  /** `d` written canonically (aliases preferred); opaque strings are returned as they are. */
  normalize(d: Dim): Dim {
    const p = this.expand(d);
    return p ? this.format(p) : d;
  }

  equal(a: Dim, b: Dim): boolean {
    if (a === b) return true;
    const pa = this.expand(a);
    const pb = this.expand(b);
    return !!pa && !!pb && polyEqual(pa, pb);
  }

  /** a + sign * b, or undefined when either is opaque. */
  add(a: Dim, b: Dim, sign = 1): Dim | undefined {
    const pa = this.expand(a);
    const pb = this.expand(b);
    return pa && pb ? this.format(polyAdd(pa, pb, sign)) : undefined;
  }

  /** a / k when every coefficient divides exactly, else undefined. */
  divExact(a: Dim, k: number): Dim | undefined {
    const p = this.expand(a);
    if (!p || k === 0 || [...p.values()].some((c) => c % k !== 0)) return undefined;
    return this.format(new Map([...p].map(([key, c]) => [key, c / k])));
  }

  mul(a: Dim, b: Dim): Dim | undefined {
    const pa = this.expand(a);
    const pb = this.expand(b);
    return pa && pb ? this.format(polyMul(pa, pb)) : undefined;
  }
}
