// The evidence table on hand-made runs whose answer is known: DiffLlama unaffected by a noise
// that costs Llama 60% of its items ('helps'), the reverse ('hurts'), a noise that touches
// neither while both are at their ceiling ('inconclusive': nothing discordant to learn from),
// likelihood measures with their orientation, and the
// table `exp eval rescore` writes (byte for byte the run's).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import {
  getExtractor,
  holmAdjust,
  pairedDifferencesMde,
  pairedMeanMde,
  signFlipP,
  summarizeLikelihood,
  type LikelihoodRecord,
} from '@exp/eval';
import {
  buildEvidence,
  evidenceStep,
  EvidenceTableSchema,
  type EvidenceRow,
} from '../src/evidence.js';
import { rescoreRun } from '../src/rescore.js';
import {
  likelihoodRecord,
  SEED,
  syntheticRun,
  writeLikelihoodLogs,
} from './helpers/synthetic-run.js';

const N = 20;
const all = (c: 'T' | 'F') => c.repeat(N);
/** The first k items right, the rest wrong. */
const first = (k: number) => 'T'.repeat(k) + 'F'.repeat(N - k);

// Llama loses 12 of 20 items to inf (60%), DiffLlama none; rcs the reverse; sd costs nobody.
const OUTCOMES = {
  llama: { clean: all('T'), inf: first(8), rcs: all('T'), sd: all('T') },
  diffllama: { clean: all('T'), inf: all('T'), rcs: first(8), sd: all('T') },
};
const DATASETS = ['clean', 'inf', 'rcs', 'sd'];

/** The per-item differences of a 'first k right' Llama or DiffLlama loss: k' ones, zeros after. */
const ones = (count: number) => [...Array(N)].map((_, i) => (i >= N - count ? 1 : 0));

