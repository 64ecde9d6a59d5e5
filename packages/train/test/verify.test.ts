// verifyTrainingStep on the l3 checkpoints (after_adamw subset + closed form) and its errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSafetensors } from '@exp/models';
import { verifyTrainingStep } from '../src/index.js';
import { goldenDir, readGolden } from './golden-data.js';

const file = (model: string) => path.join(goldenDir(model), 'golden.safetensors');

test.each(['tiny-llama-l3', 'tiny-diffllama-l3'])(
  '%s: passes; the 21 omitted after_adamw come from the closed form',
  async (model) => {
    const r = await verifyTrainingStep(goldenDir(model), file(model), { threads: 1 });
    expect(r.checks.map((c) => [c.name, c.pass])).toEqual([
      ['train.loss', true],
      ['grad.*', true],
      ['after_adamw.* |g| >= 1e-6 or 0', true],
      ['after_adamw.* 0 < |g| < 1e-6', true],
    ]);
    expect(r.closedForm).toHaveLength(21);
    expect(r.closedForm).toContain('model.layers.3.mlp.down_proj.weight');
    expect(r.checks[1]!.count).toBe(model === 'tiny-llama-l3' ? 623744 : 624000);
  },
);

test.each(['tiny-diffllama', 'tiny-diffllama-l3'])(
  '%s in float64: gradients to golden float32 storage (rel where |g| > 1e-6)',
  async (model) => {
    const r = await verifyTrainingStep(goldenDir(model), file(model), {
      threads: 1,
      precision: 'float64',
    });
    expect(r.precision).toBe('float64');
    expect(r.pass).toBe(true);
    const grad = r.checks[1]!;
    expect(grad.name).toBe('grad.*');
    expect(grad.criterion).toBe('abs <= 1e-6, rel <= 1e-4 where |g| > 1e-6');
    expect(grad.relFloor).toBe(1e-6);
    // golden is float64 stored as float32: half an ulp, 2^-24 relative (measured 5.9e-8)
    expect(grad.maxRel).toBeLessThan(1e-7);
    expect(grad.maxAbs).toBeLessThan(2e-8);
    // AdamW takes the rounded gradients: even the small-|g| elements agree now (float32: ~1e-3)
    expect(r.checks[3]!.maxAbs).toBeLessThan(1e-7);
  },
);

test('a golden file without a gradient of the checkpoint: one line naming it', async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'train-verify-'));
  try {
    const golden = readGolden('tiny-llama');
    const keep = [...golden].filter(([n]) => n.startsWith('train.'));
    const f = path.join(tmp, 'golden.safetensors');
    await writeSafetensors(
      f,
      keep.map(([name, t]) => ({
        name,
        dtype: t.dtype as 'F32' | 'I64',
        shape: t.shape,
        data: t.data as Float32Array | BigInt64Array,
      })),
    );
    const dir = goldenDir('tiny-llama');
    await expect(verifyTrainingStep(dir, f)).rejects.toThrow(
      `${f}: no tensor 'grad.model.embed_tokens.weight' for parameter 'model.embed_tokens.weight' of ${dir}`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
