// The likelihood with the noise knocked out: character spans placed on tokens, an empty span
// list that changes nothing, a knockout that changes a noisy item's scores, only the items with
// spans scored, and the knockout table's recovered share and its interval on hand-made records.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadGsm8k, type Problem } from '@exp/data';
import {
  exportCheckpoint,
  initPreset,
  loadCausalLM,
  loadTokenizer,
  type CausalLM,
} from '@exp/models';
import { recoveredWithInterval, summarizeKnockout } from '../../src/likelihood/knockout.js';
import { LikelihoodRecordSchema, type LikelihoodRecord } from '../../src/likelihood/record.js';
import { likelihoodLogPath, runLikelihood } from '../../src/likelihood/run.js';
import {
  fitContext,
  hasWorkedSolution,
  scoreTexts,
  tokenSpans,
} from '../../src/likelihood/score.js';
import { LIKELIHOOD_MEASURES } from '../../src/likelihood/summary.js';
import type { EvalModel } from '../../src/run/run-evaluation.js';
import { builtinTask } from '../../src/task/builtin.js';

test('tokenSpans: the tokens overlapping a character span, merged into runs', () => {
  // BOS (zero width), "ab", " cd", " ef", " gh"
  const offsets: [number, number][] = [
    [0, 0],
    [0, 2],
    [2, 5],
    [5, 8],
    [8, 11],
  ];
  expect(tokenSpans(offsets, [[3, 6]])).toEqual([[2, 4]]);
  expect(
    tokenSpans(offsets, [
      [0, 1],
      [9, 10],
    ]),
  ).toEqual([
    [1, 2],
    [4, 5],
  ]);
  expect(tokenSpans(offsets, [[2, 2.5]])).toEqual([[2, 3]]);
  expect(tokenSpans(offsets, [])).toEqual([]);
});

test('fitContext cuts a text from the left, moving its positions and spans; hasWorkedSolution', () => {
  const e = {
    ids: [1, 2, 3, 4, 5, 6, 7, 8],
    solutionStart: 4,
    solutionEnd: 8,
    finalStart: 6,
    gold: '7',
    knockout: [
      [1, 2],
      [2, 4],
    ] as [number, number][],
    cut: 0,
  };
  expect(fitContext(e, 8)).toBe(e);
  expect(fitContext(e, null)).toBe(e);
  expect(fitContext(e, 5)).toEqual({
    ...{ ids: [4, 5, 6, 7, 8], solutionStart: 1, solutionEnd: 5, finalStart: 3, gold: '7' },
    knockout: [[0, 1]],
    cut: 3,
  });
  expect(() => fitContext(e, 4)).toThrow(
    "likelihood: a solution takes 4 tokens, leaving no room for its prompt in the model's context of 4 positions",
  );
  expect(hasWorkedSolution('3 + 4 = 7\n#### 7')).toBe(true);
  expect(hasWorkedSolution('7')).toBe(false);
  expect(hasWorkedSolution('#### ')).toBe(false);
});

describe('on tiny-llama exported with the knockout inputs', () => {
  const problems = loadGsm8k('test').slice(0, 3);
  const NOISE = 'Her neighbour keeps 45 cats and 1250 stamps.';
  const noisy: Problem[] = problems.map((p) => ({ ...p, question: `${NOISE} ${p.question}` }));
  const task = builtinTask('seed');
  let tmp: string;
  let lm: CausalLM;
  let model: EvalModel;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-likelihood-knockout-'));
    await initPreset('tiny-llama', path.join(tmp, 'ckpt'));
    await exportCheckpoint(path.join(tmp, 'ckpt'), path.join(tmp, 'model'), { knockout: true });
    lm = await loadCausalLM(path.join(tmp, 'model'), { threads: 1, decoder: 'present' });
    model = { name: 'tiny-llama', lm, tokenizer: await loadTokenizer(path.join(tmp, 'model')) };
  });
  afterAll(async () => {
    await lm.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('an empty span list gives the plain scores exactly; the noise knocked out changes them', async () => {
    const texts = noisy.map((p) => ({ prompt: p.question, solution: p.answer, numbers: ['45'] }));
    const plain = await scoreTexts(lm, model.tokenizer, texts);
    const empty = await scoreTexts(
      lm,
      model.tokenizer,
      texts.map((t) => ({ ...t, knockout: [] })),
      { knockoutFromLayer: 0 },
    );
    expect(empty.scores).toEqual(plain.scores);
    const knocked = await scoreTexts(
      lm,
      model.tokenizer,
      texts.map((t) => ({ ...t, knockout: [[0, NOISE.length]] as [number, number][] })),
      { knockoutFromLayer: 0 },
    );
    knocked.scores.forEach((s, i) => {
      expect(s.solution_tokens).toBe(plain.scores[i]!.solution_tokens);
      expect(s.sum).not.toBe(plain.scores[i]!.sum);
    });
    // the last layer only: changed too, and not as much as every layer
    const last = await scoreTexts(
      lm,
      model.tokenizer,
      texts.map((t) => ({ ...t, knockout: [[0, NOISE.length]] as [number, number][] })),
      { knockoutFromLayer: 1 },
    );
    expect(last.scores[0]!.sum).not.toBe(plain.scores[0]!.sum);
    expect(last.scores[0]!.sum).not.toBe(knocked.scores[0]!.sum);
  }, 120_000);

  test('runLikelihood with knockout scores the items with spans, in both texts', async () => {
    const outDir = path.join(tmp, 'run');
    const spans = new Map<string, [number, number][]>([
      [problems[0]!.id, [[0, NOISE.length]]],
      [problems[2]!.id, [[0, 3]]],
    ]);
    const dataset = { name: 'inf', problems: noisy, noiseSpans: spans };
    const logDir = path.join(outDir, 'ko');
    const records = await runLikelihood({
      models: [model],
      datasets: [dataset],
      task,
      outDir,
      knockout: { fromLayer: 0 },
      logDir,
    });
    expect(records.map((r) => r.index)).toEqual([0, 2]);
    const file = likelihoodLogPath(outDir, 'tiny-llama', 'inf', logDir);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    const plain = await runLikelihood({ models: [model], datasets: [dataset], task, outDir });
    expect(plain.map((r) => r.index)).toEqual([0, 1, 2]);
    for (const f of ['sft', 'protocol'] as const) {
      expect(records[0]![f].prompt_tokens).toBe(plain[0]![f].prompt_tokens);
      expect(records[0]![f].sum).not.toBe(plain[0]![f].sum);
    }
  }, 120_000);
});

