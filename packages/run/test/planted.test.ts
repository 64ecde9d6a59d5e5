// The planted models (src/planted.ts): trained once here, seeded; every measure must show its
// known direction on them, significantly at these sizes, and none on the untrained model.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noiseTokenSpans } from '@exp/attention';
import type { Problem } from '@exp/data';
import {
  buildResultsTable,
  builtinTask,
  getExtractor,
  recoveredWithInterval,
  runLikelihood,
  summarizeKnockout,
  summarizeLikelihood,
  verdict,
  type LikelihoodRecord,
  type SampleRecord,
} from '@exp/eval';
import {
  exportCheckpoint,
  loadCausalLM,
  loadTokenizer,
  type CausalLM,
  type HfTokenizer,
} from '@exp/models';
import type { NoisyProblem } from '@exp/noise';
import { buildPlantedModels, type PlantedModel } from '../src/planted.js';
import { plantedSets } from '../src/planted-data.js';

const SEED = 42;
const N_TEST = 100;
let tmp: string;
let built: Record<'copier' | 'robust', PlantedModel>;
let buildMs: number;
const lms: Record<string, { lm: CausalLM; tokenizer: HfTokenizer }> = {};
const sets = plantedSets({ n: N_TEST, seed: SEED, name: 'test' });
const prompt = (q: string) => `Question: ${q}\n\nAnswer:`;
const QUESTION_AT = 'Question: '.length;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-planted-'));
  const t0 = performance.now();
  built = await buildPlantedModels({ dir: path.join(tmp, 'models'), seed: SEED });
  buildMs = performance.now() - t0;
  const random = path.join(tmp, 'random-onnx');
  await exportCheckpoint(built.copier.init, random, { knockout: true, attentions: false });
  for (const [name, dir] of [
    ['copier', built.copier.onnx],
    ['robust', built.robust.onnx],
    ['random', random],
  ] as const) {
    const lm = await loadCausalLM(dir, { knockout: true });
    lms[name] = { lm, tokenizer: await loadTokenizer(dir) };
  }
}, 900_000);
afterAll(async () => {
  for (const { lm } of Object.values(lms)) await lm.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const strict = getExtractor('strict');

/** Greedy answers of the sft prompt, optionally with the noise spans knocked out. */
async function answers(
  name: string,
  problems: readonly (Problem | NoisyProblem)[],
  knockout = false,
): Promise<(string | null)[]> {
  const { lm, tokenizer } = lms[name]!;
  const encodings = problems.map((p) => tokenizer.encode(prompt(p.question)));
  const spans = problems.map((p, i) =>
    noiseTokenSpans(
      {
        id: p.id,
        prompt: prompt(p.question),
        questionStart: QUESTION_AT,
        question: p.question,
        originalQuestion: 'original_question' in p ? p.original_question : p.question,
        noise: 'noise' in p ? p.noise : [],
      },
      encodings[i]!,
    ),
  );
  const out = await lm.generate(
    encodings.map((e) => e.ids),
    { maxNewTokens: 8, ...(knockout ? { knockout: { spans } } : {}) },
  );
  return out.map((r) => strict.extract(tokenizer.decode(r.tokens)));
}

/** Sample records of one condition (model name = condition), for @exp/eval's paired tables. */
function records(condition: string, predicted: (string | null)[]): SampleRecord[] {
  return sets.clean.map((p, i) => {
    const ok = strict.isCorrect(predicted[i]!, p.final);
    return {
      run: 'planted',
      model: condition,
      dataset: 'planted',
      id: p.id,
      index: i,
      prompt: '',
      completion: '',
      gold: p.final,
      answers: { strict: predicted[i]! },
      correct_by: { strict: ok },
      predicted: predicted[i]!,
      predicted_strict: predicted[i]!,
      correct: ok,
      correct_strict: ok,
      stop_reason: 'eos',
      prompt_tokens: 0,
      new_tokens: 0,
      ms: 0,
    };
  });
}

/** Paired Pass@1 comparison a − b (Newcombe CI, McNemar exact p) from buildResultsTable. */
function paired(a: SampleRecord[], b: SampleRecord[]) {
  const rows = buildResultsTable([...b, ...a], {
    extractors: ['strict'],
    seed: SEED,
    evalType: 'planted',
    baseline: 'none',
    pair: [a[0]!.model, b[0]!.model],
  });
  const row = rows.find((r) => r.model === a[0]!.model)!;
  return { diff: row.diff!, lo: row.diff_ci_low!, hi: row.diff_ci_high!, p: row.mcnemar_p! };
}

const pass = (rs: SampleRecord[]) => rs.filter((r) => r.correct_strict).length / rs.length;

/** Pass@1 of clean, noisy, noisy with knockout; pull = share of noisy answers = the distractor. */
async function passAt1(name: string) {
  const clean = records('clean', await answers(name, sets.clean));
  const noisyAnswers = await answers(name, sets.noisy);
  const noisy = records('noisy', noisyAnswers);
  const knockout = records('knockout', await answers(name, sets.noisy, true));
  const pull =
    noisyAnswers.filter((a, i) => a === sets.noiseNumbers.get(sets.clean[i]!.id)![0]).length /
    N_TEST;
  return { clean, noisy, knockout, pull };
}

/**
 * Share of the noise effect recovered by knockout, (knockout − noisy) / (clean − noisy) of
 * Pass@1, with @exp/eval's paired percentile bootstrap interval over items (the knockout table's).
 */
function recovered(clean: SampleRecord[], noisy: SampleRecord[], knockout: SampleRecord[]) {
  const bit = (rs: SampleRecord[]) => rs.map((r) => (r.correct_strict ? 1 : 0));
  const t = { clean: bit(clean), noisy: bit(noisy), knockout: bit(knockout) };
  const r = recoveredWithInterval(t, {
    seed: SEED,
    label: 'planted/recovered',
    resamples: 2000,
    level: 0.95,
  });
  return { share: r.recovered!, lo: r.lo!, hi: r.hi! };
}

let likelihood: LikelihoodRecord[];
async function scoreLikelihood(): Promise<LikelihoodRecord[]> {
  likelihood ??= await runLikelihood({
    models: Object.entries(lms).map(([name, m]) => ({ name, ...m })),
    datasets: [
      { name: 'clean', problems: sets.clean },
      { name: 'inf', problems: sets.noisy, noiseNumbers: sets.noiseNumbers },
    ],
    task: builtinTask('seed', { prompt: 'sft' }),
    outDir: path.join(tmp, 'run'),
  });
  return likelihood;
}

/**
 * The summary's pair row of `measure` on 'inf' for a − b. A model's own noise effect is tested
 * as its difference from a zero-effect reference: its clean records also scored as its noisy set.
 */
function pairRow(records: LikelihoodRecord[], a: string, b: string, measure: string) {
  const s = summarizeLikelihood(records, { pair: [a, b], seed: SEED, resamples: 2000 });
  return s.pairs.find((r) => r.dataset === 'inf' && r.measure === measure)!;
}
function ownEffect(records: LikelihoodRecord[], model: string, measure: string) {
  const mine = records.filter((r) => r.model === model);
  const clean = mine.filter((r) => r.dataset === 'clean');
  const noiseOf = new Map(
    mine.filter((r) => r.dataset === 'inf').map((r) => [r.id, r.noise_numbers]),
  );
  const reference = [
    ...clean.map((r) => ({ ...r, model: 'zero' })),
    ...clean.map((r) => ({
      ...r,
      model: 'zero',
      dataset: 'inf',
      noise_numbers: noiseOf.get(r.id)!,
    })),
  ];
  return pairRow([...mine, ...reference], model, 'zero', measure);
}

test('the build is seeded: two small builds give identical weights', async () => {
  const hashes = async (dir: string) => {
    const m = await buildPlantedModels({ dir, seed: SEED, trainSize: 32, threads: 1 });
    return [m.copier.checkpoint, m.robust.checkpoint].map((d) =>
      createHash('sha256')
        .update(readFileSync(path.join(d, 'model.safetensors')))
        .digest('hex'),
    );
  };
  const a = await hashes(path.join(tmp, 'det-a'));
  const b = await hashes(path.join(tmp, 'det-b'));
  expect(a).toEqual(b);
  expect(a[0]).not.toBe(a[1]);
}, 300_000);

test('training: both models learn their task (the loss falls below a tenth of its start)', () => {
  for (const m of Object.values(built)) {
    expect(m.loss.last).toBeLessThan(m.loss.first / 10);
  }
  console.log(
    `planted build: ${(buildMs / 1000).toFixed(1)} s (sft ${Object.values(built)
      .map(
        (m) =>
          `${m.name} ${m.steps} steps ${(m.trainMs / 1000).toFixed(1)} s, loss ${m.loss.first.toFixed(3)} -> ${m.loss.last.toFixed(3)}`,
      )
      .join('; ')})`,
  );
});

test('copier: INF noise lowers Pass@1 (McNemar), pulls answers to the distractor; knockout recovers', async () => {
  const { clean, noisy, knockout, pull } = await passAt1('copier');
  const effect = paired(noisy, clean);
  const rec = recovered(clean, noisy, knockout);
  console.log('copier', {
    clean: pass(clean),
    noisy: pass(noisy),
    knockout: pass(knockout),
    pull,
    effect,
    rec,
  });
  expect(pass(clean)).toBeGreaterThanOrEqual(0.9);
  expect(effect.diff).toBeLessThanOrEqual(-0.8);
  expect(effect.hi).toBeLessThan(0);
  expect(effect.p).toBeLessThan(1e-20);
  expect(pull).toBeGreaterThanOrEqual(0.8);
  // blocking the noise gives some answers back (the copier then copies the last visible number)
  expect(rec.share).toBeGreaterThanOrEqual(0.1);
  expect(rec.lo).toBeGreaterThan(0);
}, 300_000);

test('robust: INF noise costs it far less Pass@1 than the copier', async () => {
  const r = await passAt1('robust');
  const c = await passAt1('copier');
  const robustEffect = paired(r.noisy, r.clean);
  console.log('robust', { clean: pass(r.clean), noisy: pass(r.noisy), pull: r.pull, robustEffect });
  expect(pass(r.clean)).toBeGreaterThanOrEqual(0.9);
  expect(robustEffect.diff).toBeGreaterThan(paired(c.noisy, c.clean).diff + 0.6);
  expect(r.pull).toBeLessThan(0.1);
}, 300_000);

test('untrained model: no answer right, so no Pass@1 effect', async () => {
  const { clean, noisy } = await passAt1('random');
  expect(pass(clean)).toBe(0);
  expect(pass(noisy)).toBe(0);
}, 300_000);

test('likelihood: the copier loses gold likelihood and gains distractor mass, significantly', async () => {
  const recs = await scoreLikelihood();
  const final = ownEffect(recs, 'copier', 'sft_final');
  const mass = ownEffect(recs, 'copier', 'sft_noise_mass');
  console.log('copier likelihood', { final, mass });
  expect(final.diff!).toBeLessThan(-10);
  expect(final.hi!).toBeLessThan(0);
  expect(final.p!).toBeLessThan(0.001);
  expect(mass.diff!).toBeGreaterThan(0.5);
  expect(mass.p!).toBeLessThan(0.001);
}, 300_000);

test('likelihood knockout: blocking the noise takes away most of the pull to the distractor', async () => {
  const plain = await scoreLikelihood();
  const copier = { name: 'copier', ...lms.copier! };
  const noiseSpans = new Map(
    sets.noisy.map((p) => [p.id, p.noise.map((s) => [s.start, s.end] as const)]),
  );
  const knocked = await runLikelihood({
    models: [copier],
    datasets: [{ name: 'inf', problems: sets.noisy, noiseNumbers: sets.noiseNumbers, noiseSpans }],
    task: builtinTask('seed', { prompt: 'sft' }),
    outDir: path.join(tmp, 'run'),
    logDir: path.join(tmp, 'run', 'knockout'),
    knockout: { fromLayer: 0 },
  });
  expect(knocked).toHaveLength(N_TEST);
  const rows = summarizeKnockout(plain, [{ fromLayer: 0, records: knocked }], {
    seed: SEED,
    resamples: 2000,
  });
  const row = (measure: string) =>
    rows.find((r) => r.model === 'copier' && r.dataset === 'inf' && r.measure === measure)!;
  console.log('copier likelihood knockout', row('sft_final'), row('sft_noise_mass'));
  // The pull to the distractor goes almost entirely (seed 42: 0.91 [0.85, 0.95]); the gold
  // answer's likelihood comes back only a little (0.11 [-0.04, 0.24]: with the noise hidden the
  // copier stops copying the distractor without finding the gold), so only its sign is asserted.
  const mass = row('sft_noise_mass');
  expect(mass.n).toBe(N_TEST);
  expect(mass.recovered!).toBeGreaterThan(0.5);
  expect(mass.lo!).toBeGreaterThan(0);
  expect(row('sft_final').n).toBe(N_TEST);
  expect(row('sft_final').recovered!).toBeGreaterThan(0);
}, 300_000);

test("verdict: robust − copier on the noise effect is 'helps'; swapped, 'hurts'", async () => {
  const recs = await scoreLikelihood();
  const row = pairRow(recs, 'robust', 'copier', 'sft_final');
  const swapped = pairRow(recs, 'copier', 'robust', 'sft_final');
  console.log('robust - copier sft_final', row);
  expect(row.diff!).toBeGreaterThan(10);
  expect(row.p!).toBeLessThan(0.001);
  expect(verdict({ estimate: row.diff!, p: row.p_holm, mde: row.mde })).toBe('helps');
  expect(verdict({ estimate: swapped.diff!, p: swapped.p_holm, mde: swapped.mde })).toBe('hurts');
}, 300_000);
