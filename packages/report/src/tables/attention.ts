// Flat tables of attention_analysis.json: the original's ratio columns per noise type, model and
// condition, and every metric's summary statistics, as CSV / JSON rows.
import type { AttentionAnalysis, SeedRatios } from '@exp/attention';

/** One row of attention_ratios: the original's kmi/ni/oc mean and std columns. */
export interface AttentionRatioRow extends SeedRatios {
  dataset: string;
  model: string;
  condition: 'clean' | 'noisy';
  /** The map the numbers are on (settings.form). */
  form: string;
}

export const ATTENTION_RATIO_COLUMNS = [
  'dataset',
  'model',
  'condition',
  'form',
  'kmi_mean',
  'kmi_std',
  'ni_mean',
  'ni_std',
  'oc_mean',
  'oc_std',
] as const satisfies readonly (keyof AttentionRatioRow)[];

export function attentionRatioRows(analysis: AttentionAnalysis): AttentionRatioRow[] {
  const rows: AttentionRatioRow[] = [];
  for (const [dataset, byModel] of Object.entries(analysis)) {
    for (const [model, a] of Object.entries(byModel)) {
      for (const condition of ['clean', 'noisy'] as const) {
        const r = a[condition];
        rows.push({
          dataset,
          model,
          condition,
          form: a.settings.form,
          kmi_mean: r.kmi_mean,
          kmi_std: r.kmi_std,
          ni_mean: r.ni_mean,
          ni_std: r.ni_std,
          oc_mean: r.oc_mean,
          oc_std: r.oc_std,
        });
      }
    }
  }
  return rows;
}

/** One row of attention_metrics: a metric's statistic for one condition (or its single value). */
export interface AttentionMetricRow {
  dataset: string;
  model: string;
  metric: string;
  /** 'clean', 'noisy', or 'value' for paired / single-valued metrics. */
  condition: string;
  mean: number | null;
  std: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n: number | null;
}

export const ATTENTION_METRIC_COLUMNS = [
  'dataset',
  'model',
  'metric',
  'condition',
  'mean',
  'std',
  'ci_low',
  'ci_high',
  'n',
] as const satisfies readonly (keyof AttentionMetricRow)[];

export function attentionMetricRows(analysis: AttentionAnalysis): AttentionMetricRow[] {
  const rows: AttentionMetricRow[] = [];
  for (const [dataset, byModel] of Object.entries(analysis)) {
    for (const [model, a] of Object.entries(byModel)) {
      for (const [metric, m] of Object.entries(a.metrics)) {
        for (const condition of ['clean', 'noisy', 'value'] as const) {
          const s = m[condition];
          if (s === undefined || s === null) continue;
          const base = { dataset, model, metric, condition };
          rows.push(
            typeof s === 'number'
              ? { ...base, mean: s, std: null, ci_low: null, ci_high: null, n: null }
              : { ...base, mean: s.mean, std: s.std, ci_low: s.ci_low, ci_high: s.ci_high, n: s.n },
          );
        }
      }
    }
  }
  return rows;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, line break or edge space. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text of rows in the given column order; numbers unrounded (the files are data). */
export function toCsv<T extends object>(
  rows: readonly T[],
  columns: readonly (keyof T & string)[],
): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','));
  return lines.join('\n') + '\n';
}

/** JSON text of rows with keys in the given column order. */
export function toJson<T extends object>(
  rows: readonly T[],
  columns: readonly (keyof T & string)[],
): string {
  return (
    JSON.stringify(
      rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))),
      null,
      2,
    ) + '\n'
  );
}

/** attention_ratios and attention_metrics as CSV and JSON text, for tables/<name>.<ext>. */
export function attentionTables(
  analysis: AttentionAnalysis,
): { name: string; csv: string; json: string }[] {
  const ratios = attentionRatioRows(analysis);
  const metrics = attentionMetricRows(analysis);
  return [
    {
      name: 'attention_ratios',
      csv: toCsv(ratios, ATTENTION_RATIO_COLUMNS),
      json: toJson(ratios, ATTENTION_RATIO_COLUMNS),
    },
    {
      name: 'attention_metrics',
      csv: toCsv(metrics, ATTENTION_METRIC_COLUMNS),
      json: toJson(metrics, ATTENTION_METRIC_COLUMNS),
    },
  ];
}
