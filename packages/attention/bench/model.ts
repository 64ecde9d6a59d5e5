// The bench model: random weights in the real models' shape (the harness's random-375m, vocab
// 128256, hidden 1024, 16 layers, GQA 16/4), exported once with attention outputs into the bench
// cache (outside the repo). The Llama checkpoint is the one `pnpm bench generate` makes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { RANDOM_375M } from '@exp/bench-kit/models';
import { benchCacheDir, type Log } from '@exp/bench-kit/paths';
import { exportCheckpoint, initRandomCheckpoint } from '@exp/models';

export const ATTENTION_BENCH_MODELS = {
  'random-375m': RANDOM_375M,
  'random-375m-diffllama': { ...RANDOM_375M, model_type: 'diffllama', lambda_std_dev: 0.1 },
} as const;
export type AttentionBenchModel = keyof typeof ATTENTION_BENCH_MODELS;

/** The exported folder (model.onnx with attentions.{i}), made on first use. */
export async function prepareAttentionModel(name: AttentionBenchModel, log: Log): Promise<string> {
  const root = path.join(benchCacheDir(), name);
  const ckpt = path.join(root, 'checkpoint');
  const dir = path.join(root, 'model-attentions');
  if (existsSync(path.join(dir, 'exp-model.json'))) return dir;
  if (!existsSync(path.join(ckpt, 'model.safetensors'))) {
    log(`initialising ${name} in ${ckpt} (once)`);
    await initRandomCheckpoint(ckpt, ATTENTION_BENCH_MODELS[name], { tokenizerDir: false });
  }
  log(`exporting ${name} with attentions to ${dir} (once)`);
  await exportCheckpoint(ckpt, dir, { attentions: true });
  return dir;
}
