// One measurement in its own process, so that its peak RSS is its own. mode 'train': each step
// is TrainingStep.run (forward + backward in one onnxruntime run), clipGradNorm and an AdamW
// update; mode 'forward' (the peer): the same training-step graph built with no trainable
// parameter (forward + loss only, no backward, no optimizer), same weights, same batch. Prints
// one JSON line on stdout. Spawned by run.ts.
import { parseArgs } from 'node:util';
import { TrainingStep } from '../src/step-graph.js';
import { Optimizer } from '../src/optim/adamw.js';
import { clipGradNorm } from '../src/optim/clip.js';
import { benchBatch, benchModel, isTrainBenchModel } from './model.js';

export type BenchMode = 'train' | 'forward';

export interface ChildResult {
  model: string;
  mode: BenchMode;
  batch: number;
  seq: number;
  /** Parameter values of the model. */
  parameters: number;
  /** Random weights generated in memory. */
  initS: number;
  /** Graph build + onnxruntime session creation. */
  sessionS: number;
  /** Untimed warm-up steps before the timed ones. */
  warmup: number;
  /** Timed steps. */
  steps: number;
  /** Of the timed steps: onnxruntime runs (forward [+ backward]). */
  runS: number;
  /** Of the timed steps: clipGradNorm + AdamW (0 for 'forward'). */
  optimS: number;
  /** Loss of the first step (the initial weights: equal in both modes). */
  firstLoss: number;
  lastLoss: number;
  /** RSS once the weights and the session exist, before the first step. */
  setupRssBytes: number;
  /** The whole process's peak RSS (getrusage maxRSS). */
  maxRssBytes: number;
}

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    mode: { type: 'string', default: 'train' },
    batch: { type: 'string', default: '2' },
    seq: { type: 'string', default: '128' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '42' },
  },
});
const name = values.model ?? '';
if (!isTrainBenchModel(name)) throw new Error(`unknown --model '${name}'`);
const mode = values.mode as BenchMode;
if (mode !== 'train' && mode !== 'forward') throw new Error(`unknown --mode '${mode}'`);
const [batch, seq, steps, warmup, threads, seed] = [
  values.batch,
  values.seq,
  values.steps,
  values.warmup,
  values.threads,
  values.seed,
].map(Number) as [number, number, number, number, number, number];

const t0 = performance.now();
const { config, params, count } = benchModel(name, seed);
const initS = (performance.now() - t0) / 1000;
const data = benchBatch(config.vocabSize, batch, seq, seed);

const t1 = performance.now();
const step = await TrainingStep.create(config, {
  session: { threads },
  ...(mode === 'forward' ? { trainable: [] } : {}),
});
const sessionS = (performance.now() - t1) / 1000;
const opt = new Optimizer(params, { lr: 1e-4 });
const setupRssBytes = process.memoryUsage().rss;

let runS = 0;
let optimS = 0;
const losses: number[] = [];
for (let i = 0; i < warmup + steps; i++) {
  const a = performance.now();
  const r = await step.run(params, data);
  const b = performance.now();
  if (mode === 'train') {
    clipGradNorm(r.grads.values(), 1.0);
    opt.step(r.grads);
  }
  const c = performance.now();
  if (i >= warmup) {
    runS += (b - a) / 1000;
    optimS += (c - b) / 1000;
  }
  losses.push(r.loss);
}
await step.release();

const result: ChildResult = {
  model: name,
  mode,
  batch,
  seq,
  parameters: count,
  initS,
  sessionS,
  warmup,
  steps,
  runS,
  optimS,
  firstLoss: losses[0]!,
  lastLoss: losses.at(-1)!,
  setupRssBytes,
  maxRssBytes: process.resourceUsage().maxRSS * 1024, // KiB on Linux
};
console.log(JSON.stringify(result));
