import { ciLabels, ciMethods, modelLabel, type CiMethods, type ResultRow } from './table.js';

const pct = (x: number): string => (x * 100).toFixed(1);
const signed = (x: number): string => (x > 0 ? '+' : '') + pct(x);
const interval = (lo: number, hi: number, f: (x: number) => string): string =>
  `[${f(lo)}, ${f(hi)}]`;

/** McNemar p for reading: three decimals, or '<0.001' where that would print 0.000. */
export function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** 'p=0.375', or 'p<0.001' where formatP gives '<0.001'; 'p=n/a' without a test. */
function pEquals(p: number | null): string {
  if (p === null) return 'p=n/a';
  const text = formatP(p);
  return text.startsWith('<') ? `p${text}` : `p=${text}`;
}

/** Lines of a left-aligned text table, columns two spaces apart, no trailing spaces. */
function align(table: string[][]): string[] {
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  return table.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd(),
  );
}

function countLine(rows: readonly ResultRow[]): string {
  const totals = rows.map((r) => r.total);
  const lo = Math.min(...totals);
  const hi = Math.max(...totals);
  return lo === hi ? `n = ${lo} per cell` : `n = ${lo} to ${hi} per cell`;
}

/**
 * The table printed at the end of a run, for one extractor: rows models, columns datasets,
 * Pass@1 in % with its CI; then, for the pair, the paired difference (percentage points, CI,
 * McNemar p) and each model's relative degradation against the baseline. Headings name each
 * interval's method (`methods`: those the rows were built with, default buildResultsTable's).
 */
export function formatPivot(
  rows: readonly ResultRow[],
  extractor: string,
  methods: CiMethods = ciMethods(),
): string {
  const labels = ciLabels(methods);
  const mine = rows.filter((r) => r.extractor === extractor);
  if (mine.length === 0) return `Pass@1 (${extractor}): no results\n`;
  // one row per model and evaluation: 'tiny-llama', 'tiny-llama (post_sft)'
  const models = [...new Set(mine.map(modelLabel))];
  const datasets = [...new Set(mine.map((r) => r.dataset))];
  const at = (model: string, dataset: string): ResultRow | undefined =>
    mine.find((r) => modelLabel(r) === model && r.dataset === dataset);

  const heading = [`Pass@1 (${extractor}), % with ${labels.ci}`];
  if (mine.some((r) => r.diff !== null)) {
    heading.push(`differences in points with ${labels.diff_ci} and McNemar p`);
  }
  const out: string[] = [`${heading.join('; ')}; ${countLine(mine)}`];
  const pass: string[][] = [['model', ...datasets]];
  for (const m of models) {
    pass.push([
      m,
      ...datasets.map((d) => {
        const r = at(m, d);
        return r ? `${pct(r.accuracy)} ${interval(r.ci_low, r.ci_high, pct)}` : '-';
      }),
    ]);
  }
  for (const m of models) {
    const withDiff = mine.filter((r) => modelLabel(r) === m && r.diff !== null);
    if (withDiff.length === 0) continue;
    const vs = modelLabel({ ...withDiff[0], model: withDiff[0].diff_vs ?? '' });
    pass.push([
      `${m} - ${vs}`,
      ...datasets.map((d) => {
        const r = at(m, d);
        if (!r || r.diff === null || r.diff_ci_low === null || r.diff_ci_high === null) return '-';
        return `${signed(r.diff)} ${interval(r.diff_ci_low, r.diff_ci_high, signed)} ${pEquals(r.mcnemar_p)}`;
      }),
    ]);
  }
  out.push(...align(pass));

  const noisy = datasets.filter((d) => mine.some((r) => r.dataset === d && r.degradation !== null));
  if (noisy.length > 0) {
    const base = datasets.find((d) => !noisy.includes(d)) ?? 'baseline';
    out.push('', `Relative degradation vs ${base}, % with ${labels.degradation_ci}`);
    const deg: string[][] = [['model', ...noisy]];
    for (const m of models) {
      deg.push([
        m,
        ...noisy.map((d) => {
          const r = at(m, d);
          if (!r || r.degradation === null) return '-';
          const ci =
            r.degradation_ci_low !== null && r.degradation_ci_high !== null
              ? ` ${interval(r.degradation_ci_low, r.degradation_ci_high, pct)}`
              : '';
          return pct(r.degradation) + ci;
        }),
      ]);
    }
    out.push(...align(deg));
  }
  return out.join('\n') + '\n';
}
