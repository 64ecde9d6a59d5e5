// runLikelihood on the tiny-llama preset over 2 GSM8K items and a noisy copy whose sentence holds
// numbers: the per-item logs, the clean items scored on the noisy set's distractors, resume, and
// scores that do not depend on how rows are batched.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { noiseOnlyNumbers } from '../../src/likelihood/numbers.js';
import {
  likelihoodLogPath,
  readLikelihoodLogs,
  runLikelihood,
  type LikelihoodDataset,
} from '../../src/likelihood/run.js';
import { summarizeLikelihood } from '../../src/likelihood/summary.js';
import type { EvalModel } from '../../src/run/run-evaluation.js';
import { builtinTask } from '../../src/task/builtin.js';

// EXP_GSM8K_DIR names the shared copy (CI sets it).
const problems = loadGsm8k('test').slice(0, 2);
const NOISE = 'Her neighbour keeps 45 cats and 1250 stamps.';
const noisy: Problem[] = problems.map((p) => ({ ...p, question: `${NOISE} ${p.question}` }));
const datasets: LikelihoodDataset[] = [
  { name: 'clean', problems },
  {
    name: 'inf',
    problems: noisy,
    noiseNumbers: new Map(
      problems.map((p) => [p.id, noiseOnlyNumbers([NOISE], p.question, p.final)]),
    ),
  },
];
const task = builtinTask('seed');

let tmp: string;
let lm: CausalLM;
let model: EvalModel;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-likelihood-run-'));
  await initPreset('tiny-llama', path.join(tmp, 'ckpt'));
  await exportCheckpoint(path.join(tmp, 'ckpt'), path.join(tmp, 'model'));
  lm = await loadCausalLM(path.join(tmp, 'model'), { threads: 1 });
  model = { name: 'tiny-llama', lm, tokenizer: await loadTokenizer(path.join(tmp, 'model')) };
});
afterAll(async () => {
  await lm.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const withoutMs = (text: string) => text.replace(/"ms":[0-9.e+-]+/g, '"ms":0');

test('logs every item once, scores clean items on the distractors, resumes, batch invariant', async () => {
  const outDir = path.join(tmp, 'run-a');
  const records = await runLikelihood({
    models: [model],
    datasets,
    task,
    outDir,
    batchTokens: 4096,
  });
  expect(records.map((r) => `${r.dataset}/${r.id}`)).toEqual([
    ...problems.map((p) => `clean/${p.id}`),
    ...problems.map((p) => `inf/${p.id}`),
  ]);
  for (const r of records) {
    expect(r.run).toBe('run-a');
    expect(r.gold).toBe(problems[r.index]!.final);
    expect(r.noise_numbers).toEqual(r.dataset === 'inf' ? ['45', '1250'] : []);
    // gold + both distractors at the answer position, in both formats, on both sets
    expect(Object.keys(r.sft.numbers).sort()).toEqual([r.gold, '1250', '45'].sort());
    expect(Object.keys(r.protocol.numbers).sort()).toEqual([r.gold, '1250', '45'].sort());
    expect(r.sft.mean).toBeCloseTo(r.sft.sum / r.sft.solution_tokens, 12);
    // the noisy prompt is longer by the sentence's tokens, the solution is the same
    if (r.dataset === 'inf') {
      const c = records.find((x) => x.dataset === 'clean' && x.id === r.id)!;
      expect(r.sft.solution_tokens).toBe(c.sft.solution_tokens);
      expect(r.protocol.prompt_tokens).toBeGreaterThan(c.protocol.prompt_tokens);
    }
  }
  const cleanLog = likelihoodLogPath(outDir, 'tiny-llama', 'clean');
  const infLog = likelihoodLogPath(outDir, 'tiny-llama', 'inf');
  const before = readFileSync(infLog, 'utf8');
  expect(before.split('\n')).toHaveLength(problems.length + 1);
  // Resume: a finished log is not scored again; a dropped line is scored again, the same.
  const lines = before.split('\n');
  writeFileSync(infLog, lines[0] + '\n' + lines[1]!.slice(0, 30));
  const again = await runLikelihood({ models: [model], datasets, task, outDir, batchTokens: 4096 });
  expect(withoutMs(readFileSync(infLog, 'utf8'))).toBe(withoutMs(before));
  expect(again.map((r) => r.id)).toEqual(records.map((r) => r.id));
  // One row per forward pass gives the same scores (left padding is masked out).
  const single = await runLikelihood({
    models: [model],
    datasets,
    task,
    outDir: path.join(tmp, 'run-b'),
    batchTokens: 1,
  });
  let err = 0;
  single.forEach((r, i) => {
    const b = records[i]!;
    for (const f of ['sft', 'protocol'] as const) {
      err = Math.max(err, Math.abs(r[f].sum - b[f].sum), Math.abs(r[f].final_sum - b[f].final_sum));
      for (const [n, [id, lp]] of Object.entries(r[f].numbers)) {
        expect(b[f].numbers[n]![0]).toBe(id);
        err = Math.max(err, Math.abs(lp - b[f].numbers[n]![1]));
      }
    }
  });
  // measured: 2.4e-7 on sums of ~100 tokens and answer-position log-probabilities
  expect(err).toBeLessThanOrEqual(1e-5);
  // The summary is computed from the logs alone.
  expect(readLikelihoodLogs(outDir)).toEqual(again);
  const s = summarizeLikelihood(readLikelihoodLogs(outDir), { resamples: 100, permutations: 100 });
  const pull = s.rows.find((x) => x.dataset === 'inf' && x.measure === 'protocol_noise_mass')!;
  expect(pull.n).toBe(2);
  expect(pull.n_paired).toBe(2);
  expect(readFileSync(cleanLog, 'utf8').split('\n')).toHaveLength(problems.length + 1);
}, 180_000);
