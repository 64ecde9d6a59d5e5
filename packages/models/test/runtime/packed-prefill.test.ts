// Packed prefill: several prompts of different lengths in one call (right-padded rows, causal
// mask and positions per row) give each prompt, bit for bit, the logits of its own prefill and
// the same keys/values (the next step's logits are compared too). Golden Llama and DiffLlama, on
// the fast decode graph and on the exported model.onnx; and a model of the real models' width
// (hidden 1024, 16/4 heads of 64, MLP 4096; 2 layers, small vocabulary) on the fast graph.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRng } from '@exp/data';
import { openCheckpoint } from '../../src/checkpoint.js';
import { loadModelConfig } from '../../src/config.js';
import { exportCheckpoint } from '../../src/export.js';
import { PRESET_CONFIGS } from '../../src/init/presets.js';
import { initRandomCheckpoint } from '../../src/init/random-checkpoint.js';
import { externalKvDecoder, presentDecoder } from '../../src/runtime/cached-decoder.js';
import { buildLlamaDecoderGraph } from '../../src/runtime/decoder-graph.js';
import { createSession } from '../../src/runtime/session.js';
import type { StepDecoder } from '../../src/runtime/step-decoder.js';
import { goldenDir } from '../helpers/shared.js';

// around the 32-slot chunk edges, and a prompt longer than two chunks
const LENGTHS = [1, 5, 31, 32, 33, 47, 64, 70];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-packed-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Model = 'tiny-llama' | 'tiny-diffllama' | 'wide-llama' | 'wide-diffllama';

/** The real models' width and heads, 2 layers, vocabulary 2048 (random weights). */
async function wideCheckpoint(model: 'wide-llama' | 'wide-diffllama'): Promise<string> {
  const dir = path.join(tmp, `${model}-ckpt`);
  const preset = PRESET_CONFIGS[model === 'wide-llama' ? 'tiny-llama' : 'tiny-diffllama'];
  await initRandomCheckpoint(
    dir,
    {
      ...preset,
      vocab_size: 2048,
      hidden_size: 1024,
      intermediate_size: 4096,
      num_hidden_layers: 2,
      num_attention_heads: 16,
      num_key_value_heads: 4,
      head_dim: 64,
    },
    { tokenizerDir: false },
  );
  return dir;
}

/** The decoder of `path` for `model`, and what releases it. */
async function decoderOf(model: Model, which: string) {
  const ckpt =
    model === 'wide-llama' || model === 'wide-diffllama'
      ? await wideCheckpoint(model)
      : goldenDir(model);
  const config = loadModelConfig(ckpt);
  const kv = { layers: config.numLayers, kvHeads: config.numKvHeads, headDim: config.headDim };
  if (which === 'external-kv') {
    const c = openCheckpoint(ckpt);
    const bytes = buildLlamaDecoderGraph(config, (n) => c.readFloat32(n), {
      kvIo: 'external',
      lastTokenLogits: true,
      maxPositions: 256,
      penalizedArgmax: true,
    });
    c.close();
    const decoder = externalKvDecoder(await createSession(bytes, { threads: 2 }), kv, 256);
    return { vocab: config.vocabSize, decoder, release: () => decoder.release() };
  }
  const dir = path.join(tmp, model);
  await exportCheckpoint(ckpt, dir);
  const session = await createSession(path.join(dir, 'model.onnx'), { threads: 2 });
  const decoder: StepDecoder = presentDecoder(session, kv);
  return { vocab: config.vocabSize, decoder, release: () => session.release() };
}

const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

const CASES: [Model, string][] = [
  ['tiny-llama', 'external-kv'],
  ['tiny-llama', 'present'],
  ['tiny-diffllama', 'external-kv'],
  ['tiny-diffllama', 'present'],
  ['wide-llama', 'external-kv'],
  ['wide-diffllama', 'external-kv'],
];

describe('packed prefill', () => {
  test.each(CASES)(
    '%s: packed = each prompt alone, bitwise (%s)',
    async (model, p) => {
      const d = await decoderOf(model, p);
      try {
        const { decoder } = d;
        const rng = createRng(5);
        const prompts = LENGTHS.map((n) =>
          Array.from({ length: n }, () => 3 + rng.int(d.vocab - 3)),
        );
        const V = d.vocab;
        // alone: prefill, then one step with a fixed next token
        const alone: { first: Float32Array; next: Float32Array }[] = [];
        for (const prompt of prompts) {
          decoder.begin(1);
          const first = (await decoder.prefill(0, prompt, 'logits')).logits!;
          const next = (await decoder.step([7], 'logits')).logits!;
          alone.push({ first: first.slice(), next: next.slice() });
        }
        // packed, into slots in reverse order, then one step of all rows
        const slots = prompts.map((_, i) => prompts.length - 1 - i);
        decoder.begin(prompts.length);
        const packed = (await decoder.prefillMany(slots, prompts, 'logits')).logits!;
        const step = (await decoder.step(new Array<number>(prompts.length).fill(7), 'logits'))
          .logits!;
        prompts.forEach((_, r) => {
          const row = packed.subarray(r * V, (r + 1) * V);
          expect(bits(row).equals(bits(alone[r]!.first))).toBe(true);
          const s = slots[r]!;
          expect(bits(step.subarray(s * V, (s + 1) * V)).equals(bits(alone[r]!.next))).toBe(true);
        });
        // and the greedy choice through the graph's argmax agrees with the logits
        decoder.begin(prompts.length);
        const ids = (await decoder.prefillMany(slots, prompts, 'argmax')).argmax;
        if (ids) {
          ids.forEach((id, r) => {
            const row = alone[r]!.first;
            expect(row[id]).toBe(Math.max(...row));
          });
        }
        decoder.reset();
      } finally {
        await d.release();
      }
    },
    120_000,
  );
});
