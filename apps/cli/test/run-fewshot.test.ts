// `exp run` with lm-eval's few-shot draw (--fewshot-sampler, --fewshot-seed) and the left cut of
// prompts too long for a model's context, on the tiny preset (one or two samples: seconds).
import { describe, expect, jest, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exp, GSM8K_DIR } from './helpers.js';
import { readManifest, samples, useRunEnv } from './run-helpers.js';

jest.setTimeout(300_000);

const env = useRunEnv('cli-fewshot-');
const train = readFileSync(path.join(GSM8K_DIR, 'train.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { question: string; answer: string });
/** One lm-eval run of `model` on the first `n` clean items, with extra flags. */
const lmEval = (runId: string, model: string, n: number, ...extra: string[]) =>
  exp(
    ...['run', '--protocol', 'lm-eval', '--models', model, '--datasets', 'clean'],
    ...['--max-samples', String(n), '--skip-sft', '--skip-attention', '--skip-report'],
    ...['--run-id', runId, ...extra],
  );

describe('exp run --fewshot-seed / --fewshot-sampler', () => {
  test('--fewshot-seed 7: the task in the manifest says so, the prompt shows its draw', async () => {
    const r = await lmEval('seed-7', 'tiny-llama', 1, '--fewshot-seed', '7');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dir = path.join(env.results, 'seed-7');
    const m = readManifest(dir) as unknown as {
      task: { prompt: unknown };
      options: Record<string, unknown>;
    };
    expect(m.task.prompt).toEqual({
      template: 'kshot',
      shots: 5,
      fewshotSplit: 'train',
      fewshotSampler: 'lm-eval',
      fewshotSeed: 7,
    });
    expect(m.options.fewshotSeed).toBe(7);
    // CPython: random.Random(7).sample(range(7473), 5) == [2652, 1235, 3234, 5332, 395]
    const [s] = samples(dir, 'tiny-llama', 'clean');
    const shots = [2652, 1235, 3234, 5332, 395].map(
      (i) => `Question: ${train[i]!.question}\nAnswer: ${train[i]!.answer}\n\n`,
    );
    expect((s!.prompt as string).startsWith(shots.join(''))).toBe(true);
    expect(r.out).not.toMatch(/prompts cut/);
  });

  test("prompts longer than the model's context minus 256 new tokens are cut and said", async () => {
    // The tiny preset stating a context of 300 positions: 44 prompt tokens are kept.
    const ckpt = path.join(env.root, 'short-ckpt');
    expect((await exp('models', 'init', '--preset', 'tiny-llama', '--out', ckpt)).code).toBe(0);
    const file = path.join(ckpt, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), max_position_embeddings: 300 }),
    );
    const r = await lmEval('short', ckpt, 2);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').filter((l) => l.includes('prompts cut'));
    expect(lines).toEqual([
      "zero-shot: short-ckpt clean: 2 of 2 prompts cut from the left to fit the model's context (its last max_position_embeddings - 256 tokens kept, as lm-eval does)",
    ]);
    const s = samples(path.join(env.results, 'short'), 'short-ckpt', 'clean');
    expect(s.map((x) => x.prompt_tokens)).toEqual([44, 44]);
  });

  test.each([
    [
      ['--fewshot-sampler', 'random'],
      /^error: --fewshot-sampler: expected one of lm-eval, per-item, got "random"$/,
    ],
    [['--fewshot-seed', '1.5'], /^error: --fewshot-seed: expected an integer/],
    [
      ['--fewshot-seed', '3'],
      /^error: --fewshot-seed: task 'seed': the 'bare' prompt has no shots, so a few-shot seed does nothing/,
    ],
    [
      ['--protocol', 'lm-eval', '--prompt', 'qa', '--fewshot-sampler', 'per-item'],
      /^error: --fewshot-sampler: task 'lm-eval\+qa': the 'qa' prompt has no shots/,
    ],
  ])('%j: exit 2, one line', async (args, message) => {
    const r = await exp('run', ...args);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
  });
});
