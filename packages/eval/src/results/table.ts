import { bootstrapCIs } from '../stats/bootstrap.js';
import { alignById, relativeDegradations } from '../stats/degradation.js';
import { pairedDifferences } from '../stats/paired.js';
import { passAt1 } from '../stats/pass-at-1.js';
import type { SampleRecord } from '../samples/record.js';

/**
 * One line of experiment_results: Pass@1 of one model on one dataset under one extractor.
 * The first six fields are the original's zero_shot_performance.csv columns (accuracy a
 * fraction in [0, 1]); the rest are ours. Fields that do not apply to a row are null: the
 * degradation on the baseline set itself, the paired difference on rows of models that are not
 * the first of the pair, both where the other side is missing.
 */
export interface ResultRow {
  model: string;
  dataset: string;
  accuracy: number;
  correct: number;
  total: number;
  eval_type: string;
  extractor: string;
  /** 95% bootstrap CI of `accuracy`. */
  ci_low: number;
  ci_high: number;
  /** (baseline − this) / baseline over the items present in both sets, with a paired bootstrap CI. */
  degradation: number | null;
  degradation_ci_low: number | null;
  degradation_ci_high: number | null;
  /** The pair's second model: `diff` is this model's Pass@1 minus its, on the items both have. */
  diff_vs: string | null;
  diff: number | null;
  diff_ci_low: number | null;
  diff_ci_high: number | null;
  /** McNemar's exact two-sided p for the same paired items. */
  mcnemar_p: number | null;
}

export interface ResultsTableOptions {
  /** Extractors to tabulate, in output order; every sample must have an answer from each. */
  extractors: string[];
  /** Seed of every bootstrap (the same for each cell, so a cell does not depend on the others). */
  seed: number;
  /** The original's eval_type column, e.g. 'zero_shot'. */
  evalType: string;
  /** The dataset degradation is measured against; default 'clean'. */
  baseline?: string;
  /** [model, reference]: rows of `model` get `model − reference`; default ['diffllama', 'llama']. */
  pair?: [string, string];
}

/** The comparison columns of a row before (or without) a baseline and a pair to compare with. */
const NO_COMPARISON = {
  degradation: null,
  degradation_ci_low: null,
  degradation_ci_high: null,
  diff_vs: null,
  diff: null,
  diff_ci_low: null,
  diff_ci_high: null,
  mcnemar_p: null,
} as const satisfies Partial<ResultRow>;

/** Samples of one model × dataset, keyed by problem id in log order. */
type Cell = Map<string, SampleRecord>;

function groupCells(samples: readonly SampleRecord[]): {
  cells: Map<string, Map<string, Cell>>;
  datasets: string[];
} {
  const cells = new Map<string, Map<string, Cell>>();
  const datasets: string[] = [];
  for (const s of samples) {
    let byDataset = cells.get(s.model);
    if (!byDataset) cells.set(s.model, (byDataset = new Map()));
    let cell = byDataset.get(s.dataset);
    if (!cell) byDataset.set(s.dataset, (cell = new Map()));
    if (!datasets.includes(s.dataset)) datasets.push(s.dataset);
    // Counting an item twice would bias Pass@1 and break the pairing; logs never hold duplicates.
    if (cell.has(s.id))
      throw new Error(
        `results: ${s.model}/${s.dataset}: duplicate sample id ${JSON.stringify(s.id)}`,
      );
    cell.set(s.id, s);
  }
  return { cells, datasets };
}

function correctOf(s: SampleRecord, extractor: string): boolean {
  const v = s.correct_by[extractor];
  if (v === undefined) {
    throw new Error(
      `results: ${s.model}/${s.dataset} sample ${JSON.stringify(s.id)} has no answer from extractor ` +
        `"${extractor}" (it has: ${Object.keys(s.correct_by).join(', ')}); rescore the run with it`,
    );
  }
  return v;
}

/** Each sample's correctness under `extractor`, by id in log order. */
function outcomes(cell: Cell, extractor: string): Map<string, boolean> {
  return new Map([...cell].map(([id, s]) => [id, correctOf(s, extractor)]));
}

/**
 * The results table: one row per extractor × model × dataset (in that nesting; models and
 * datasets in order of first appearance, the baseline dataset first).
 */
export function buildResultsTable(
  samples: readonly SampleRecord[],
  opts: ResultsTableOptions,
): ResultRow[] {
  const baseline = opts.baseline ?? 'clean';
  const [pairModel, pairRef] = opts.pair ?? ['diffllama', 'llama'];
  const { cells, datasets } = groupCells(samples);
  const order = datasets.includes(baseline)
    ? [baseline, ...datasets.filter((d) => d !== baseline)]
    : datasets;
  // Every cell is planned first and bootstrapped after, in one batch per statistic: cells of
  // one size share their draws (the same seed and label), so they are drawn once, not per cell.
  const rows: ResultRow[] = [];
  const cis: boolean[][] = [];
  const degradations: { row: ResultRow; clean: boolean[]; noisy: boolean[] }[] = [];
  const diffs: { row: ResultRow; a: boolean[]; b: boolean[] }[] = [];
  for (const extractor of opts.extractors) {
    for (const [model, byDataset] of cells) {
      for (const dataset of order) {
        const cell = byDataset.get(dataset);
        if (!cell) continue;
        const mine = outcomes(cell, extractor);
        const correct = [...mine.values()];
        const row: ResultRow = {
          model,
          dataset,
          accuracy: passAt1(correct),
          correct: correct.filter(Boolean).length,
          total: correct.length,
          eval_type: opts.evalType,
          extractor,
          ci_low: NaN, // set below, with the other bootstraps
          ci_high: NaN,
          ...NO_COMPARISON,
        };
        rows.push(row);
        cis.push(correct);
        const base = byDataset.get(baseline);
        if (dataset !== baseline && base) {
          // Paired over the items in both sets, in the baseline's order (the draws depend on it).
          const p = alignById(outcomes(base, extractor), mine);
          if (p.ids.length > 0) degradations.push({ row, clean: p.clean, noisy: p.noisy });
        }
        const ref = cells.get(pairRef)?.get(dataset);
        if (model === pairModel && model !== pairRef && ref) {
          // alignById pairs any two outcome maps: here this model's (first) and the reference's.
          const p = alignById(mine, outcomes(ref, extractor));
          if (p.ids.length > 0) diffs.push({ row, a: p.clean, b: p.noisy });
        }
      }
    }
  }
  const boot = { seed: opts.seed };
  bootstrapCIs(cis, boot).forEach((ci, i) => {
    rows[i].ci_low = ci.lo;
    rows[i].ci_high = ci.hi;
  });
  relativeDegradations(degradations, boot).forEach((d, i) => {
    const { row } = degradations[i];
    row.degradation = d.value;
    row.degradation_ci_low = d.lo;
    row.degradation_ci_high = d.hi;
  });
  pairedDifferences(diffs, boot).forEach((d, i) => {
    const { row } = diffs[i];
    row.diff_vs = pairRef;
    row.diff = d.diff;
    row.diff_ci_low = d.lo;
    row.diff_ci_high = d.hi;
    row.mcnemar_p = d.p;
  });
  return rows;
}

/** A row's model as tables show it: the name, with the eval type unless zero-shot. */
export function modelLabel(row: Pick<ResultRow, 'model' | 'eval_type'>): string {
  return row.eval_type === 'zero_shot' ? row.model : `${row.model} (${row.eval_type})`;
}
