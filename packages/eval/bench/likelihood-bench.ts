// The likelihood step's cost (issue 18): runLikelihood over the first N GSM8K test items (clean,
// the seed protocol: each item scored in its sft text and its bare-prompt text) on the
// tiny-llama preset and on a random model of the real models' shape with 2 layers (vocab
// 128256, hidden 1024, GQA 16/4, MLP 4096, tied), exported once into the bench cache.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadGsm8k } from '@exp/data';
import { exportCheckpoint, initRandomCheckpoint, loadCausalLM, loadTokenizer } from '@exp/models';
import { startCpuProbe } from '@exp/bench-kit/machine';
import { RANDOM_375M, prepareBenchModel } from '@exp/bench-kit/models';
import { benchCacheDir, gsm8kDir, type Log } from '@exp/bench-kit/paths';
import { runLikelihood } from '../src/likelihood/run.js';
import { builtinTask } from '../src/task/builtin.js';

export const LIKELIHOOD_MODELS = ['tiny-llama', 'real-2l'] as const;

export interface LikelihoodMeasurement {
  model: string;
  /** 'onnx': CausalLM.score; 'js': forward() logits reduced in JS (the earlier path). */
  reduce: 'onnx' | 'js';
  items: number;
  /** Tokens fed to the model (both texts of every item, BOS included). */
  tokens: number;
  seconds: number;
  busyPct: number | null;
}

async function modelDir(name: (typeof LIKELIHOOD_MODELS)[number], log: Log): Promise<string> {
  if (name === 'tiny-llama') return (await prepareBenchModel('tiny-llama', log)).dir;
  const root = path.join(benchCacheDir(), 'random-375m-2l');
  const dir = path.join(root, 'model');
  if (!existsSync(path.join(dir, 'exp-model.json'))) {
    log(`preparing random-375m-2l in ${root} (once)`);
    const ckpt = path.join(root, 'checkpoint');
    await initRandomCheckpoint(
      ckpt,
      { ...RANDOM_375M, num_hidden_layers: 2 },
      { tokenizerDir: false },
    );
    await exportCheckpoint(ckpt, dir);
  }
  return dir;
}

export async function benchLikelihood(
  name: (typeof LIKELIHOOD_MODELS)[number],
  o: { items: number; threads: number; reduce: 'onnx' | 'js' },
  log: Log,
): Promise<LikelihoodMeasurement> {
  // the tiny preset carries the Llama-3 tokenizer; the real-shape model uses it too
  const tokenizer = await loadTokenizer((await prepareBenchModel('tiny-llama', log)).dir);
  const lm = await loadCausalLM(await modelDir(name, log), { threads: o.threads });
  const problems = loadGsm8k('test', { dir: gsm8kDir() }).slice(0, o.items);
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'exp-bench-likelihood-'));
  try {
    const probe = startCpuProbe();
    const t0 = performance.now();
    const records = await runLikelihood({
      models: [{ name, lm, tokenizer }],
      datasets: [{ name: 'clean', problems }],
      task: builtinTask('seed'),
      outDir,
      reduce: o.reduce,
    });
    const seconds = (performance.now() - t0) / 1000;
    const tokens = records.reduce(
      (s, r) =>
        s +
        r.sft.prompt_tokens +
        r.sft.solution_tokens +
        r.protocol.prompt_tokens +
        r.protocol.solution_tokens,
      0,
    );
    return {
      model: name,
      reduce: o.reduce,
      items: records.length,
      tokens,
      seconds,
      busyPct: probe(),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    await lm.dispose();
  }
}
