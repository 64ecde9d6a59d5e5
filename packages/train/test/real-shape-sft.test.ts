// trainSft on a checkpoint with the real models' vocabulary (128,256) and width (hidden 1024,
// MLP 4096, GQA 16/4, tied embeddings, llama3 rope, bf16 storage, the real Llama 3 tokenizer) at
// 2 layers: the path the real models take (bf16 read, a 131M-value tied embedding through the
// accumulator and AdamW), at the seed's batch 2 and accumulation 2. Runs in a child process so
// that its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initRandomCheckpoint } from '@exp/models';
import { SHARED } from './golden-data.js';
import { REAL_SHAPE_CONFIG } from './real-shape-sft.settings.js';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = path.join(PKG, 'test/real-shape-sft.child.ts');
/**
 * Peak RSS bound. 162M parameters x 4 bytes = 0.65 GB per copy: weights, AdamW's m and v, the
 * accumulated sums (the step adds into them in place) and the copy of them onnxruntime-node
 * returns after each run (5 copies, 3.2 GB), plus activations, [2, 128, 128256] logits (131 MB
 * each) and the final checkpoint's write. Measured 4.05 GiB on 2026-12-07 (2 cores,
 * onnxruntime-node 1.30.0); 5.48 GiB with a run's own gradient outputs and the arena, which this
 * bound rules out.
 */
const PEAK_BOUND_BYTES = 5 * 2 ** 30;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-sft-real-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('2 optimizer steps at the real vocabulary and width: logged losses are TrainingStep losses, every tensor moves, peak RSS bounded', async () => {
  const dir = path.join(tmp, 'ckpt');
  await initRandomCheckpoint(dir, REAL_SHAPE_CONFIG, { seed: 7 });
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD,
      dir,
      path.join(tmp, 'out'),
      path.join(SHARED, 'data/gsm8k/train.jsonl'),
    ],
    { cwd: PKG, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 240_000 },
  );
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const got = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    steps: number;
    losses: { step: number; loss: number; lr: number }[];
    firstStepLoss: number;
    microBatches: [number, number][];
    changed: Record<string, [number, number]>;
    trainS: number;
    maxRssBytes: number;
  };
  const changedValues = Object.values(got.changed).reduce((a, [n]) => a + n, 0);
  const totalValues = Object.values(got.changed).reduce((a, [, n]) => a + n, 0);
  console.log(
    `real-shape SFT (2 layers, ${(totalValues / 1e6).toFixed(1)}M params, micro-batches ` +
      `${got.microBatches.map((d) => d.join('x')).join(', ')}): losses ` +
      `${got.losses.map((l) => l.loss.toFixed(4)).join(', ')}, ${got.trainS.toFixed(1)} s, ` +
      `peak RSS ${(got.maxRssBytes / 2 ** 30).toFixed(2)} GiB, ` +
      `${((100 * changedValues) / totalValues).toFixed(1)}% of values changed`,
  );
  expect(got.steps).toBe(2);
  expect(got.microBatches).toHaveLength(4);
  expect(got.losses.map((l) => l.step)).toEqual([1, 2]);
  // random weights: the loss starts near ln(128256) = 11.76, and lr 1e-3 lowers it at once
  const [l1, l2] = got.losses.map((l) => l.loss) as [number, number];
  expect(Math.abs(l1 - Math.log(128256))).toBeLessThan(0.5);
  expect(Number.isFinite(l2)).toBe(true);
  expect(l2).toBeLessThan(l1 - 0.1);
  // the same micro-batches and weights through TrainingStep alone give the same float
  expect(got.losses[0]!.loss).toBe(got.firstStepLoss);
  // lr 1e-3 moves every tensor, and nearly every value even if stored in bf16
  expect(Object.keys(got.changed)).toHaveLength(2 * 9 + 2);
  for (const [name, [n]] of Object.entries(got.changed))
    expect([name, n > 0]).toEqual([name, true]);
  expect(changedValues / totalValues).toBeGreaterThan(0.5);
  expect(got.maxRssBytes).toBeLessThan(PEAK_BOUND_BYTES);
}, 300_000);
