// What every chart spec shares. Specs are plain data: they carry their values inline (so a spec
// embedded in report.html draws alone) and know nothing about files, fonts or renderers.
import { modelLabel, type ResultRow } from '@exp/eval';
import type { TopLevelSpec } from 'vega-lite';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** padding 10: without it a legend label touched the image edge (docs/TOOLING.md section 4). */
export const PADDING = 10;

export type Spec = TopLevelSpec;

export function title(text: string, subtitle?: string | string[]) {
  return subtitle === undefined ? { text } : { text, subtitle };
}

/** Distinct values in order of first appearance (the order the run folder lists them in). */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** 'n = 4 per cell' or 'n = 3 to 4 per cell'. */
export function countPhrase(totals: readonly number[]): string {
  if (totals.length === 0) return 'no samples';
  const lo = Math.min(...totals);
  const hi = Math.max(...totals);
  return lo === hi ? `n = ${lo} per cell` : `n = ${lo} to ${hi} per cell`;
}

/**
 * A colour scale for signed values: diverging, centred at 0, with a domain symmetric around it
 * so equal magnitudes get equal intensity on both sides. `maxAbs` 0 (all zeros) gets [-1, 1].
 */
export function divergingScale(maxAbs: number) {
  const m = maxAbs > 0 ? maxAbs : 1;
  // redblue runs red -> blue; reversed, positive weights are red and negative ones blue.
  return { scheme: 'redblue', reverse: true, domain: [-m, m], domainMid: 0 };
}

export function maxAbs(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Rows with the model named as tables show it ('tiny-llama (post_sft)' beside 'tiny-llama'), so a
 * run's zero-shot and post-SFT rows of one model are two series, never one mixed cell.
 */
export function labelledByEvalType(rows: readonly ResultRow[]): ResultRow[] {
  return rows.map((r) => ({
    ...r,
    model: modelLabel(r),
    diff_vs: r.diff_vs === null ? null : modelLabel({ model: r.diff_vs, eval_type: r.eval_type }),
  }));
}
