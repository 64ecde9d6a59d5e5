// generateStream(): results as rows finish, refilled slots, abort, per-prompt seeds, progress,
// stop strings through the loop; on both generation paths of an exported golden checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCausalLM, type CausalLM } from '../../src/causal-lm.js';
import { exportCheckpoint } from '../../src/export.js';
import type { GenerationResult } from '../../src/generation/scheduler.js';
import {
  PerPromptMaxNewTokensCriteria,
  StopStringCriteria,
} from '../../src/generation/stopping-criteria.js';
import { lengthOrder, type StreamGenerateOptions } from '../../src/generation/stream.js';
import { goldenDir } from '../helpers/shared.js';

const PROMPTS = [
  [5, 9, 77],
  [300, 12],
  [40, 41, 42, 43, 44, 45, 46],
  [8],
  [100, 200, 300, 400],
  [7, 7],
];

/** Each id decodes to `<id>`, so a stop string made of two pieces straddles two tokens. */
const tokenizer = { decode: (ids: readonly number[]) => ids.map((i) => `<${i}>`).join('') };

async function collect(lm: CausalLM, prompts: number[][], opts: StreamGenerateOptions) {
  const out: { index: number; result: GenerationResult }[] = [];
  for await (const f of lm.generateStream(prompts, opts)) out.push(f);
  return out;
}

it('lengthOrder sorts longest first inside each window, keeping ties in order', () => {
  const p = [[1], [1, 2, 3], [1, 2], [1, 2, 3], [1], [1, 2, 3, 4]];
  expect(lengthOrder(p, 4)).toEqual([1, 3, 2, 0, 5, 4]);
  expect(lengthOrder(p, 100)).toEqual([5, 1, 3, 2, 0, 4]);
  expect(lengthOrder(p, 1)).toEqual([0, 1, 2, 3, 4, 5]);
});

