// The section "Does differential attention help?" as text, shared by report.md and report.html:
// the evidence table (evidence.json) for reading, the dose-response slopes (dose_response.json)
// and one line for each part the run has no data for.
import { formatP, type DoseResponseRow } from '@exp/eval';
import type { EvidenceRow, RunData } from '@exp/run';
import type { ChartEntry, TextTable } from './content.js';

export const EVIDENCE_TITLE = 'Does differential attention help?';

const signed = (x: number, digits: number) => (x > 0 ? '+' : '') + x.toFixed(digits);

/** Pass@1 in points (1 decimal), likelihood measures in their units (4 decimals). */
function formatter(r: EvidenceRow): (x: number) => string {
  return r.measure === 'pass@1' ? (x) => signed(100 * x, 1) : (x) => signed(x, 4);
}

function measureCell(r: EvidenceRow): string {
  const what = r.measure === 'pass@1' ? `Pass@1 (${r.extractor}), points` : r.measure;
  return r.orientation === 'lower is better' ? `${what} (lower is better: sign flipped)` : what;
}

/** The evidence rows for reading: one line per noisy set × measure × evaluation. */
export function evidenceTable(rows: readonly EvidenceRow[]): TextTable {
  return {
    header: [
      'noisy set',
      'measure',
      'evaluation',
      'n',
      'DiffLlama − Llama',
      '95% CI',
      'p',
      'Holm p',
      'MDE',
      'verdict',
    ],
    rows: rows.map((r) => {
      const f = formatter(r);
      const mde = r.mde === null ? '-' : f(r.mde).replace(/^\+/, '');
      return [
        r.dataset,
        measureCell(r),
        r.eval_type ?? 'likelihood',
        String(r.n),
        f(r.estimate),
        r.lo === null || r.hi === null ? '-' : `[${f(r.lo)}, ${f(r.hi)}]`,
        formatP(r.p),
        formatP(r.p_holm),
        mde,
        r.verdict,
      ];
    }),
  };
}

/** The sentence above the evidence table: what the numbers are. */
export function evidenceCaption(rows: readonly EvidenceRow[]): string {
  const pair = rows[0] ? ` (${rows[0].a} − ${rows[0].b})` : '';
  return (
    `DiffLlama − Llama${pair} difference in noise effect (noisy − clean, per item), oriented so that + means DiffLlama is hurt less by the noise; ` +
    'Pass@1 in points, likelihood measures in nats (per token for *_mean, the answer tokens for *_final) or probability mass (*_noise_mass). ' +
    `95% CI: paired percentile bootstrap over items; p: sign-flip permutation test; Holm p over the ${rows.length} rows of the table; ` +
    'MDE: minimum detectable difference at α 0.05, power 0.8. Verdict: helps / hurts when Holm p < 0.05, else inconclusive when the MDE exceeds the observed difference, else no difference detected.'
  );
}

/** 'Verdicts: 2 helps, 1 inconclusive.' */
export function verdictCounts(rows: readonly EvidenceRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  return `Verdicts: ${[...counts].map(([v, n]) => `${n} ${v}`).join(', ')}.`;
}

const estimate = (e: DoseResponseRow['slope'], scale: number) =>
  e.value === null
    ? '-'
    : `${signed(scale * e.value, 1)}${e.lo === null || e.hi === null ? '' : ` [${signed(scale * e.lo, 1)}, ${signed(scale * e.hi, 1)}]`}`;

/** The dose-response rows of one extractor: slope and pooled effect in points with CIs. */
export function doseTable(rows: readonly DoseResponseRow[], extractor: string): TextTable {
  return {
    header: [
      'evaluation',
      'noise',
      'position',
      'model',
      'doses',
      'change per sentence [95% CI]',
      'pooled noise effect [95% CI]',
    ],
    rows: rows
      .filter((r) => r.extractor === extractor)
      .map((r) => [
        r.eval_type,
        r.type,
        r.position,
        r.vs === null ? r.model : `${r.model} − ${r.vs}`,
        r.doses.join(', '),
        estimate(r.slope, 100),
        estimate(r.effect, 100),
      ]),
  };
}

/** Lines for the parts of the section the run has no data for. */
export function evidenceGaps(run: RunData, charts: readonly ChartEntry[]): string[] {
  const has = (name: string) => charts.some((c) => c.name === name);
  if (!run.evidence && !run.likelihood && !run.knockout && !run.doseResponse) {
    return [
      'No data for this section: the run folder has none of evidence.json, likelihood_results.json, knockout_results.json and dose_response.json (runs with one DiffLlama and one Llama write them; `exp eval rescore` recomputes the first from the logs).',
    ];
  }
  const gaps: string[] = [];
  if (!run.evidence) {
    gaps.push(
      'No evidence table: the run folder has no evidence.json (it is written when the run compares one DiffLlama with one Llama; `exp eval rescore` makes one).',
    );
  } else if (run.evidence.length === 0) {
    gaps.push('No evidence rows: the run has no noisy set both models were evaluated on.');
  }
  if (!has('likelihood_effect'))
    gaps.push('No likelihood chart: the run has no likelihood_results.json.');
  if (!has('knockout_recovery')) {
    gaps.push('No knockout charts: the run has no knockout_results.json with rows from layer 0.');
  } else if (!has('knockout_layers')) {
    gaps.push('No per-layer knockout curve: the knockout table has one first layer only.');
  }
  if (!has('dose_response')) gaps.push('No dose-response chart: the run has no sweep cells.');
  return gaps;
}
