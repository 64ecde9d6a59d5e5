// runEvaluation on a real (tiny, seeded) exported model: sample logs, resume, abort, batch
// invariance of the logged completions, and the table built from the logs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadGsm8kFile, type Problem } from '@exp/data';
import {
  exportCheckpoint,
  initPreset,
  loadCausalLM,
  loadTokenizer,
  type CausalLM,
  type HfTokenizer,
} from '@exp/models';
import { runEvaluation, sampleLogPath, type EvalModel } from '../../src/run/run-evaluation.js';
import { readSampleLog } from '../../src/samples/log.js';
import { builtinTask } from '../../src/task/builtin.js';
import { renderPrompts } from '../../src/task/prompt.js';
import { TaskSchema, type Task } from '../../src/task/schema.js';

const SHARED_DIR =
  process.env.EXP_SHARED_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared');
const problems: Problem[] = loadGsm8kFile(
  path.join(SHARED_DIR, 'data/gsm8k/test.jsonl'),
  'gsm8k-test',
).slice(0, 6);
// a noisy copy with the same ids, as the noise package writes them
const noisy: Problem[] = problems.map((p) => ({
  ...p,
  question: `${p.question} The sky is blue.`,
}));

/** Token counts of the 6 problems' bare prompts (BOS included). */
const FULL_LENGTHS = [65, 27, 50, 35, 109, 55];

/** The seed protocol with few new tokens, so the test is quick. */
const task: Task = TaskSchema.parse({
  ...builtinTask('seed'),
  name: 'seed-short',
  generation: { maxNewTokens: 12, repetitionPenalty: 1.1 },
});

