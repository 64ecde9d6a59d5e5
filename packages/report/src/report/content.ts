// What a built report holds, shared by report.md and report.html: the run's data plus the charts
// and sample maps buildReport rendered, with paths relative to the run folder.
import type { AttentionAnalysis } from '@exp/attention';
import { ciLabels, ciMethods, formatP, type CiLabels, type ResultRow } from '@exp/eval';
import { noisyOnly } from '../charts/attention.js';
import { attentionMetricRows, attentionRatioRows } from '../tables/attention.js';
import { labelledByEvalType, type Spec } from '../charts/common.js';
import type { RunData } from '@exp/run';

export interface ChartEntry {
  /** File stem under charts/: model_comparison, degradation, head_map_lift, ... */
  name: string;
  title: string;
  /** One sentence saying what the chart shows. */
  description: string;
  spec: Spec;
  /** 'evidence': drawn in the section "Does differential attention help?", not under Charts. */
  section?: 'evidence';
  svg: string;
  png: string;
  /** The PNG's bytes, for report.html's fallback image. */
  pngData?: Uint8Array;
}

export interface MapEntry {
  dataset: string;
  model: string;
  id: string;
  condition: 'clean' | 'noisy';
  form: string;
  layer: number;
  head: number | 'mean';
  png: string;
  pngData?: Uint8Array;
}

export interface TableEntry {
  title: string;
  files: string[];
}

export interface ReportContent {
  run: RunData;
  /** Extractors in display order, the charted (headline) one first. */
  extractors: string[];
  charts: ChartEntry[];
  maps: MapEntry[];
  tables: TableEntry[];
}

/**
 * How many samples the run logged, per evaluation where it has more than zero-shot:
 * '160 samples', '320 samples (160 zero_shot, 160 post_sft)'.
 */
export function sampleCount(run: Pick<RunData, 'samples'>): string {
  const per = new Map<string, number>();
  for (const s of run.samples) per.set(s.evalType, (per.get(s.evalType) ?? 0) + 1);
  const total = `${run.samples.length} samples`;
  if (per.size === 0 || (per.size === 1 && per.has('zero_shot'))) return total;
  return `${total} (${[...per].map(([t, n]) => `${n} ${t}`).join(', ')})`;
}

const pct = (x: number): string => (x * 100).toFixed(1);
const signedPct = (x: number): string => (x > 0 ? '+' : '') + pct(x);

/** Pass@1 in % with its CI: '14.5 [10.0, 19.5]'. */
export function passCell(r: ResultRow): string {
  return `${pct(r.accuracy)} [${pct(r.ci_low)}, ${pct(r.ci_high)}]`;
}

/** The paired difference in points with CI and McNemar p, or null where the row has none. */
export function diffCell(r: ResultRow): string | null {
  if (r.diff === null || r.diff_ci_low === null || r.diff_ci_high === null) return null;
  const text = r.mcnemar_p === null ? null : formatP(r.mcnemar_p);
  const p = text === null ? 'p=n/a' : text.startsWith('<') ? `p${text}` : `p=${text}`;
  return `${signedPct(r.diff)} [${signedPct(r.diff_ci_low)}, ${signedPct(r.diff_ci_high)}] ${p}`;
}

/** The relative degradation in % with its paired CI, or null where the row has none. */
export function degradationCell(r: ResultRow): string | null {
  if (r.degradation === null || r.degradation_ci_low === null || r.degradation_ci_high === null)
    return null;
  return `${signedPct(r.degradation)} [${signedPct(r.degradation_ci_low)}, ${signedPct(r.degradation_ci_high)}]`;
}

/** Which method each interval column of the results files holds, as one sentence. */
export function intervalColumns(labels: CiLabels): string {
  return (
    `Interval columns: ci_low/ci_high ${labels.ci}; diff_ci_low/diff_ci_high ${labels.diff_ci}; ` +
    `degradation_ci_low/degradation_ci_high ${labels.degradation_ci}.`
  );
}

/** A ratio or metric value for reading: 4 decimals (the files keep every digit). */
export const fixed4 = (x: number | null): string => (x === null ? '-' : x.toFixed(4));

export interface PivotTable {
  extractor: string;
  /** 'n = 4 per cell'. */
  count: string;
  /** The sentence above the table: 'Pass@1 in % with 95% CI (Wilson); …; n = 4 per cell.' */
  caption: string;
  /** The sentence above the degradation table. */
  degradationCaption: string;
  header: string[];
  rows: string[][];
  /** Rows of relative degradation, empty when no noisy set has one. */
  degradation: { header: string[]; rows: string[][] };
}

