// The evidence table (evidence.json / .csv): the run's answer to "does differential attention
// help?". One row per noisy set × measure × evaluation: the DiffLlama − Llama difference in
// noise effect (noisy − clean, per item), oriented so that a positive estimate means DiffLlama
// is hurt less, with its paired bootstrap CI, sign-flip p, Holm p over the table's family, MDE
// and verdict. Pass@1 comes from the sample logs; the likelihood measures from the likelihood
// logs (or, without them, likelihood_results.json). Written at the end of `exp run` and by
// `exp eval rescore`, from the same inputs with the run's seed: the same bytes.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BASELINE_DATASET, drawnMean, formatIssue, writeFileAtomic } from '@exp/data';
import {
  comparisonPair,
  csvText,
  DEFAULT_PERMUTATIONS,
  holmAdjust,
  LikelihoodSummarySchema,
  pairedDifferencesMde,
  pairedMeanMde,
  percentileBootstraps,
  readLikelihoodLogs,
  sampleLogFolders,
  signFlipP,
  summarizeLikelihood,
  verdict,
  type LikelihoodPairRow,
  type LikelihoodSummary,
} from '@exp/eval';
import type { Evaluations } from './dose.js';
import {
  EvidenceRowSchema,
  type EvidenceRow,
  type EvidenceTable,
  type Orientation,
} from './evidence-table.js';

export {
  EvidenceRowSchema,
  EvidenceTableSchema,
  ORIENTATIONS,
  type EvidenceRow,
  type EvidenceTable,
  type Orientation,
} from './evidence-table.js';
import { RunReadError } from './errors.js';
import { RUN_PATHS } from './layout.js';
import { readRunManifest, type RunManifest } from './manifest.js';
import { runSamples } from './read-run.js';

/** The measure name of Pass@1 rows. */
export const PASS_AT_1 = 'pass@1';

/**
 * The likelihood measures that enter the table (and so its Holm family), with their direction:
 * the per-token log-likelihood of the gold solution in the SFT format and in the protocol's
 * prompt, the final answer's log-likelihood, and the distractor pull (mass on noise-only numbers,
 * where higher is worse). The others are near-duplicates of these (the sums scale the means by a
 * token count that noise does not change; the gold mass is the final answer's first token; the
 * SFT format's final and pull repeat the protocol's) and would dilute Holm without new evidence.
 */
export const EVIDENCE_LIKELIHOOD_MEASURES: ReadonlyMap<string, Orientation> = new Map([
  ['sft_mean', 'higher is better'],
  ['protocol_mean', 'higher is better'],
  ['protocol_final', 'higher is better'],
  ['protocol_noise_mass', 'lower is better'],
]);

const COLUMNS: readonly string[] = EvidenceRowSchema.keyof().options;

type Draft = Omit<EvidenceRow, 'p_holm' | 'verdict'>;

