// What the eval bench parts share: the repository root, the bench model cache (the models
// bench's, so exports are made once for both benches), a table printer and the machine line.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { benchCacheDir, prepareBenchModel } from '../../models/bench/models.js';
export { startCpuProbe } from '../../models/bench/machine.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** GSM8K as the CLI reads it: EXP_GSM8K_DIR, else the shared copy next to the checkout. */
export function gsm8kDir(): string {
  return process.env.EXP_GSM8K_DIR ?? path.resolve(REPO_ROOT, '../shared/data/gsm8k');
}

export type Log = (line: string) => void;

/** A Markdown table, columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

export function machineLine(): string {
  const cpus = os.cpus();
  const gib = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${cpus.length} x ${cpus[0]?.model ?? 'CPU'}, ${gib} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** `ratio` against a target: "1.63x (target >= 1.5x: met)". */
export function againstTarget(value: number, target: number, unit = 'x'): string {
  return `${value.toFixed(2)}${unit} (target >= ${target}${unit}: ${value >= target ? 'met' : 'NOT met'})`;
}

export function busy(pct: number | null): string {
  return pct === null ? '' : `${pct.toFixed(0)}%`;
}
