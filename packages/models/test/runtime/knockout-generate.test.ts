// Generation with attention knockout: the spans stay blocked through the KV cache. Greedy ids and
// logits equal a full recompute by forward({ knockout }) at every step, on both generation paths
// (external-kv built with `knockout`, present on a model.onnx exported with it), and completions
// are batch invariant (alone = static batch = joining a running batch, logits bit for bit), on
// the golden checkpoints and the tiny presets.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRng } from '@exp/data';
import { loadCausalLM, type CausalLM } from '../../src/causal-lm.js';
import { exportCheckpoint } from '../../src/export.js';
import { initPreset } from '../../src/init/presets.js';
import type { GenerationResult } from '../../src/generation/scheduler.js';
import { goldenDir } from '../helpers/shared.js';
import { pickStops } from '../helpers/stop-ids.js';

const LENGTHS = [3, 17, 9, 30, 5, 12, 40];
const MAX_NEW = 8;

function promptsFor(vocab: number): number[][] {
  const rng = createRng(23);
  return LENGTHS.map((n) =>
    Array.from({ length: n }, () => 3 + Math.floor(rng.next() * (vocab - 3))),
  );
}

/** One span in the middle of each prompt, two in the longest. */
function spansFor(prompts: number[][]): [number, number][][] {
  return prompts.map((p) => {
    const n = p.length;
    if (n >= 40)
      return [
        [5, 12],
        [20, 26],
      ];
    return [[Math.floor(n / 4), Math.max(Math.floor(n / 4) + 1, Math.floor(n / 2))]];
  });
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

const hash = (a: Float32Array) =>
  createHash('sha1')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-knockout-gen-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// the recompute check on the golden checkpoints; batch invariance on the presets too
const CASES = [
  { name: 'golden tiny-llama', model: 'tiny-llama', golden: true, vocab: 512, fromLayer: 0 },
  {
    name: 'golden tiny-diffllama',
    model: 'tiny-diffllama',
    golden: true,
    vocab: 512,
    fromLayer: 1,
  },
  { name: 'preset tiny-llama', model: 'tiny-llama', golden: false, vocab: 128256, fromLayer: 1 },
  {
    name: 'preset tiny-diffllama',
    model: 'tiny-diffllama',
    golden: false,
    vocab: 128256,
    fromLayer: 0,
  },
] as const;

describe.each(CASES)('$name, knockout from layer $fromLayer', (c) => {
  const { model, fromLayer } = c;
  const lms: Partial<Record<'external-kv' | 'present', CausalLM>> = {};
  const prompts = promptsFor(c.vocab);
  const spans = spansFor(prompts);
  const knockout = { spans, fromLayer };
  beforeAll(async () => {
    let ckpt: string = goldenDir(model);
    if (!c.golden) {
      ckpt = path.join(tmp, `${c.name}-ckpt`);
      await initPreset(model, ckpt);
    }
    const dir = path.join(tmp, c.name);
    await exportCheckpoint(ckpt, dir, { knockout: true });
    lms['external-kv'] = await loadCausalLM(dir, {
      threads: 1,
      decoder: 'external-kv',
      knockout: true,
    });
    lms.present = await loadCausalLM(dir, { threads: 1, decoder: 'present' });
  });
  afterAll(async () => {
    for (const lm of Object.values(lms)) await lm?.dispose();
  });

  // the recompute check on the golden checkpoints (small vocabulary: fast)
  if (c.golden) {
    it.each(['external-kv', 'present'] as const)(
      '%s: greedy ids and logits = forward({ knockout }) recomputed at every step',
      async (kind) => {
        const lm = lms[kind]!;
        expect(lm.generationPath).toBe(kind);
        let worst = 0;
        let moved = 0;
        for (const [i, p] of prompts.entries()) {
          const steps: Float32Array[] = [];
          const [r] = await lm.generate([p], {
            maxNewTokens: MAX_NEW,
            stopTokenIds: [],
            knockout: { spans: [spans[i]!], fromLayer },
            onStepLogits: (_, _step, logits) => steps.push(logits.slice()),
          });
          expect(r!.tokens).toHaveLength(MAX_NEW);
          const ids = [...p];
          for (let s = 0; s < MAX_NEW; s++) {
            const input = { inputIds: [ids] };
            const ko = await lms.present!.forward({
              ...input,
              knockout: { spans: [spans[i]!], fromLayer },
            });
            const vocab = ko.logits.dims[2]!;
            const last = ko.logits.data.subarray((ids.length - 1) * vocab, ids.length * vocab);
            for (let v = 0; v < vocab; v++)
              worst = Math.max(worst, Math.abs(last[v]! - steps[s]![v]!));
            expect(r!.tokens[s]).toBe(argmax(last));
            if (s === 0) {
              const plain = await lms.present!.forward(input);
              const row = plain.logits.data.subarray((ids.length - 1) * vocab, ids.length * vocab);
              for (let v = 0; v < vocab; v++) moved = Math.max(moved, Math.abs(row[v]! - last[v]!));
            }
            ids.push(r!.tokens[s]!);
          }
        }
        console.log(`${model} ${kind}: max |generate - forward| ${worst}, knockout moved ${moved}`);
        expect(worst).toBeLessThanOrEqual(1e-5);
        expect(moved).toBeGreaterThan(1e-2);
      },
    );
  }

  it.each(['external-kv', 'present'] as const)(
    '%s: alone = static batch = joining a running batch, bit for bit',
    async (kind) => {
      const lm = lms[kind]!;
      const base = { maxNewTokens: 12, repetitionPenalty: 1.1 };
      const free = await lm.generate(prompts, { ...base, stopTokenIds: [], knockout });
      // rows stop at different steps, so that prompts join a running batch
      const opts = { ...base, stopTokenIds: pickStops(free.map((r) => r.tokens)) };
      const seen = new Map<string, string>();
      const alone: GenerationResult[] = [];
      for (const [i, p] of prompts.entries()) {
        const [r] = await lm.generate([p], {
          ...opts,
          knockout: { spans: [spans[i]!], fromLayer },
          onStepLogits: (_, step, logits) => seen.set(`${i}:${step}`, hash(logits)),
        });
        alone.push(r!);
      }
      expect(new Set(alone.map((r) => r.tokens.length)).size).toBeGreaterThanOrEqual(3);
      let differing = 0;
      const check = (index: number, step: number, logits: Float32Array) => {
        if (seen.get(`${index}:${step}`) !== hash(logits)) differing++;
      };
      expect(await lm.generate(prompts, { ...opts, knockout, onStepLogits: check })).toEqual(alone);
      const streamed: GenerationResult[] = new Array(prompts.length);
      for await (const { index, result } of lm.generateStream(prompts, {
        ...opts,
        knockout,
        batchSize: 3,
        onStepLogits: check,
      })) {
        streamed[index] = result;
      }
      expect(streamed).toEqual(alone);
      expect(differing).toBe(0);
    },
  );
});

it('a decoder without knockout inputs refuses knockout generation', async () => {
  const dir = path.join(tmp, 'plain');
  await exportCheckpoint(goldenDir('tiny-llama'), dir);
  const lm = await loadCausalLM(dir, { threads: 1 });
  try {
    await expect(
      lm.generate([[1, 2, 3]], { maxNewTokens: 2, knockout: { spans: [[[0, 1]]] } }),
    ).rejects.toThrow('generate: knockout needs a decoder with knockout inputs');
  } finally {
    await lm.dispose();
  }
});

it("external-kv built with knockout, none asked: the plain graph's logits, bit for bit", async () => {
  const dir = path.join(tmp, 'plain-vs-knockout');
  await exportCheckpoint(goldenDir('tiny-diffllama'), dir);
  const prompts = promptsFor(512);
  const logits = async (knockout: boolean) => {
    const lm = await loadCausalLM(dir, { threads: 1, decoder: 'external-kv', knockout });
    const seen: string[] = [];
    try {
      const r = await lm.generate(prompts, {
        maxNewTokens: 6,
        onStepLogits: (i, step, l) => seen.push(`${i}:${step}:${hash(l)}`),
      });
      return { r, seen };
    } finally {
      await lm.dispose();
    }
  };
  const plain = await logits(false);
  expect(await logits(true)).toEqual(plain);
  expect(plain.seen.length).toBeGreaterThanOrEqual(prompts.length);
});
