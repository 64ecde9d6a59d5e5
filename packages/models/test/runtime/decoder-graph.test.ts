// The runtime's own decode graph (both KV conventions) against the golden logits of every golden
// checkpoint: Llama and DiffLlama, GQA 2:1 and 4:1, tied embeddings, llama3 RoPE scaling at
// positions past the original context.
import path from 'node:path';
import { readCheckpointTensors } from '../../src/checkpoint.js';
import { loadModelConfig } from '../../src/config.js';
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
