// forward(): full logits (and attention maps when exported with them) against the golden data.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCausalLM, ModelLoadError } from '../../src/causal-lm.js';
import { exportCheckpoint } from '../../src/export.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { maxAbsDiff } from '../helpers/golden-generate.js';
import { SHARED_DIR, goldenDir } from '../helpers/shared.js';

const TORCH_ONNX = path.join(SHARED_DIR, 'golden', 'torch-onnx', 'tiny-llama', 'model.onnx');

function golden(name: 'tiny-llama' | 'tiny-diffllama') {
  const g = readSafetensors(path.join(goldenDir(name), 'golden.safetensors'));
  const rows = (n: string) => {
    const t = g.get(n)!;
    const [r, c] = t.shape as [number, number];
    return Array.from({ length: r }, (_, i) =>
      Array.from((t.data as BigInt64Array).subarray(i * c, (i + 1) * c), Number),
    );
  };
  const f32 = (n: string) => g.get(n)!.data as Float32Array;
  return { rows, f32, g };
}

it('torch-onnx tiny-llama: case_a and left-padded case_b logits within 1e-4', async () => {
  const lm = await loadCausalLM(goldenDir('tiny-llama'), { modelPath: TORCH_ONNX, threads: 1 });
  try {
    const { rows, f32, g } = golden('tiny-llama');
    const a = await lm.forward({ inputIds: rows('case_a.input_ids') });
    expect(a.logits.dims).toEqual([2, 16, 512]);
    expect(maxAbsDiff(a.logits.data, f32('case_a.logits'))).toBeLessThanOrEqual(1e-4);

    // positions default to clamp(cumsum(mask) - 1, 0), as in the golden case_b
    const b = await lm.forward({
      inputIds: rows('case_b.input_ids'),
      attentionMask: rows('case_b.attention_mask'),
    });
    const valid = g.get('case_b.logits_valid')!.data as Uint8Array;
    const expected = f32('case_b.logits');
    let worst = 0;
    for (let p = 0; p < 32; p++) {
      if (!valid[p]) continue;
      const span = [p * 512, (p + 1) * 512] as const;
      worst = Math.max(
        worst,
        maxAbsDiff(b.logits.data.subarray(...span), expected.subarray(...span)),
      );
    }
    expect(worst).toBeLessThanOrEqual(1e-4);

    await expect(
      lm.forward({ inputIds: rows('case_a.input_ids'), outputAttentions: true }),
    ).rejects.toThrow(
      new ModelLoadError(
        `${TORCH_ONNX} has no output attentions.0: export it with attentions to get attention maps`,
      ),
    );
    await expect(
      lm.forward({
        inputIds: [
          [1, 2, 3],
          [4, 5],
        ],
      }),
    ).rejects.toThrow('forward: inputIds row 1 has 2 values, expected 3');
  } finally {
    await lm.dispose();
  }
});

describe('exported with attentions', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-fwd-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('fully padded query rows are uniform over all keys, like HF eager (no NaN)', async () => {
    const name = 'tiny-diffllama';
    const out = path.join(tmp, `${name}-padded`);
    await exportCheckpoint(goldenDir(name), out, { attentions: true });
    const lm = await loadCausalLM(out, { threads: 1, decoder: 'present' });
    try {
      const { rows } = golden(name);
      const res = await lm.forward({
        inputIds: rows('case_b.input_ids'),
        attentionMask: rows('case_b.attention_mask'),
        positionIds: rows('case_b.position_ids'),
        outputAttentions: true,
      });
      expect(res.logits.data.every((v) => Number.isFinite(v))).toBe(true);
      const [, H, S, T] = res.attentions![0]!.dims;
      for (const att of res.attentions!) {
        // row 1 is left-padded by 5: its first 5 query rows have no allowed key
        for (let h = 0; h < H; h++)
          for (let q = 0; q < 5; q++)
            for (let k = 0; k < T; k++)
              expect(att.data[((1 * H + h) * S + q) * T + k]).toBeCloseTo(1 / T, 7);
        // a valid row gives padded keys exactly 0
        for (let h = 0; h < H; h++)
          for (let k = 0; k < 5; k++) expect(att.data[((1 * H + h) * S + 10) * T + k]).toBe(0);
      }
    } finally {
      await lm.dispose();
    }
  });

  it('returns attention maps per layer (and DiffLlama lambda_full)', async () => {
    for (const name of ['tiny-llama', 'tiny-diffllama'] as const) {
      const out = path.join(tmp, name);
      await exportCheckpoint(goldenDir(name), out, { attentions: true });
      const lm = await loadCausalLM(out, { threads: 1, decoder: 'present' });
      try {
        const { rows, f32, g } = golden(name);
        const res = await lm.forward({
          inputIds: rows('case_a.input_ids'),
          outputAttentions: true,
        });
        const layers = lm.config.numLayers;
        expect(res.attentions).toHaveLength(layers);
        for (let l = 0; l < layers; l++) {
          expect(res.attentions![l]!.dims).toEqual([2, 4, 16, 16]);
          expect(
            maxAbsDiff(res.attentions![l]!.data, f32(`case_a.attentions.${l}`)),
          ).toBeLessThanOrEqual(1e-5);
        }
        if (name === 'tiny-diffllama') {
          const lambdas = Array.from(
            { length: layers },
            (_, l) => g.get(`case_a.lambda_full.${l}`)!.data[0],
          );
          res.lambdaFull!.forEach((v, l) => expect(v).toBeCloseTo(Number(lambdas[l]), 6));
        } else {
          expect(res.lambdaFull).toBeUndefined();
        }
      } finally {
        await lm.dispose();
      }
    }
  });
});