describe('evidence: Pass@1 rows from the sample logs', () => {
  const dir = syntheticRun(DATASETS, { zero_shot: OUTCOMES });
  const rows = buildEvidence(dir);

  test('a row per noisy set, the noise-effect difference oriented and judged', () => {
    expect(
      rows.map((r) => [r.dataset, r.measure, r.eval_type, r.extractor, r.a, r.b, r.n]),
    ).toEqual([
      ['inf', 'pass@1', 'zero_shot', 'strict', 'diffllama', 'llama', 20],
      ['rcs', 'pass@1', 'zero_shot', 'strict', 'diffllama', 'llama', 20],
      ['sd', 'pass@1', 'zero_shot', 'strict', 'diffllama', 'llama', 20],
    ]);
    const [inf, rcs, sd] = rows;
    expect([inf.effect_a, inf.effect_b, inf.diff, inf.estimate]).toEqual([0, -0.6, 0.6, 0.6]);
    expect([rcs.effect_a, rcs.effect_b, rcs.diff, rcs.estimate]).toEqual([-0.6, 0, -0.6, -0.6]);
    expect([sd.effect_a, sd.effect_b, sd.diff, sd.estimate]).toEqual([0, 0, 0, 0]);
    expect(rows.map((r) => r.orientation)).toEqual(Array(3).fill('higher is better'));
    // sd: every item right everywhere for both: no interval, the rule-of-three MDE, inconclusive
    expect(rows.map((r) => r.verdict)).toEqual(['helps', 'hurts', 'inconclusive']);
  });

  test('p: sign-flip over the per-item differences, Holm over the table; MDE paired', () => {
    const [inf, rcs, sd] = rows;
    // 12 items of d = +1 (inf; −1 for rcs) and 8 of 0: only the all-same-sign flips reach 12.
    const d = ones(12);
    expect(inf.p).toBe(signFlipP(d, 10_000, SEED, 'evidence/zero_shot/inf/pass@1/permutation'));
    expect(inf.p).toBeLessThan(0.005);
    expect(rcs.p).toBeLessThan(0.005);
    expect(sd.p).toBe(1); // every d is 0: every flip reaches it
    expect(rows.map((r) => r.p_holm)).toEqual(holmAdjust(rows.map((r) => r.p)));
    expect(inf.p_holm).toBeLessThan(0.05);
    // sd(d) = sqrt(0.6 · 0.4 · 20/19); (1.959964 + 0.841621) · sd / sqrt(20)
    expect(inf.mde).toBeCloseTo(pairedDifferencesMde(d)!, 15);
    expect(inf.mde).toBeCloseTo((2.8015852 * Math.sqrt((0.24 * 20) / 19)) / Math.sqrt(20), 6);
    // no item discordant: not 0 but the rule-of-three bound, sd(d) >= sqrt(3/n)
    expect(sd.mde).toBeCloseTo(pairedMeanMde(Math.sqrt(3 / N), N), 15);
    expect(sd.mde).toBeCloseTo((2.8015852 * Math.sqrt(3 / 20)) / Math.sqrt(20), 6);
    expect([sd.lo, sd.hi]).toEqual([null, null]);
    // the bootstrap interval of the mean of 12 ones in 20 holds it, well clear of 0
    expect(inf.lo!).toBeGreaterThan(0.3);
    expect(inf.hi!).toBeLessThan(0.9);
    expect(inf.lo!).toBeLessThan(0.6);
    expect(inf.hi!).toBeGreaterThan(0.6);
    expect(rcs.lo!).toBeGreaterThan(-0.9);
    expect(rcs.hi!).toBeLessThan(-0.3);
  });

  test('the same inputs give the same table; a small effect reads inconclusive', () => {
    expect(buildEvidence(dir)).toEqual(rows);
    const small = syntheticRun(DATASETS.slice(0, 2), {
      zero_shot: {
        llama: { clean: all('T'), inf: first(19) },
        diffllama: { clean: all('T'), inf: all('T') },
      },
    });
    const [r] = buildEvidence(small);
    expect([r.estimate, r.verdict]).toEqual([0.05, 'inconclusive']);
    expect(r.p).toBe(1); // a single d = 1: every flip reaches |±1|
    expect(r.mde!).toBeGreaterThan(0.05);
  });

  test('each evaluation has its rows; one Holm family over all of them', () => {
    const two = syntheticRun(DATASETS, { zero_shot: OUTCOMES, post_sft: OUTCOMES });
    const rs = buildEvidence(two);
    expect(rs.map((r) => `${r.eval_type}/${r.dataset}`)).toEqual([
      'zero_shot/inf',
      'zero_shot/rcs',
      'zero_shot/sd',
      'post_sft/inf',
      'post_sft/rcs',
      'post_sft/sd',
    ]);
    expect(rs.map((r) => r.p_holm)).toEqual(holmAdjust(rs.map((r) => r.p)));
    expect(rs.slice(0, 3).map((r) => r.estimate)).toEqual(rs.slice(3).map((r) => r.estimate));
  });

  test('without a DiffLlama/Llama pair: no rows, no file', () => {
    const solo = syntheticRun(DATASETS, { zero_shot: { llama: OUTCOMES.llama } });
    const m = JSON.parse(readFileSync(path.join(solo, 'manifest.json'), 'utf8'));
    delete m.models.diffllama;
    writeFileSync(path.join(solo, 'manifest.json'), JSON.stringify(m));
    expect(buildEvidence(solo)).toEqual([]);
    expect(evidenceStep(solo)).toBeNull();
    expect(existsSync(path.join(solo, 'evidence.json'))).toBe(false);
  });
});

/** Likelihood logs where the noise lowers Llama's log-likelihood and pulls it to '7'. */
function likelihoodLogs(): LikelihoodRecord[] {
  const out: LikelihoodRecord[] = [];
  for (let i = 0; i < N; i++) {
    const jitter = (i % 5) * 0.01;
    const clean = { mean: -1 - jitter, final: -2, gold: 0.5, pull: 0.1 };
    for (const model of ['llama', 'diffllama'])
      out.push(likelihoodRecord(model, 'clean', i, clean));
    // Llama: −0.5 nats/token, −1 on the final answer, pull 0.1 → 0.4; DiffLlama unchanged
    out.push(
      likelihoodRecord('llama', 'inf', i, {
        mean: clean.mean - 0.5 - jitter,
        final: -3,
        gold: 0.3,
        pull: 0.4,
      }),
    );
    out.push(likelihoodRecord('diffllama', 'inf', i, { ...clean }));
  }
  return out;
}

