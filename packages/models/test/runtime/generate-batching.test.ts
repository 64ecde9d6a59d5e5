// Batched generation semantics on both paths: left padding, per-row stop tokens, seeded sampling,
// repetition penalty wiring, the per-token callback and abort.
import path from 'node:path';
import { loadCausalLM, type CausalLM } from '../../src/causal-lm.js';
import { RepetitionPenaltyLogitsProcessor } from '../../src/generation/logits-process.js';
import { argmax } from '../../src/generation/sampling.js';
import { goldenGenerate } from '../helpers/golden-generate.js';
import { SHARED_DIR, goldenDir } from '../helpers/shared.js';

const TORCH_ONNX = path.join(SHARED_DIR, 'golden', 'torch-onnx', 'tiny-llama', 'model.onnx');
const gold = goldenGenerate('tiny-llama');

const paths = {
  present: () =>
    loadCausalLM(goldenDir('tiny-llama'), {
      decoder: 'present',
      modelPath: TORCH_ONNX,
      threads: 1,
    }),
  'external-kv': () =>
    loadCausalLM(goldenDir('tiny-llama'), {
      decoder: 'external-kv',
      weightsFrom: goldenDir('tiny-llama'),
      threads: 1,
    }),
};

describe.each(Object.keys(paths) as (keyof typeof paths)[])('%s path', (kind) => {
  let lm: CausalLM;
  beforeAll(async () => {
    lm = await paths[kind]();
  });
  afterAll(() => lm.dispose());

  it('a left-padded batch gives each prompt what it gets alone', async () => {
    const prompts = [gold.prompts[0]!, gold.prompts[1]!, [5, 99, 301, 7, 450], [42]];
    const opts = { maxNewTokens: 12, stopTokenIds: [] };
    const batched = await lm.generate(prompts, opts);
    for (let i = 0; i < prompts.length; i++) {
      const [alone] = await lm.generate([prompts[i]!], opts);
      expect(batched[i]!.tokens).toEqual(alone!.tokens);
    }
    expect(batched[1]!.tokens).toEqual(gold.ids[1]!.slice(0, 12));
  });

  it('stops each row on its stop token, pads finished rows, ends when all are done', async () => {
    // golden row 0 emits 309 as its 5th token, row 1 emits 307 as its 5th
    expect(gold.ids[0]![4]).toBe(309);
    expect(gold.ids[1]![4]).toBe(307);
    const steps: number[][] = [];
    const one = await lm.generate(gold.prompts, {
      maxNewTokens: 24,
      stopTokenIds: [309],
      padTokenId: 0,
      onToken: (_step, tokens) => steps.push([...tokens]),
    });
    expect(one[0]).toEqual({
      tokens: gold.ids[0]!.slice(0, 5),
      finishReason: 'stop',
      stoppedBy: 'eos',
    });
    expect(one[1]).toEqual({
      tokens: gold.ids[1],
      finishReason: 'length',
      stoppedBy: 'max_new_tokens',
    });
    expect(steps).toHaveLength(24);
    expect(steps.slice(5).every((t) => t[0] === 0)).toBe(true);
    expect(steps.map((t) => t[1])).toEqual(gold.ids[1]);

    const both = await lm.generate(gold.prompts, { maxNewTokens: 24, stopTokenIds: [309, 307] });
    expect(both.map((r) => [r.tokens.length, r.finishReason])).toEqual([
      [5, 'stop'],
      [5, 'stop'],
    ]);
  });

  it('applies the repetition penalty to the scores each token is chosen from', async () => {
    // golden row 1 repeats 377 at step 17 (first emitted at step 2): as a prompt, its first 17
    // tokens give the golden step-17 logits, whose argmax 377 the penalty should now avoid
    expect(gold.ids[1]![17]).toBe(377);
    const prompt = [...gold.prompts[1]!, ...gold.ids[1]!.slice(0, 17)];
    const [res] = await lm.generate([prompt], {
      maxNewTokens: 1,
      stopTokenIds: [],
      repetitionPenalty: 1.5,
    });
    const scores = gold.stepLogits[1]![17]!.slice();
    new RepetitionPenaltyLogitsProcessor(1.5).process(prompt, scores);
    expect(argmax(scores)).not.toBe(377);
    expect(res!.tokens).toEqual([argmax(scores)]);
  });

  it('seeded sampling is reproducible and per-prompt seeds ignore the batch', async () => {
    const opts = { maxNewTokens: 16, stopTokenIds: [], doSample: true, topK: 100 };
    const a = await lm.generate(gold.prompts, { ...opts, seed: 7 });
    const b = await lm.generate(gold.prompts, { ...opts, seed: 7 });
    const c = await lm.generate(gold.prompts, { ...opts, seed: 8 });
    expect(b).toEqual(a);
    expect(c.map((r) => r.tokens)).not.toEqual(a.map((r) => r.tokens));
    const alone = await lm.generate([gold.prompts[1]!], { ...opts, seed: [11] });
    const inBatch = await lm.generate(gold.prompts, { ...opts, seed: [5, 11] });
    expect(inBatch[1]!.tokens).toEqual(alone[0]!.tokens);
  });

  it('concurrent calls are queued, each getting its own result', async () => {
    const opts = { maxNewTokens: 6, stopTokenIds: [] };
    const [a, b] = await Promise.all([
      lm.generate([gold.prompts[0]!], opts),
      lm.generate([gold.prompts[1]!], opts),
    ]);
    expect(a![0]!.tokens).toEqual(gold.ids[0]!.slice(0, 6));
    expect(b![0]!.tokens).toEqual(gold.ids[1]!.slice(0, 6));
  });

  it('stops between steps when aborted', async () => {
    const ctl = new AbortController();
    const res = await lm.generate(gold.prompts, {
      maxNewTokens: 24,
      stopTokenIds: [],
      signal: ctl.signal,
      onToken: (step) => {
        if (step === 2) ctl.abort();
      },
    });
    expect(res.map((r) => [r.tokens.length, r.finishReason, r.stoppedBy])).toEqual([
      [3, 'aborted', 'aborted'],
      [3, 'aborted', 'aborted'],
    ]);
  });

  it('rejects bad prompts with a clear message', async () => {
    await expect(lm.generate([[1, 2], []], { maxNewTokens: 2 })).rejects.toThrow(
      'generate: prompt 1 is empty',
    );
    await expect(lm.generate([[1, 512]], { maxNewTokens: 2 })).rejects.toThrow(
      'generate: prompt 0 has token id 512, expected an integer in [0, 512)',
    );
  });
});

it('the external-kv graph refuses positions beyond its RoPE table', async () => {
  const lm = await loadCausalLM(goldenDir('tiny-llama'), {
    decoder: 'external-kv',
    weightsFrom: goldenDir('tiny-llama'),
    maxPositions: 20,
    threads: 1,
  });
  try {
    await expect(
      lm.generate([gold.prompts[0]!], { maxNewTokens: 8, stopTokenIds: [] }),
    ).rejects.toThrow("position 20 is beyond the decode graph's 20 positions");
  } finally {
    await lm.dispose();
  }
});