/**
 * The results as read by people, one table per extractor: rows models (then each pair's
 * difference), columns datasets; and the degradation table. Shared by report.md and report.html.
 */
export function pivotTables(
  rows: readonly ResultRow[],
  extractors: readonly string[],
  baseline = 'clean',
  labels: CiLabels = ciLabels(ciMethods()),
): PivotTable[] {
  return extractors.map((extractor) => {
    const mine = labelledByEvalType(rows.filter((r) => r.extractor === extractor));
    const models = [...new Set(mine.map((r) => r.model))];
    const datasets = [...new Set(mine.map((r) => r.dataset))];
    const at = (m: string, d: string) => mine.find((r) => r.model === m && r.dataset === d);
    const body = models.map((m) => [
      m,
      ...datasets.map((d) => (at(m, d) ? passCell(at(m, d)!) : '-')),
    ]);
    for (const m of models) {
      const vs = mine.find((r) => r.model === m && r.diff !== null)?.diff_vs;
      if (!vs) continue;
      body.push([`${m} − ${vs}`, ...datasets.map((d) => (at(m, d) && diffCell(at(m, d)!)) || '-')]);
    }
    const noisy = datasets.filter((d) =>
      mine.some((r) => r.dataset === d && r.degradation !== null),
    );
    const totals = mine.map((r) => r.total);
    const lo = Math.min(...totals);
    const hi = Math.max(...totals);
    const count =
      totals.length === 0
        ? 'no samples'
        : lo === hi
          ? `n = ${lo} per cell`
          : `n = ${lo} to ${hi} per cell`;
    const caption = [`Pass@1 in % with ${labels.ci}`];
    if (mine.some((r) => r.diff !== null)) {
      caption.push(`differences in points with ${labels.diff_ci} and McNemar p`);
    }
    return {
      extractor,
      count,
      caption: `${[...caption, count].join('; ')}.`,
      degradationCaption: `Relative degradation (${extractor}), % with ${labels.degradation_ci}:`,
      header: ['model', ...datasets],
      rows: body,
      degradation: {
        header: ['model', ...noisy.map((d) => `${d} vs ${baseline}`)],
        rows: noisy.length
          ? models.map((m) => [
              m,
              ...noisy.map((d) => (at(m, d) && degradationCell(at(m, d)!)) || '-'),
            ])
          : [],
      },
    };
  });
}

export interface TextTable {
  header: string[];
  rows: string[][];
}

/** The original's ratio block per noise type, model and condition: mean ± std of each class. */
export function ratioTable(analysis: AttentionAnalysis): TextTable {
  const pm = (m: number, s: number) => `${fixed4(m)} ± ${fixed4(s)}`;
  return {
    header: ['noise type', 'model', 'condition', 'form', 'KMI', 'NI', 'OC'],
    rows: attentionRatioRows(analysis).map((r) => [
      r.dataset,
      r.model,
      r.condition,
      r.form,
      pm(r.kmi_mean, r.kmi_std),
      pm(r.ni_mean, r.ni_std),
      pm(r.oc_mean, r.oc_std),
    ]),
  };
}

/**
 * The metrics a report shows in its pages (all of them are in tables/attention_metrics.*): NI
 * lift and mass, SNR, the paired distraction, entropy, DiffLlama's NI cancellation, and the AUC
 * of NI mass for wrong answers.
 */
export const HEADLINE_METRICS: readonly string[] = [
  'lift_ni',
  'mass_ni',
  'snr',
  'distraction',
  'entropy',
  'cancellation_ni',
  'auc_wrong_ni',
];

/** Metric statistics per noise type, model and condition; `only` keeps those metrics, in order. */
export function metricTable(analysis: AttentionAnalysis, only?: readonly string[]): TextTable {
  const all = attentionMetricRows(analysis);
  // A headline table leaves out the clean rows of noise metrics: 0 or undefined by construction.
  const rows = only
    ? all.filter(
        (r) => only.includes(r.metric) && !(noisyOnly(r.metric) && r.condition === 'clean'),
      )
    : all;
  return {
    header: ['noise type', 'model', 'metric', 'condition', 'mean', 'std', '95% CI', 'n'],
    rows: rows.map((r) => [
      r.dataset,
      r.model,
      r.metric,
      r.condition,
      fixed4(r.mean),
      fixed4(r.std),
      r.ci_low === null || r.ci_high === null ? '-' : `[${fixed4(r.ci_low)}, ${fixed4(r.ci_high)}]`,
      r.n === null ? '-' : String(r.n),
    ]),
  };
}
