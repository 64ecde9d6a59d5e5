// The disk estimate of `exp run`'s plan: exact bytes from parameter counts, for a preset and for
// a config of the real models' shape (375M, bf16), with and without checkpoint pruning.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REAL_SHAPE_CONFIG, buildRandomConfig } from '@exp/models';
import {
  formatRunDisk,
  formatSftDisk,
  knownModelShape,
  modelDisk,
  runDisk,
  sftSteps,
} from '../src/disk.js';
import { RUN_SFT_SETTINGS } from '../src/sft.js';
import { RunOptionsSchema, planRun } from '../src/plan.js';

const plan = (o: Record<string, unknown>) => planRun(RunOptionsSchema.parse(o));
// the real models' shape: Llama 3 vocabulary, hidden 1024, 16 layers, GQA 16/4, MLP 4096, tied, bf16
const REAL = REAL_SHAPE_CONFIG;

let tmp: string;
const env = { ...process.env };
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-disk-'));
  process.env.EXP_MODELS_DIR = path.join(tmp, 'models');
  process.env.HF_HUB_CACHE = path.join(tmp, 'hub');
});
afterAll(() => {
  process.env = env;
  rmSync(tmp, { recursive: true, force: true });
});

test('parameter counts and dtypes from config.json: a preset, a cached hub model, an unknown one', () => {
  // 128256 x 64 embedding + 2 x 47,232 per layer + 64 final norm (tied head counted once)
  expect(knownModelShape('tiny-llama')).toEqual({
    params: 8_302_912,
    dtype: 'float32',
    written: true,
  });
  // + 4 lambdas of head_dim 8 in each of 2 layers
  expect(knownModelShape('tiny-diffllama')?.params).toBe(8_302_912 + 64);
  expect(knownModelShape('llama')).toBeUndefined(); // not downloaded: nothing to read
  mkdirSync(path.join(tmp, 'models', 'llama'), { recursive: true });
  writeFileSync(
    path.join(tmp, 'models', 'llama', 'config.json'),
    JSON.stringify(buildRandomConfig(REAL)),
  );
  // 131,334,144 embedding + 16 x 15,206,400 + 1,024
  expect(knownModelShape('llama')).toEqual({
    params: 374_637_568,
    dtype: 'bfloat16',
    written: true,
  });
  const local = path.join(tmp, 'local-ckpt');
  mkdirSync(local);
  writeFileSync(path.join(local, 'config.json'), JSON.stringify(buildRandomConfig(REAL)));
  expect(knownModelShape(local)).toEqual({
    params: 374_637_568,
    dtype: 'bfloat16',
    written: false,
  });
});

test('a full run of tiny-llama: exact bytes, the last 2 checkpoints kept', () => {
  const p = plan({ mode: 'full', models: 'tiny-llama' });
  expect(sftSteps(500, 2, RUN_SFT_SETTINGS)).toBe(250); // 125 per epoch: checkpoints 50..200
  const P = 8_302_912;
  const d = runDisk(p, new Map([['tiny-llama', knownModelShape('tiny-llama')]]), RUN_SFT_SETTINGS);
  expect(d.models).toEqual([
    {
      name: 'tiny-llama',
      params: P,
      dtype: 'float32',
      source: 4 * P,
      onnx: 4 * P,
      checkpoint: 12 * P, // float32 weights + AdamW m and v
      checkpointsKept: 2,
      checkpointsPeak: 3,
      finalDtype: 'float32',
      final: 4 * P,
      sftOnnx: 4 * P,
      total: 40 * P,
      transient: 4 * P, // a third checkpoint (12P) exceeds final + its export (8P) by 4P
    },
  ]);
  expect(d.sampleRecords).toBe(4 * 1319 * 2); // 4 sets, all items, zero-shot and post-SFT
  expect(d.sampleLogs).toBe(43_220_992);
  expect(d.total).toBe(332_116_480 + 43_220_992);
  expect(d.peak).toBe(375_337_472 + 33_211_648);
  expect(formatRunDisk(d)).toEqual([
    'disk: 0.38 GB at the end of the run, at most 0.41 GB while a checkpoint is written',
    '  tiny-llama (8,302,912 params, float32), source 0.03 GB, onnx 0.03 GB, sft checkpoints 2 x 0.10 GB (3 while the newest is written), final 0.03 GB (float32), sft onnx 0.03 GB: 0.33 GB',
    '  sample logs: 10552 records, up to 43.2 MB',
  ]);
});

