// Export option valueNorms: value_norms.{i} outputs after the others, the manifest records it, the
// rest of the graph computes the same (logits and caches bitwise), and what it needs is refused
// clearly. Their values are checked against transformers in packages/attention/test/value-weighted.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDecoderGraph, decoderIoNames } from '../src/arch/decoder.js';
import { loadCausalLM } from '../src/causal-lm.js';
import { Checkpoint } from '../src/checkpoint.js';
import { loadModelConfig } from '../src/config.js';
import { exportCheckpoint } from '../src/export.js';
import { goldenDir, type GoldenModel } from './helpers/shared.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-value-norms-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each([
  ['tiny-llama', 2, 4],
  ['tiny-diffllama', 3, 2],
] as [GoldenModel, number, number][])('%s', (model, layers, normHeads) => {
  it('adds value_norms.{i} [B, H′, S] and changes nothing else', async () => {
    const plain = await exportCheckpoint(goldenDir(model), path.join(tmp, `${model}-a`), {
      attentions: true,
    });
    const vn = await exportCheckpoint(goldenDir(model), path.join(tmp, `${model}-b`), {
      attentions: true,
      valueNorms: true,
    });
    const norms = Array.from({ length: layers }, (_, i) => `value_norms.${i}`);
    expect(vn.manifest.outputs).toEqual([...plain.manifest.outputs, ...norms]);
    expect(decoderIoNames(loadModelConfig(goldenDir(model)), true, true).outputs).toEqual(
      vn.manifest.outputs,
    );
    expect(vn.manifest.value_norms).toBe(true);
    expect('value_norms' in plain.manifest).toBe(false);

    const ids = [[1, 17, 300, 42, 7, 511]];
    const [a, b] = [plain, vn].map((e) => loadCausalLM(e.outDir, { threads: 1 }));
    try {
      const x = await (await a!).forward({ inputIds: ids, outputAttentions: true });
      const y = await (
        await b!
      ).forward({ inputIds: ids, outputAttentions: true, outputValueNorms: true });
      expect(Buffer.from(y.logits.data.buffer)).toEqual(Buffer.from(x.logits.data.buffer));
      y.attentions!.forEach((t, i) =>
        expect(Buffer.from(t.data.buffer)).toEqual(Buffer.from(x.attentions![i]!.data.buffer)),
      );
      expect(y.valueNorms!.map((t) => t.dims)).toEqual(norms.map(() => [1, normHeads, 6]));
      expect(y.valueNorms!.every((t) => t.data.every((v) => v > 0))).toBe(true);
      expect((await (await b!).outputsInfo()).valueNorms).toBe(true);
      expect((await (await a!).outputsInfo()).valueNorms).toBe(false);
      await expect((await a!).forward({ inputIds: ids, outputValueNorms: true })).rejects.toThrow(
        `${plain.modelPath} has no output value_norms.0: export it with valueNorms to get value norms`,
      );
    } finally {
      for (const lm of [a, b]) await (await lm!).dispose();
    }
  });
});

it('valueNorms needs the present cache (every key’s values)', () => {
  const ckpt = Checkpoint.open(goldenDir('tiny-llama'));
  try {
    expect(() =>
      buildDecoderGraph(ckpt, ckpt.config, { valueNorms: true, kvCache: 'external' }),
    ).toThrow("valueNorms needs kvCache 'present' (the layer's values of every key)");
  } finally {
    ckpt.close();
  }
});
