// A written checkpoint exports to the same model: logits of models' exportCheckpoint of the
// written folder equal those of the golden folder's export exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportCheckpoint, loadCausalLM, readExpModelManifest } from '@exp/models';
import { readCheckpointParams, writeCheckpoint } from '../src/index.js';
import { MODELS, goldenDir } from './golden-data.js';

const IDS = [
  [1, 17, 300, 42, 511, 2],
  [1, 5, 9, 250, 3, 100],
];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-ckpt-export-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function logits(checkpoint: string, out: string): Promise<Float32Array> {
  await exportCheckpoint(checkpoint, out);
  const lm = await loadCausalLM(out, { decoder: 'present' });
  try {
    return (await lm.forward({ inputIds: IDS })).logits.data;
  } finally {
    await lm.dispose();
  }
}

test.each(MODELS)(
  '%s: export of the written folder gives the same logits (max diff 0)',
  async (m) => {
    const src = goldenDir(m);
    const written = path.join(tmp, `${m}-ckpt`);
    await writeCheckpoint(written, readCheckpointParams(src), { sourceDir: src });
    const a = await logits(src, path.join(tmp, `${m}-onnx-a`));
    const b = await logits(written, path.join(tmp, `${m}-onnx-b`));
    expect(a).toHaveLength(2 * 6 * 512);
    expect(maxDiff(a, b)).toBe(0);
    expect(readExpModelManifest(path.join(tmp, `${m}-onnx-b`)).model_type).toBe(
      m.includes('diffllama') ? 'diffllama' : 'llama',
    );
  },
);

test('the comparison sees a changed parameter (final norm x 1.5)', async () => {
  const src = goldenDir('tiny-llama');
  const params = readCheckpointParams(src);
  const norm = params.get('model.norm.weight')!;
  params.set('model.norm.weight', { data: norm.data.map((v) => v * 1.5), dims: norm.dims });
  const written = path.join(tmp, 'changed-ckpt');
  await writeCheckpoint(written, params, { sourceDir: src });
  const a = await logits(src, path.join(tmp, 'changed-onnx-a'));
  const b = await logits(written, path.join(tmp, 'changed-onnx-b'));
  expect(maxDiff(a, b)).toBeGreaterThan(0.01);
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