export interface BuildEvidenceOptions {
  /** The run's manifest (default: read from the folder); its seed, models and task decide. */
  manifest?: RunManifest;
  /** The samples per evaluation (default: the folder's logs in the run's order). */
  evaluations?: Evaluations;
  /**
   * The likelihood summary of the run's logs when the caller has just computed it
   * (writeLikelihoodTables' `summary`, the same pair and seed), so it is not computed again.
   */
  likelihood?: LikelihoodSummary | null;
  /** Extractor of the Pass@1 rows (default: the task's first, its primary one). */
  extractor?: string;
  /** Bootstrap resamples and sign-flip permutations (default 10,000 each). */
  resamples?: number;
  permutations?: number;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * The statistics of one row from its per-item differences d (raw, a − b of noise effects).
 * `outcomes`: d comes from 1/0 outcomes (Pass@1). When no item's d differs from the others
 * (Pass@1 at its floor or ceiling on every set: nothing discordant), the bootstrap interval
 * would collapse to a point and the MDE to 0, reading as proof of no difference; instead the
 * interval is null and the MDE takes the rule-of-three bound: with no discordant item among n,
 * the share of items with d ≠ 0 may still be up to 3/n (95%), so sd(d) >= √(3/n).
 */
function tested(
  d: readonly number[],
  orientation: Orientation,
  seed: number,
  label: string,
  opts: BuildEvidenceOptions,
  outcomes = false,
): Pick<Draft, 'diff' | 'estimate' | 'lo' | 'hi' | 'p' | 'mde'> {
  const sign = orientation === 'lower is better' ? -1 : 1;
  const oriented = d.map((x) => sign * x);
  const [{ interval }] = percentileBootstraps(
    { seed, resamples: opts.resamples },
    `evidence/${label}`,
    [{ n: d.length, statistic: drawnMean(oriented) }],
  );
  const permutations = opts.permutations ?? DEFAULT_PERMUTATIONS;
  const constant = outcomes && d.every((x) => x === d[0]);
  const mde = pairedDifferencesMde(d);
  const floor = outcomes && d.length >= 2 ? pairedMeanMde(Math.sqrt(3 / d.length), d.length) : 0;
  return {
    diff: mean(d),
    estimate: mean(oriented),
    lo: constant ? null : (interval?.lo ?? null),
    hi: constant ? null : (interval?.hi ?? null),
    p: signFlipP(oriented, permutations, seed, `evidence/${label}/permutation`),
    mde: mde === null ? null : Math.max(mde, floor),
  };
}

/**
 * Pass@1 rows of one evaluation: per noisy set, over the items both models answered on the set
 * and on the baseline, d_i = (a_noisy,i − a_clean,i) − (b_noisy,i − b_clean,i) with outcomes 1/0.
 */
function passRows(
  evalType: string,
  samples: Evaluations[number]['samples'],
  pair: [string, string],
  extractor: string,
  seed: number,
  opts: BuildEvidenceOptions,
): Draft[] {
  const [a, b] = pair;
  const outcome = new Map<string, number>();
  const key = (model: string, dataset: string, id: string) => `${model}\u0000${dataset}\u0000${id}`;
  const datasets: string[] = [];
  for (const s of samples) {
    const ok = s.correct_by[extractor];
    if (ok === undefined) {
      throw new RunReadError(
        `evidence: ${s.model}/${s.dataset} sample ${JSON.stringify(s.id)} has no answer from extractor "${extractor}"`,
      );
    }
    outcome.set(key(s.model, s.dataset, s.id), ok ? 1 : 0);
    if (s.dataset !== BASELINE_DATASET && !datasets.includes(s.dataset)) datasets.push(s.dataset);
  }
  const rows: Draft[] = [];
  for (const dataset of datasets) {
    const ea: number[] = [];
    const eb: number[] = [];
    for (const s of samples) {
      if (s.model !== a || s.dataset !== dataset) continue;
      const get = (m: string, d: string) => outcome.get(key(m, d, s.id));
      const [an, ac, bn, bc] = [
        get(a, dataset),
        get(a, BASELINE_DATASET),
        get(b, dataset),
        get(b, BASELINE_DATASET),
      ];
      if (an === undefined || ac === undefined || bn === undefined || bc === undefined) continue;
      ea.push(an - ac);
      eb.push(bn - bc);
    }
    if (ea.length === 0) continue;
    const d = ea.map((x, i) => x - eb[i]);
    rows.push({
      dataset,
      measure: PASS_AT_1,
      eval_type: evalType,
      extractor,
      a,
      b,
      n: d.length,
      effect_a: mean(ea),
      effect_b: mean(eb),
      orientation: 'higher is better',
      ...tested(d, 'higher is better', seed, `${evalType}/${dataset}/${PASS_AT_1}`, opts, true),
    });
  }
  return rows;
}

/**
 * The likelihood pair rows and per-model effects of a run: recomputed from its likelihood logs
 * (summarizeLikelihood with the run's seed) when it has them, else read from
 * likelihood_results.json; none without either.
 */
function likelihoodSummary(dir: string, pair: [string, string], seed: number) {
  const records = readLikelihoodLogs(dir);
  if (records.length) return summarizeLikelihood(records, { pair, seed });
  const file = path.join(dir, RUN_PATHS.likelihoodResults('json'));
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RunReadError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = LikelihoodSummarySchema.safeParse(raw);
  if (!parsed.success) throw new RunReadError(`${file}: ${formatIssue(parsed.error.issues[0])}`);
  return parsed.data;
}

function likelihoodRows(
  dir: string,
  pair: [string, string],
  seed: number,
  known?: LikelihoodSummary | null,
): Draft[] {
  const summary = known ?? likelihoodSummary(dir, pair, seed);
  if (!summary) return [];
  const effect = (model: string, dataset: string, measure: string) =>
    summary.rows.find((r) => r.model === model && r.dataset === dataset && r.measure === measure)
      ?.effect ?? null;
  const usable = (r: LikelihoodPairRow) =>
    r.a === pair[0] &&
    r.b === pair[1] &&
    EVIDENCE_LIKELIHOOD_MEASURES.has(r.measure) &&
    r.n > 0 &&
    r.diff !== null &&
    r.p !== null;
  return summary.pairs.filter(usable).map((r) => {
    const orientation = EVIDENCE_LIKELIHOOD_MEASURES.get(r.measure)!;
    const sign = orientation === 'lower is better' ? -1 : 1;
    // the summary's interval is of diff; negating flips its ends
    const [lo, hi] = sign > 0 ? [r.lo, r.hi] : [neg(r.hi), neg(r.lo)];
    return {
      dataset: r.dataset,
      measure: r.measure,
      eval_type: null,
      extractor: null,
      a: r.a,
      b: r.b,
      n: r.n,
      effect_a: effect(r.a, r.dataset, r.measure),
      effect_b: effect(r.b, r.dataset, r.measure),
      diff: r.diff!,
      orientation,
      estimate: sign * r.diff!,
      lo,
      hi,
      p: r.p!,
      mde: r.mde,
    };
  });
}

const neg = (x: number | null) => (x === null ? null : -x);

/**
 * The evidence table of a run folder: Pass@1 rows (each evaluation, each noisy set, the
 * primary extractor), then likelihood rows (each noisy set, each of
 * EVIDENCE_LIKELIHOOD_MEASURES), Holm-adjusted together and judged by eval's verdict(). Empty
 * when the run's models are not one DiffLlama and one Llama.
 */
export function buildEvidence(runDir: string, opts: BuildEvidenceOptions = {}): EvidenceRow[] {
  const manifest = opts.manifest ?? readRunManifest(runDir);
  const pair = comparisonPair(manifest.models);
  if (!pair) return [];
  const seed = manifest.seeds.run;
  const extractor = opts.extractor ?? manifest.task?.extractors[0];
  // a run without sample logs (--skip-zero-shot) may still have likelihood rows
  const evaluations =
    opts.evaluations ?? (sampleLogFolders(runDir).length ? runSamples(runDir, manifest) : []);
  const drafts: Draft[] = [
    ...(extractor
      ? evaluations.flatMap(({ evalType, samples }) =>
          passRows(evalType, samples, pair, extractor, seed, opts),
        )
      : []),
    ...likelihoodRows(runDir, pair, seed, opts.likelihood),
  ];
  const holm = holmAdjust(drafts.map((r) => r.p));
  return drafts.map((r, i) => {
    const row: EvidenceRow = {
      ...r,
      p_holm: holm[i],
      verdict: verdict({ estimate: r.estimate, p: holm[i], mde: r.mde }),
    };
    // keys in the columns' order: evidence.json reads like the CSV
    return Object.fromEntries(COLUMNS.map((c) => [c, row[c as keyof EvidenceRow]])) as EvidenceRow;
  });
}

/** Writes evidence.json (EvidenceTableSchema) and evidence.csv into `dir`; their paths. */
export function writeEvidence(
  dir: string,
  rows: readonly EvidenceRow[],
): { json: string; csv: string } {
  const json = path.join(dir, RUN_PATHS.evidence('json'));
  const csv = path.join(dir, RUN_PATHS.evidence('csv'));
  const table: EvidenceTable = { rows: [...rows] };
  writeFileAtomic(json, JSON.stringify(table, null, 2) + '\n');
  writeFileAtomic(csv, csvText(COLUMNS, rows));
  return { json, csv };
}

/**
 * Builds and writes the evidence table of a run folder into `outDir` (default the folder), when
 * the run compares a DiffLlama with a Llama; null otherwise. `exp run` calls it at its end,
 * `exp eval rescore` with the rescored samples.
 */
export function evidenceStep(
  runDir: string,
  opts: BuildEvidenceOptions & { outDir?: string } = {},
): { json: string; csv: string } | null {
  const manifest = opts.manifest ?? readRunManifest(runDir);
  if (!comparisonPair(manifest.models)) return null;
  return writeEvidence(opts.outDir ?? runDir, buildEvidence(runDir, { ...opts, manifest }));
}
