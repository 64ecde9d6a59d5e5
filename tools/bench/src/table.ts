// How benches print what they measured: Markdown tables and figures against their targets.

/** A Markdown table, columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

/** `ratio` against a target: "1.63x (target >= 1.5x: met)". */
export function againstTarget(value: number, target: number, unit = 'x'): string {
  return `${value.toFixed(2)}${unit} (target >= ${target}${unit}: ${value >= target ? 'met' : 'NOT met'})`;
}
