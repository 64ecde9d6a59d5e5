// Greedy decoding with the repetition penalty on the fast path: the decode graph applies HF's
// penalty to the last position's logits and returns only the argmax (no [B, V] row crosses into
// JS). Its ids must be those of the JS path (processor on the fetched logits), token for token,
// alone, in a static batch and with rows joining a running batch; penalty 1 must give plain
// greedy's ids. Golden checkpoints and the tiny presets (128k vocabulary), exported.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRng } from '@exp/data';
import { loadCausalLM, type CausalLM } from '../../src/causal-lm.js';
import {
  RepetitionPenaltyLogitsProcessor,
  type LogitsProcessor,
} from '../../src/generation/logits-process.js';
import type { GenerationResult } from '../../src/generation/scheduler.js';
import type { StepDecoder, Want } from '../../src/runtime/step-decoder.js';
import { EXPORTED_CASES, exportCase } from '../helpers/exported-cases.js';

const LENGTHS = [3, 17, 9, 30, 5, 12, 40];
const MAX_NEW = 24;
/** A processor that changes nothing: with it the scheduler must fetch logits (the JS path). */
const noop: LogitsProcessor = { process: () => undefined };

function promptsFor(vocab: number): number[][] {
  const rng = createRng(5);
  return LENGTHS.map((n, i) =>
    // some prompts repeat ids (duplicates in the penalised set must not matter)
    Array.from({ length: n }, (_, j) =>
      i % 2 && j % 3 === 2 ? 7 : 3 + Math.floor(rng.next() * (vocab - 3)),
    ),
  );
}

/** Counts the decoder calls by the kind of output asked for. */
function countWants(lm: CausalLM): Record<string, number> {
  const decoder = (lm as unknown as { decoder: StepDecoder }).decoder;
  const counts: Record<string, number> = {};
  const kind = (w: Want) => (typeof w === 'string' ? w : 'penalized');
  for (const m of ['prefill', 'step'] as const) {
    const original = decoder[m].bind(decoder) as (...a: unknown[]) => unknown;
    (decoder as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
      const k = kind(a[a.length - 1] as Want);
      counts[k] = (counts[k] ?? 0) + 1;
      return original(...a);
    };
  }
  return counts;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-penalized-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(EXPORTED_CASES)('$name', (c) => {
  let lm: CausalLM;
  let counts: Record<string, number>;
  const prompts = promptsFor(c.vocab);
  beforeAll(async () => {
    const dir = await exportCase(c, tmp);
    lm = await loadCausalLM(dir, { threads: 1, decoder: 'external-kv' });
    counts = countWants(lm);
  });
  afterAll(async () => {
    await lm?.dispose();
  });
  beforeEach(() => {
    for (const k of Object.keys(counts)) delete counts[k];
  });

  it.each([1.1, 1.5])('penalty %s: in-graph = JS processor, alone, batched, joining', async (p) => {
    const base = { maxNewTokens: MAX_NEW, repetitionPenalty: p, stopTokenIds: [] };
    const js = await lm.generate(prompts, { ...base, logitsProcessors: [noop] });
    expect(counts).toEqual({ logits: expect.any(Number) as number });
    delete counts.logits;

    const batch = await lm.generate(prompts, base);
    const alone: GenerationResult[] = [];
    for (const q of prompts) alone.push((await lm.generate([q], base))[0]!);
    const streamed: GenerationResult[] = new Array(prompts.length);
    for await (const { index, result } of lm.generateStream(prompts, { ...base, batchSize: 3 })) {
      streamed[index] = result;
    }
    expect(Object.keys(counts)).toEqual(['penalized']);
    expect(batch).toEqual(js);
    expect(alone).toEqual(js);
    expect(streamed).toEqual(js);
    // the penalty changed something (else the comparison would prove little)
    const plain = await lm.generate(prompts, { maxNewTokens: MAX_NEW, stopTokenIds: [] });
    expect(plain).not.toEqual(js);
  });

  it('penalty 1 in the graph gives plain greedy ids', async () => {
    const base = { maxNewTokens: MAX_NEW, stopTokenIds: [] };
    const one = await lm.generate(prompts, {
      ...base,
      logitsProcessors: [new RepetitionPenaltyLogitsProcessor(1)],
    });
    expect(counts).toEqual({ penalized: expect.any(Number) as number });
    expect(one).toEqual(await lm.generate(prompts, base));
  });
});