test('the real shape (375M, bf16): 2 kept checkpoints instead of 4, final in bf16, unknown models named', () => {
  const P = 374_637_568;
  const shape = { params: P, dtype: 'bfloat16' as const, written: true };
  const p = plan({ mode: 'full', models: 'llama,diffllama' });
  const kept = modelDisk('llama', shape, p, RUN_SFT_SETTINGS);
  expect(kept).toMatchObject({
    source: 2 * P,
    onnx: 4 * P,
    checkpoint: 4_495_650_816,
    checkpointsKept: 2,
    checkpointsPeak: 3,
    finalDtype: 'bfloat16',
    final: 2 * P,
    total: 36 * P, // 13.49 GB
    transient: 6 * P,
  });
  // the SFT step's line: 3 checkpoints at once (36P) before final/ and its export (30P at the end)
  expect(formatSftDisk(kept)).toBe(
    'up to 13.49 GB on disk: sft checkpoints 2 x 4.50 GB (3 while the newest is written), final 0.75 GB (bfloat16), onnx 1.50 GB',
  );
  const all = modelDisk('llama', shape, p, { ...RUN_SFT_SETTINGS, saveTotalLimit: 0 });
  expect(all).toMatchObject({ checkpointsKept: 4, checkpointsPeak: 4, total: 60 * P });
  const f32 = modelDisk('llama', shape, p, { ...RUN_SFT_SETTINGS, saveDtype: 'float32' });
  expect(f32).toMatchObject({ finalDtype: 'float32', final: 4 * P, total: 38 * P });
  const d = runDisk(p, new Map([['llama', shape]]), RUN_SFT_SETTINGS);
  expect(d.unknown).toEqual(['diffllama']);
  expect(formatRunDisk(d)).toEqual([
    'disk: 13.57 GB at the end of the run, at most 15.82 GB while a checkpoint is written (without diffllama)',
    '  llama (374,637,568 params, bfloat16), source 0.75 GB, onnx 1.50 GB, sft checkpoints 2 x 4.50 GB (3 while the newest is written), final 0.75 GB (bfloat16), sft onnx 1.50 GB: 13.49 GB',
    '  diffllama: size known once its config.json is downloaded',
    '  sample logs: 21104 records, up to 86.4 MB', // 2 models, the unknown one's logs too
  ]);
  // quick test: 13 steps, no checkpoint (the first would be at 50); no SFT: export only
  const quick = modelDisk('llama', shape, plan({ quickTest: true }), RUN_SFT_SETTINGS);
  expect(quick).toMatchObject({ checkpointsKept: 0, total: 12 * P, transient: 0 });
  expect(formatSftDisk(quick)).toBe(
    'up to 2.25 GB on disk: no sft checkpoints (too few steps), final 0.75 GB (bfloat16), onnx 1.50 GB',
  );
  const noSft = modelDisk('llama', shape, plan({ mode: 'quick' }), RUN_SFT_SETTINGS);
  expect(noSft).toMatchObject({ final: 0, sftOnnx: 0, total: 6 * P });
});

test("both real models in --mode full: the README's figures", () => {
  // the first test cached llama's config; diffllama's too now (its lambdas: 4 x 64 x 16 more)
  mkdirSync(path.join(tmp, 'models', 'diffllama'), { recursive: true });
  writeFileSync(
    path.join(tmp, 'models', 'diffllama', 'config.json'),
    JSON.stringify(buildRandomConfig({ ...REAL, model_type: 'diffllama', lambda_std_dev: 0.1 })),
  );
  const p = plan({ mode: 'full', models: 'llama,diffllama' });
  const shapes = new Map(p.models.map((m) => [m, knownModelShape(m)]));
  expect(shapes.get('diffllama')?.params).toBe(374_637_568 + 4096);
  expect(formatRunDisk(runDisk(p, shapes, RUN_SFT_SETTINGS))).toEqual([
    'disk: 27.06 GB at the end of the run, at most 29.31 GB while a checkpoint is written',
    '  llama (374,637,568 params, bfloat16), source 0.75 GB, onnx 1.50 GB, sft checkpoints 2 x 4.50 GB (3 while the newest is written), final 0.75 GB (bfloat16), sft onnx 1.50 GB: 13.49 GB',
    '  diffllama (374,641,664 params, bfloat16), source 0.75 GB, onnx 1.50 GB, sft checkpoints 2 x 4.50 GB (3 while the newest is written), final 0.75 GB (bfloat16), sft onnx 1.50 GB: 13.49 GB',
    '  sample logs: 21104 records, up to 86.4 MB',
  ]);
});
