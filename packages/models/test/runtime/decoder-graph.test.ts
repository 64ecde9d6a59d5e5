// The runtime's own decode graph (both KV conventions) against the golden logits of every golden
// checkpoint: Llama and DiffLlama, GQA 2:1 and 4:1, tied embeddings, llama3 RoPE scaling at
// positions past the original context.
import path from 'node:path';
import { readCheckpointTensors } from '../../src/checkpoint.js';
import { loadModelConfig } from '../../src/config.js';
import { buildDecoderGraph } from '../../src/arch/decoder.js';
import { Checkpoint } from '../../src/checkpoint.js';
import { encodeModel } from '../../src/onnx/serialize.js';
import { buildLlamaDecoderGraph } from '../../src/runtime/decoder-graph.js';
import { ort } from '../../src/runtime/ort.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { maxAbsDiff } from '../helpers/golden-generate.js';
import { GOLDEN_MODELS, goldenDir } from '../helpers/shared.js';

describe.each(GOLDEN_MODELS)('%s', (name) => {
  const config = loadModelConfig(goldenDir(name));
  const weights = readCheckpointTensors(goldenDir(name));
  const g = readSafetensors(path.join(goldenDir(name), 'golden.safetensors'));
  const source = (n: string) => weights.get(n)!;

  it.each([
    ['present', false],
    ['external', false],
    ['external', true],
  ] as const)(
    '%s KV I/O (LM head reads the tied embedding: %s): case_b, case_long logits',
    async (kvIo, shareTiedHead) => {
      const bytes = buildLlamaDecoderGraph(config, source, {
        kvIo,
        lastTokenLogits: false,
        maxPositions: 256,
        shareTiedHead,
      });
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
      try {
        const run = async (prefix: string, rows: number, seq: number) => {
          const t = (n: string) =>
            new ort.Tensor('int64', g.get(`${prefix}.${n}`)!.data as BigInt64Array, [rows, seq]);
          const ones = new ort.Tensor('int64', new BigInt64Array(rows * seq).fill(1n), [rows, seq]);
          const pos = BigInt64Array.from({ length: rows * seq }, (_, i) => BigInt(i % seq));
          const feeds: Record<string, ort.Tensor> = {
            input_ids: t('input_ids'),
            attention_mask: g.has(`${prefix}.attention_mask`) ? t('attention_mask') : ones,
            position_ids: g.has(`${prefix}.position_ids`)
              ? t('position_ids')
              : new ort.Tensor('int64', pos, [rows, seq]),
          };
          for (const input of session.inputNames) {
            feeds[input] ??= new ort.Tensor('float32', new Float32Array(0), [
              rows,
              config.numKvHeads,
              0,
              config.headDim,
            ]);
          }
          return (await session.run(feeds)).logits!.data as Float32Array;
        };
        const logits = await run('case_b', 2, 16);
        const valid = g.get('case_b.logits_valid')!.data as Uint8Array;
        const expected = g.get('case_b.logits')!.data as Float32Array;
        const V = config.vocabSize;
        for (let p = 0; p < 32; p++) {
          if (!valid[p]) continue;
          expect(
            maxAbsDiff(logits.subarray(p * V, (p + 1) * V), expected.subarray(p * V, (p + 1) * V)),
          ).toBeLessThanOrEqual(1e-5);
        }
        if (g.has('case_long.logits')) {
          const long = await run('case_long', 1, 96);
          expect(
            maxAbsDiff(long, g.get('case_long.logits')!.data as Float32Array),
          ).toBeLessThanOrEqual(1e-4);
        }
      } finally {
        await session.release();
      }
    },
  );
});

// The architecture options compose: the exporter's eager attention (plain ONNX ops) with an
// external cache gives the same step logits as the present convention.
describe('src/arch options', () => {
  it.each(['tiny-llama', 'tiny-diffllama'] as const)(
    '%s: eager attention with kvCache external matches present over a cached step',
    async (name) => {
      const config = loadModelConfig(goldenDir(name));
      const source = Checkpoint.open(goldenDir(name)); // a DecoderWeightSource
      const session = async (kvCache: 'present' | 'external') =>
        ort.InferenceSession.create(
          encodeModel(buildDecoderGraph(source, config, { kvCache }), {
            irVersion: 10,
            opsetImports: [{ domain: '', version: 21 }],
            producerName: 'test',
            producerVersion: '0',
          }),
        );
      const present = await session('present');
      const external = await session('external');
      const { numLayers: L, numKvHeads: kv, headDim: d } = config;
      const i64 = (v: number[], dims: number[]) =>
        new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), dims);
      const empty = new ort.Tensor('float32', new Float32Array(0), [1, kv, 0, d]);
      const prompt = [5, 9, 2, 7];
      const prefill: Record<string, ort.Tensor> = {
        input_ids: i64(prompt, [1, 4]),
        attention_mask: i64([1, 1, 1, 1], [1, 4]),
        position_ids: i64([0, 1, 2, 3], [1, 4]),
      };
      for (let i = 0; i < L; i++) {
        prefill[`past_key_values.${i}.key`] = empty;
        prefill[`past_key_values.${i}.value`] = empty;
      }
      const first = await present.run(prefill);
      // one cache slot more than filled, masked out, as the runtime's chunked cache has
      const step = { input_ids: i64([11], [1, 1]), position_ids: i64([4], [1, 1]) };
      const pastFeeds: Record<string, ort.Tensor> = {};
      const slotFeeds: Record<string, ort.Tensor> = {};
      for (let i = 0; i < L; i++) {
        for (const kind of ['key', 'value']) {
          const t = first[`present.${i}.${kind}`]!;
          pastFeeds[`past_key_values.${i}.${kind}`] = t;
          const padded = new Float32Array(kv * 5 * d);
          const src = t.data as Float32Array;
          for (let h = 0; h < kv; h++)
            padded.set(src.subarray(h * 4 * d, (h + 1) * 4 * d), h * 5 * d);
          slotFeeds[`kv_cache.${i}.${kind}`] = new ort.Tensor('float32', padded, [1, kv, 5, d]);
        }
      }
      const a = await present.run({
        ...step,
        attention_mask: i64([1, 1, 1, 1, 1], [1, 5]),
        ...pastFeeds,
      });
      const b = await external.run({
        ...step,
        attention_mask: i64([1, 1, 1, 1, 0, 1], [1, 6]),
        ...slotFeeds,
      });
      expect(b.logits!.dims).toEqual([1, 1, config.vocabSize]);
      expect(
        maxAbsDiff(a.logits!.data as Float32Array, b.logits!.data as Float32Array),
      ).toBeLessThanOrEqual(1e-5);
      const newKey = b['kv_new.0.key']!;
      expect(newKey.dims).toEqual([1, kv, 1, d]);
      const fullKey = a['present.0.key']!.data as Float32Array;
      for (let h = 0; h < kv; h++) {
        const want = fullKey.subarray((h * 5 + 4) * d, (h * 5 + 5) * d);
        const got = (newKey.data as Float32Array).subarray(h * d, (h + 1) * d);
        expect(maxAbsDiff(got, want)).toBe(0);
      }
      await present.release();
      await external.release();
      source.close();
    },
  );
});