/** A record whose sft and protocol means are `mean` (sums over 10 tokens). */
function rec(model: string, dataset: string, i: number, mean: number): LikelihoodRecord {
  const score = {
    prompt_tokens: 20,
    solution_tokens: 10,
    sum: 10 * mean,
    mean,
    final_tokens: 1,
    final_sum: mean,
    numbers: { '57': [3226, Math.log(0.5)] as [number, number] },
  };
  return LikelihoodRecordSchema.parse({
    ...{ run: 'r', model, dataset, id: `q${i}`, index: i, gold: '57', noise_numbers: [] },
    ...{ sft: score, protocol: score, ms: 1 },
  });
}

test('summarizeKnockout: means over the items on all three conditions, the recovered share', () => {
  const plain = [
    ...[1, 2, 3, 4].map((k) => rec('llama', 'clean', k, -k)),
    // the noise costs 1 nat/token on every item
    ...[1, 2, 3, 4].map((k) => rec('llama', 'inf', k, -k - 1)),
  ];
  // knockout recovers 0.25 on items 1-3; item 4 was not knocked out
  const knocked = [1, 2, 3].map((k) => rec('llama', 'inf', k, -k - 0.75));
  const rows = summarizeKnockout(
    plain,
    [
      {
        fromLayer: 1,
        records: knocked.map((r) => ({ ...r, sft: { ...r.sft, mean: -r.index - 1 } })),
      },
      { fromLayer: 0, records: knocked },
    ],
    { resamples: 200 },
  );
  // every measure, each layer ascending; no mass rows have values (no noise-only numbers)
  expect(rows).toHaveLength(LIKELIHOOD_MEASURES.length * 2);
  expect(rows.slice(0, 2).map((r) => [r.measure, r.from_layer])).toEqual([
    ['sft_mean', 0],
    ['sft_mean', 1],
  ]);
  const [l0, l1] = rows;
  expect(l0).toEqual({
    model: 'llama',
    dataset: 'inf',
    measure: 'sft_mean',
    extractor: null,
    eval_type: null,
    from_layer: 0,
    n: 3,
    clean: -2,
    noisy: -3,
    knockout: -2.75,
    recovered: 0.25,
    // every resample has the same share: the effects are equal on every item
    lo: expect.closeTo(0.25, 12) as number,
    hi: expect.closeTo(0.25, 12) as number,
  });
  expect(l1).toMatchObject({ from_layer: 1, n: 3, knockout: -3, recovered: 0, lo: 0, hi: 0 });
  const mass = rows.find((r) => r.measure === 'sft_gold_mass')!;
  expect(mass).toMatchObject({ n: 0, clean: null, recovered: null, lo: null, hi: null });
});

test('recoveredWithInterval: a resample without a noise effect is left out; none gives null', () => {
  const opts = { seed: 1, label: 't', resamples: 500, level: 0.9 };
  // no noise effect on any item: no share, no interval
  expect(recoveredWithInterval({ clean: [1, 2], noisy: [1, 2], knockout: [3, 4] }, opts)).toEqual({
    n: 2,
    clean: 1.5,
    noisy: 1.5,
    knockout: 3.5,
    recovered: null,
    lo: null,
    hi: null,
  });
  // item 0 has no effect, item 1 an effect of 2 recovered by half: resamples of item 0 alone
  // (about a quarter) are left out, the others' shares lie in [0.5, 0.5]
  const r = recoveredWithInterval({ clean: [0, 2], noisy: [0, 0], knockout: [0, 1] }, opts);
  expect(r).toMatchObject({ n: 2, recovered: 0.5, lo: 0.5, hi: 0.5 });
});
