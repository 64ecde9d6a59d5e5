import { BASELINE_DATASET } from '@exp/data';
import { alignById, relativeDegradations } from '../stats/degradation.js';
import {
  checkLevel,
  CI_METHODS,
  DEFAULT_CI_METHOD,
  DEFAULT_LEVEL,
  proportionInterval,
  type CiMethod,
} from '../stats/intervals.js';
import { holmAdjust } from '../stats/holm.js';
import { pairedDifference, pairedTable } from '../stats/paired.js';
import { countTrue } from '../stats/pass-at-1.js';
import { mcnemarMde } from '../stats/power.js';
import type { SampleRecord } from '../samples/record.js';
import type { ResultRow } from './row.js';

export type { ResultRow } from './row.js';

export interface ResultsTableOptions {
  /** Extractors to tabulate, in output order; every sample must have an answer from each. */
  extractors: string[];
  /** Seed of the degradation bootstrap (the same for each cell, so cells do not depend on each other). */
  seed: number;
  /** Interval of a single Pass@1 (ci_low, ci_high): 'wilson' (default) or 'clopper-pearson'. */
  ciMethod?: CiMethod;
  /** Coverage of every interval (default 0.95). */
  level?: number;
  /** The original's eval_type column, e.g. 'zero_shot'. */
  evalType: string;
  /** The dataset degradation is measured against; default 'clean'. */
  baseline?: string;
  /** [model, reference]: rows of `model` get `model − reference`; default ['diffllama', 'llama']. */
  pair?: [string, string];
}

/** How each interval column of a results table was computed, as the run manifest records it. */
export interface CiMethods {
  level: number;
  /** ci_low, ci_high */
  ci: CiMethod;
  /** diff_ci_low, diff_ci_high */
  diff_ci: 'newcombe';
  /** degradation_ci_low, degradation_ci_high: a ratio has no closed-form interval */
  degradation_ci: 'bootstrap';
}

/** The methods behind buildResultsTable(…, opts)'s interval columns. */
export function ciMethods(opts: Pick<ResultsTableOptions, 'ciMethod' | 'level'> = {}): CiMethods {
  return {
    level: opts.level ?? DEFAULT_LEVEL,
    ci: opts.ciMethod ?? DEFAULT_CI_METHOD,
    diff_ci: 'newcombe',
    degradation_ci: 'bootstrap',
  };
}

const METHOD_NAMES: Record<CiMethods['ci' | 'diff_ci' | 'degradation_ci'], string> = {
  wilson: 'Wilson',
  'clopper-pearson': 'Clopper-Pearson',
  newcombe: 'Newcombe',
  bootstrap: 'paired bootstrap',
};

/** How tables and charts name each interval column: '95% CI (Wilson)' and so on. */
export interface CiLabels {
  ci: string;
  diff_ci: string;
  degradation_ci: string;
}

export function ciLabels(methods: CiMethods): CiLabels {
  const level = `${Number((methods.level * 100).toFixed(2))}% CI`;
  return {
    ci: `${level} (${METHOD_NAMES[methods.ci]})`,
    diff_ci: `${level} (${METHOD_NAMES[methods.diff_ci]})`,
    degradation_ci: `${level} (${METHOD_NAMES[methods.degradation_ci]})`,
  };
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
  diff_mde: null,
  p_holm: null,
  degradation_mde: null,
} as const satisfies Partial<ResultRow>;

/** McNemar MDE (power.ts, at its defaults) of the paired outcomes `a` − `b`. */
function pairMde(a: readonly boolean[], b: readonly boolean[]): number | null {
  const t = pairedTable(a, b);
  return mcnemarMde(a.length, t.b + t.c);
}

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
  const methods = ciMethods(opts);
  if (!CI_METHODS.includes(methods.ci)) {
    throw new RangeError(
      `results: ciMethod: expected one of ${CI_METHODS.join(', ')}, got ${JSON.stringify(methods.ci)}`,
    );
  }
  checkLevel(methods.level, 'results');
  const baseline = opts.baseline ?? BASELINE_DATASET;
  const [pairModel, pairRef] = opts.pair ?? ['diffllama', 'llama'];
  const { cells, datasets } = groupCells(samples);
  const order = datasets.includes(baseline)
    ? [baseline, ...datasets.filter((d) => d !== baseline)]
    : datasets;
  // Degradations are planned first and bootstrapped after, in one batch: cells of one size share
  // their draws (the same seed and label), so they are drawn once, not per cell.
  const rows: ResultRow[] = [];
  const degradations: { row: ResultRow; clean: boolean[]; noisy: boolean[] }[] = [];
  for (const extractor of opts.extractors) {
    for (const [model, byDataset] of cells) {
      for (const dataset of order) {
        const cell = byDataset.get(dataset);
        if (!cell) continue;
        const mine = outcomes(cell, extractor);
        const correct = [...mine.values()];
        const k = countTrue(correct);
        const ci = proportionInterval(k, correct.length, methods.ci, methods.level);
        const row: ResultRow = {
          model,
          dataset,
          accuracy: k / correct.length,
          correct: k,
          total: correct.length,
          eval_type: opts.evalType,
          extractor,
          ci_low: ci.lo,
          ci_high: ci.hi,
          ...NO_COMPARISON,
        };
        rows.push(row);
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
          if (p.ids.length > 0) {
            const d = pairedDifference(p.clean, p.noisy, methods.level);
            Object.assign(row, {
              diff_vs: pairRef,
              diff: d.diff,
              diff_ci_low: d.lo,
              diff_ci_high: d.hi,
              mcnemar_p: d.p,
              diff_mde: pairMde(p.clean, p.noisy),
            } satisfies Partial<ResultRow>);
          }
        }
      }
    }
  }
  relativeDegradations(degradations, { seed: opts.seed, level: methods.level }).forEach((d, i) => {
    const { row, clean, noisy } = degradations[i];
    row.degradation = d.value;
    row.degradation_ci_low = d.lo;
    row.degradation_ci_high = d.hi;
    const kc = countTrue(clean);
    const mde = kc > 0 ? pairMde(clean, noisy) : null;
    row.degradation_mde = mde === null ? null : mde / (kc / clean.length);
  });
  // The family: every DiffLlama − Llama test of the table (each extractor × dataset).
  const tested = rows.filter((r) => r.mcnemar_p !== null);
  holmAdjust(tested.map((r) => r.mcnemar_p!)).forEach((p, i) => (tested[i].p_holm = p));
  return rows;
}

/** A row's model as tables show it: the name, with the eval type unless zero-shot. */
export function modelLabel(row: Pick<ResultRow, 'model' | 'eval_type'>): string {
  return row.eval_type === 'zero_shot' ? row.model : `${row.model} (${row.eval_type})`;
}