let tmp: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-stream-'));
  await exportCheckpoint(goldenDir('tiny-llama'), tmp);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(['external-kv', 'present'] as const)('%s path', (decoder) => {
  let lm: CausalLM;
  beforeAll(async () => {
    lm = await loadCausalLM(tmp, { threads: 1, decoder });
  });
  afterAll(() => lm.dispose());

  it('refuses a bad batchSize or sortWindow in one line', async () => {
    await expect(collect(lm, PROMPTS, { maxNewTokens: 2, batchSize: 0 })).rejects.toThrow(
      'generateStream: batchSize must be a positive integer, got 0',
    );
    await expect(
      collect(lm, PROMPTS, { maxNewTokens: 2, batchSize: 2, sortWindow: 1.5 }),
    ).rejects.toThrow('generateStream: sortWindow must be a positive integer, got 1.5');
    await expect(
      collect(lm, PROMPTS, { maxNewTokens: 2, batchSize: 2, prefillGroup: 0 }),
    ).rejects.toThrow('generateStream: prefillGroup must be a positive integer, got 0');
  });

  it('reports progress and yields every prompt once', async () => {
    const progress: { generatedTokens: number; finished: number; total: number }[] = [];
    const out = await collect(lm, PROMPTS, {
      maxNewTokens: 5,
      stopTokenIds: [],
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(out.map((f) => f.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out.every((f) => f.result.tokens.length === 5)).toBe(true);
    expect(progress.at(-1)).toEqual({ generatedTokens: 30, finished: 6, total: 6 });
    // 2 rows, 5 tokens each, 6 prompts: a pair finishes every 4 steps, because the prompts that
    // take the freed rows are prefilled (their first token) within the same step
    expect(progress.map((p) => p.finished)).toEqual([0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6]);
  });

  it('stops on a stop string that straddles tokens and names it', async () => {
    const [free] = await lm.generate([PROMPTS[2]!], { maxNewTokens: 12, stopTokenIds: [] });
    const t = free!.tokens;
    const stop = `${t[5]}><${t[6]}`; // the end of piece 5 and the start of piece 6
    const stoppingCriteria = [new StopStringCriteria([stop], tokenizer)];
    const opts = { maxNewTokens: 12, stopTokenIds: [], stoppingCriteria };
    const expectedLength =
      t.findIndex((_, i) => tokenizer.decode(t.slice(0, i + 1)).includes(stop)) + 1;
    expect(expectedLength).toBeGreaterThan(1);
    expect(expectedLength).toBeLessThanOrEqual(7);
    const want = {
      tokens: t.slice(0, expectedLength),
      finishReason: 'stop',
      stoppedBy: 'stop_string',
      stopString: stop,
    };
    const [alone] = await lm.generate([PROMPTS[2]!], opts);
    expect(alone).toEqual(want);
    const out = await collect(lm, PROMPTS, { ...opts, batchSize: 3 });
    expect(out.find((f) => f.index === 2)!.result).toEqual(want);
  });

  it('criteria get the prompt index: per-prompt lengths in generate() and generateStream()', async () => {
    const limits = [3, 1, 6, 2, 5, 4];
    const opts = {
      maxNewTokens: 10,
      stopTokenIds: [],
      stoppingCriteria: [new PerPromptMaxNewTokensCriteria(limits)],
    };
    const full = await lm.generate(PROMPTS, { maxNewTokens: 6, stopTokenIds: [] });
    const want = full.map((r, i) => r.tokens.slice(0, limits[i]));
    const statics = await lm.generate(PROMPTS, opts);
    expect(statics.map((r) => r.tokens)).toEqual(want);
    expect(statics.every((r) => r.stoppedBy === 'max_new_tokens')).toBe(true);
    // rows refill in length order, so slot and prompt index differ: the index must be the prompt's
    const out = await collect(lm, PROMPTS, { ...opts, batchSize: 2 });
    expect(out.sort((p, q) => p.index - q.index).map((f) => f.result.tokens)).toEqual(want);
    // rows waiting for a second free one, then joining in one packed prefill: the same tokens
    let steps = 0;
    const grouped = await collect(lm, PROMPTS, {
      ...opts,
      batchSize: 4,
      prefillGroup: 2,
      onProgress: () => steps++,
    });
    expect(grouped.sort((p, q) => p.index - q.index).map((f) => f.result.tokens)).toEqual(want);
    const ungrouped = await collect(lm, PROMPTS, { ...opts, batchSize: 4, prefillGroup: 1 });
    expect(ungrouped.sort((p, q) => p.index - q.index).map((f) => f.result.tokens)).toEqual(want);
    expect(steps).toBeGreaterThan(0);
  });

  it('per-prompt seeds make samples independent of the schedule', async () => {
    const seed = PROMPTS.map((_, i) => 100 + i);
    const opts = { maxNewTokens: 8, stopTokenIds: [], doSample: true, topK: 50 };
    const out = await collect(lm, PROMPTS, { ...opts, seed, batchSize: 4 });
    for (const { index, result } of out) {
      const [alone] = await lm.generate([PROMPTS[index]!], { ...opts, seed: [seed[index]!] });
      expect(result.tokens).toEqual(alone!.tokens);
    }
    // one seed for all: prompt i draws from its own stream, whatever its slot
    const a = await collect(lm, PROMPTS, { ...opts, seed: 3, batchSize: 2 });
    const b = await collect(lm, PROMPTS, { ...opts, seed: 3, batchSize: 5, sortWindow: 1 });
    const byIndex = (x: typeof a) => x.sort((p, q) => p.index - q.index).map((f) => f.result);
    expect(byIndex(a)).toEqual(byIndex(b));
  });

  it('abort yields the rows in flight as aborted and starts no new prompt', async () => {
    const ctl = new AbortController();
    const out: { index: number; result: GenerationResult }[] = [];
    let steps = 0;
    for await (const f of lm.generateStream(PROMPTS, {
      maxNewTokens: 6,
      stopTokenIds: [],
      batchSize: 2,
      signal: ctl.signal,
      onProgress: () => {
        if (++steps === 3) ctl.abort();
      },
    })) {
      out.push(f);
    }
    expect(
      out.map((f) => [f.result.tokens.length, f.result.finishReason, f.result.stoppedBy]),
    ).toEqual([
      [3, 'aborted', 'aborted'],
      [3, 'aborted', 'aborted'],
    ]);
    // the two longest prompts (sorted first) were the ones running
    expect(out.map((f) => f.index).sort()).toEqual([2, 4]);
    // the model is free again afterwards
    const [r] = await lm.generate([PROMPTS[0]!], { maxNewTokens: 2, stopTokenIds: [] });
    expect(r!.tokens).toHaveLength(2);
  });
});