let tmp: string;
let lm: CausalLM;
let tokenizer: HfTokenizer;
let model: EvalModel;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'eval-run-'));
  await initPreset('tiny-llama', path.join(tmp, 'ckpt'));
  await exportCheckpoint(path.join(tmp, 'ckpt'), path.join(tmp, 'model'));
  lm = await loadCausalLM(path.join(tmp, 'model'), { threads: 1 });
  tokenizer = await loadTokenizer(path.join(tmp, 'model'));
  model = { name: 'tiny-llama', lm, tokenizer };
});
afterAll(async () => {
  await lm.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const datasets = [
  { name: 'clean', problems },
  { name: 'inf', problems: noisy },
];

describe('runEvaluation', () => {
  test('logs one line per sample with every field, and the table counts them', async () => {
    const outDir = path.join(tmp, 'run-a');
    const res = await runEvaluation({
      models: [model],
      datasets,
      task,
      maxSamples: 4,
      outDir,
      batchSize: 3,
    });
    expect(res.aborted).toBe(false);
    expect(res.samples).toHaveLength(8);
    // the log is in the order rows finished; each line knows its item
    const lines = readSampleLog(sampleLogPath(outDir, 'tiny-llama', 'clean'));
    const byIndex = [...lines].sort((x, y) => x.index - y.index);
    expect(byIndex.map((l) => l.id)).toEqual(problems.slice(0, 4).map((p) => p.id));
    expect(res.samples.slice(0, 4).map((s) => s.id)).toEqual(byIndex.map((l) => l.id));
    const first = byIndex[0]!;
    expect(first.run).toBe('run-a');
    expect(first.prompt).toBe(problems[0]!.question);
    expect(first.gold).toBe('18');
    expect(Object.keys(first.answers).sort()).toEqual(['seed', 'strict']);
    expect(first.new_tokens).toBeGreaterThan(0);
    expect(first.new_tokens).toBeLessThanOrEqual(12);
    expect(first.prompt_tokens).toBe(tokenizer.encode(problems[0]!.question).ids.length);
    expect(['eos', 'max_new_tokens']).toContain(first.stop_reason);
    // the completion is the decoded new tokens
    expect(first.completion.length).toBeGreaterThan(0);
    const clean = res.rows.filter((r) => r.dataset === 'clean' && r.extractor === 'strict');
    expect(clean).toHaveLength(1);
    expect(clean[0]!.total).toBe(4);
    expect(res.rows.map((r) => r.extractor)).toEqual(['seed', 'seed', 'strict', 'strict']);
  });

  test('completions do not depend on the batch size (1 vs 4), nor on resuming', async () => {
    const a = await runEvaluation({
      models: [model],
      datasets,
      task,
      maxSamples: 6,
      outDir: path.join(tmp, 'b1'),
      batchSize: 1,
    });
    const b = await runEvaluation({
      models: [model],
      datasets,
      task,
      maxSamples: 6,
      outDir: path.join(tmp, 'b4'),
      batchSize: 4,
    });
    const strip = (s: (typeof a.samples)[number]) => ({ ...s, run: '', ms: 0 });
    expect(b.samples.map(strip)).toEqual(a.samples.map(strip));
    expect(b.rows).toEqual(a.rows);
  });

  test('an aborted run keeps what finished; the rerun completes it without duplicates', async () => {
    const outDir = path.join(tmp, 'resume');
    const ctl = new AbortController();
    let seen = 0;
    const first = await runEvaluation({
      models: [model],
      datasets,
      task,
      maxSamples: 6,
      outDir,
      batchSize: 2,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.event === 'sample' && ++seen === 3) ctl.abort();
      },
    });
    expect(first.aborted).toBe(true);
    const file = sampleLogPath(outDir, 'tiny-llama', 'clean');
    const partial = readSampleLog(file);
    expect(partial.length).toBeGreaterThanOrEqual(3);
    expect(partial.length).toBeLessThan(6);

    const events: string[] = [];
    const second = await runEvaluation({
      models: [model],
      datasets,
      task,
      maxSamples: 6,
      outDir,
      batchSize: 2,
      onProgress: (p) => {
        if (p.event !== 'sample') events.push(`${p.dataset}:${p.event}:${p.resumed}`);
      },
    });
    expect(second.aborted).toBe(false);
    expect(events).toEqual([
      `clean:start:${partial.length}`,
      `clean:end:${partial.length}`,
      'inf:start:0',
      'inf:end:0',
    ]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(new Set(lines.map((l) => JSON.parse(l).id)).size).toBe(6);
    const uninterrupted = await runEvaluation({
      models: [model],
      datasets,
      task,
      maxSamples: 6,
      outDir: path.join(tmp, 'whole'),
      batchSize: 2,
    });
    expect(second.rows).toEqual(uninterrupted.rows);
  });

  test('lm-eval sampler: a resumed run shows each item the shots of its position', async () => {
    const train = loadGsm8kFile(path.join(SHARED_DIR, 'data/gsm8k/train.jsonl'), 'gsm8k-train');
    const lmEval: Task = TaskSchema.parse({
      ...builtinTask('lm-eval'),
      generation: { maxNewTokens: 2, repetitionPenalty: 1 },
    });
    const outDir = path.join(tmp, 'lm-eval-resume');
    const ctl = new AbortController();
    const run = (signal?: AbortSignal) =>
      runEvaluation({
        models: [model],
        datasets: [{ name: 'clean', problems }],
        task: lmEval,
        maxSamples: 3,
        outDir,
        batchSize: 1,
        fewshot: train,
        signal,
        onProgress: (p) => {
          if (p.event === 'sample') ctl.abort();
        },
      });
    expect((await run(ctl.signal)).aborted).toBe(true);
    expect(readSampleLog(sampleLogPath(outDir, 'tiny-llama', 'clean'))).toHaveLength(1);
    const second = await run();
    expect(second.aborted).toBe(false);
    const expected = renderPrompts(lmEval, problems.slice(0, 3), { fewshot: train, seed: 0 });
    expect(second.samples.map((s) => [s.index, s.prompt])).toEqual(expected.map((p, i) => [i, p]));
    // doc 0's first shot is GSM8K train item 6374, as lm-eval draws it
    expect(expected[0]!.startsWith(`Question: ${train[6374]!.question}\nAnswer: `)).toBe(true);
    expect(second.truncated).toEqual({ 'tiny-llama': { clean: 0 } });
  });

  test("prompts too long for the model's context are cut from the left, as lm-eval does", async () => {
    // The same weights stating a context of 40 positions: 40 - 12 new tokens leaves 28.
    const ckpt = path.join(tmp, 'ckpt-short');
    const shortDir = path.join(tmp, 'model-short');
    cpSync(path.join(tmp, 'ckpt'), ckpt, { recursive: true });
    const configFile = path.join(ckpt, 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    writeFileSync(configFile, JSON.stringify({ ...config, max_position_embeddings: 40 }));
    await exportCheckpoint(ckpt, shortDir);
    const short = await loadCausalLM(shortDir, { threads: 1 });
    try {
      const res = await runEvaluation({
        models: [{ name: 'short', lm: short, tokenizer }],
        datasets: [{ name: 'clean', problems }],
        task,
        maxSamples: 6,
        outDir: path.join(tmp, 'short'),
        batchSize: 3,
      });
      const full = problems.map((p) => tokenizer.encode(p.question).ids);
      expect(full.map((ids) => ids.length)).toEqual(FULL_LENGTHS);
      expect(res.truncated).toEqual({ short: { clean: 5 } }); // all but the 27-token one
      expect(res.samples.map((s) => [s.prompt_tokens, s.truncated_tokens])).toEqual(
        full.map((ids) => [Math.min(ids.length, 28), Math.max(ids.length - 28, 0)]),
      );
      // what was generated is the full-context model's completion of the kept last 28 tokens
      const kept = full.map((ids) => ids.slice(-28));
      const direct = await lm.generate(kept, { maxNewTokens: 12, repetitionPenalty: 1.1 });
      expect(res.samples.map((s) => s.completion)).toEqual(
        direct.map((r) => tokenizer.decode(r.tokens, { skipSpecialTokens: true })),
      );
      const tooSmall = TaskSchema.parse({ ...task, generation: { maxNewTokens: 40 } });
      await expect(
        runEvaluation({
          models: [{ name: 'short', lm: short, tokenizer }],
          datasets: [{ name: 'clean', problems }],
          task: tooSmall,
          outDir: path.join(tmp, 'short-none'),
        }),
      ).rejects.toThrow(
        "task 'seed-short': generation.maxNewTokens 40 leaves no room for a prompt in short's context of 40 positions",
      );
    } finally {
      await short.dispose();
    }
  });

  test('unknown extractors fail before any generation', async () => {
    const bad = { ...task, extractors: ['nope'] };
    await expect(
      runEvaluation({ models: [model], datasets, task: bad, outDir: path.join(tmp, 'bad') }),
    ).rejects.toThrow(/nope/);
  });
});

describe('decoding completions', () => {
  // A model that "generates" the same tokens for every prompt: the ids of text whose spaces
  // transformers 4's clean-up removes and transformers 5 keeps.
  const TEXT = 'So she earns $1 ,000 . The answer is 1 ,000 .';
  const fixed = (ids: number[]): EvalModel => ({
    name: 'fixed',
    tokenizer,
    lm: {
      config: lm.config,
      async *generateStream(prompts: readonly (readonly number[])[]) {
        for (let index = 0; index < prompts.length; index++) {
          yield {
            index,
            result: { tokens: ids, finishReason: 'length', stoppedBy: 'max_new_tokens' },
          };
        }
      },
    } as unknown as CausalLM,
  });
  const gold = problems.slice(0, 2).map((p) => ({ ...p, final: '1000' }));

  test.each([
    [false, TEXT, '0'], // as transformers 5: "1 ,000" is 1 then 000
    [true, 'So she earns $1,000. The answer is 1,000.', '1000'],
  ])('decodeCleanup %s', async (decodeCleanup, completion, strict) => {
    const ids = tokenizer.encode(TEXT, { addSpecialTokens: false }).ids;
    const res = await runEvaluation({
      models: [fixed(ids)],
      datasets: [{ name: 'clean', problems: gold }],
      task,
      outDir: path.join(tmp, `decode-${decodeCleanup}`),
      decodeCleanup,
    });
    expect(res.samples.map((s) => [s.completion, s.predicted_strict])).toEqual([
      [completion, strict],
      [completion, strict],
    ]);
  });
});