describe('evidence: likelihood rows', () => {
  const dir = syntheticRun(DATASETS.slice(0, 2), {
    zero_shot: {
      llama: { clean: all('T'), inf: first(8) },
      diffllama: { clean: all('T'), inf: all('T') },
    },
  });
  const records = likelihoodLogs();
  writeLikelihoodLogs(dir, records);
  const rows = buildEvidence(dir);
  const lik = rows.filter((r) => r.measure !== 'pass@1');

  test('the four measures of the family, oriented so that positive = DiffLlama hurt less', () => {
    expect(rows.map((r) => r.measure)).toEqual([
      'pass@1',
      'sft_mean',
      'protocol_mean',
      'protocol_final',
      'protocol_noise_mass',
    ]);
    const at = (m: string) => lik.find((r) => r.measure === m)!;
    expect(lik.map((r) => [r.eval_type, r.extractor, r.n])).toEqual(
      Array(4).fill([null, null, 20]),
    );
    expect(at('sft_mean').orientation).toBe('higher is better');
    expect(at('sft_mean').effect_b).toBeCloseTo(-0.5 - 0.02, 12); // mean jitter 0.02
    expect(at('sft_mean').estimate).toBeCloseTo(0.52, 12);
    expect(at('protocol_final').estimate).toBeCloseTo(1, 12);
    const pull = at('protocol_noise_mass');
    expect(pull.orientation).toBe('lower is better');
    expect(pull.diff).toBeCloseTo(-0.3, 12); // DiffLlama 0, Llama +0.3 of its mass on '7'
    expect(pull.estimate).toBeCloseTo(0.3, 12);
    // the interval of a constant difference is that constant, negated with it
    expect(pull.lo).toBeCloseTo(0.3, 12);
    expect(pull.hi).toBeCloseTo(0.3, 12);
    expect(rows.map((r) => r.verdict)).toEqual(Array(5).fill('helps'));
    expect(rows.map((r) => r.p_holm)).toEqual(holmAdjust(rows.map((r) => r.p)));
  });

  test('from likelihood_results.json when the logs are gone: the same rows', () => {
    const copy = syntheticRun(DATASETS.slice(0, 2), {
      zero_shot: {
        llama: { clean: all('T'), inf: first(8) },
        diffllama: { clean: all('T'), inf: all('T') },
      },
    });
    const summary = summarizeLikelihood(records, { pair: ['diffllama', 'llama'], seed: SEED });
    writeFileSync(path.join(copy, 'likelihood_results.json'), JSON.stringify(summary));
    expect(buildEvidence(copy)).toEqual(rows);
  });

  test('a malformed likelihood_results.json fails with one line naming it', () => {
    const copy = syntheticRun(DATASETS.slice(0, 2), {
      zero_shot: { llama: { clean: all('T') }, diffllama: { clean: all('T') } },
    });
    const f = path.join(copy, 'likelihood_results.json');
    writeFileSync(f, JSON.stringify({ rows: [], pairs: [{ dataset: 'inf' }] }));
    expect(() => buildEvidence(copy)).toThrow(`${f}: pairs.0.measure:`);
  });
});

describe('evidence files', () => {
  const dir = syntheticRun(DATASETS, { zero_shot: OUTCOMES });
  writeLikelihoodLogs(
    dir,
    likelihoodLogs().map((r) => ({ ...r })),
  );
  const files = evidenceStep(dir)!;

  test('evidence.json parses with its schema; evidence.csv has its columns', () => {
    const table = EvidenceTableSchema.parse(JSON.parse(readFileSync(files.json, 'utf8')));
    expect(table.rows).toEqual(buildEvidence(dir));
    const csv = readFileSync(files.csv, 'utf8').split('\n');
    expect(csv[0]).toBe(
      'dataset,measure,eval_type,extractor,a,b,n,effect_a,effect_b,diff,orientation,estimate,lo,hi,p,p_holm,mde,verdict',
    );
    const inf = table.rows[0] as EvidenceRow;
    expect(csv[1]).toBe(
      `inf,pass@1,zero_shot,strict,diffllama,llama,20,0,-0.6,0.6,higher is better,0.6,${inf.lo},${inf.hi},${inf.p},${inf.p_holm},${inf.mde},helps`,
    );
    expect(csv).toHaveLength(table.rows.length + 2); // header, rows, final newline
  });

  test('exp eval rescore with the primary extractor writes the same bytes', () => {
    const before = readFileSync(files.json);
    const re = rescoreRun(dir, getExtractor('strict'));
    expect(re.evidence).not.toBeNull();
    expect(readFileSync(re.evidence!.json)).toEqual(before);
    expect(readFileSync(re.evidence!.csv)).toEqual(readFileSync(files.csv));
    expect(re.doseResponse).toBeNull(); // no sweep cells
    rmSync(path.join(dir, 'rescored'), { recursive: true });
  });
});
