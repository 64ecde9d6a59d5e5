// One measurement in its own process, so that its peak RSS is its own. mode 'train': each
// optimizer step is `accum` TrainingStep.runs (forward + backward in one onnxruntime run) whose
// gradients accumulate token-weighted in the run itself (GroupSums), then the clip norm's pass
// and one fused clip + AdamW pass, as trainSft does;
// mode 'forward' (the peer): the same training-step graph built with no trainable parameter
// (forward + loss only, no backward, no optimizer), same weights, same batch. --gsm8k N: the
// batches trainSft makes of the first N GSM8K train items (real Llama 3 tokenizer, the 'sft'
// format, padded to the longest row) instead of random rows. Prints one JSON line on stdout.
// Spawned by run.ts.
import { parseArgs } from 'node:util';
import { loadGsm8k } from '@exp/data';
import { bundledLlama3TokenizerDir, loadTokenizer } from '@exp/models';
import { TrainingStep, type TrainingBatch } from '../src/step-graph.js';
import { Optimizer } from '../src/optim/adamw.js';
import { clipCoefficient } from '../src/optim/clip.js';
import { GroupSums } from '../src/group-sums.js';
import { encodeSftDataset, sftPadId } from '../src/data/format.js';
import { selectSftProblems } from '../src/data/select.js';
import { sftBatches } from '../src/data/collate.js';
import { IGNORE_INDEX } from '../src/loss.js';
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
  /** Timed optimizer steps. */
  steps: number;
  /** Micro-batches per optimizer step. */
  accum: number;
  /** Tokens (rows x padded length) of the timed micro-batches, all together. */
  tokens: number;
  /** Label tokens the loss counted in the timed micro-batches. */
  labelTokens: number;
  /** GSM8K items the batches hold (0: random rows). */
  gsm8k: number;
  /** Of the timed steps: onnxruntime runs (forward [+ backward + accumulation]). */
  runS: number;
  /** Of the timed steps: the clip norm's pass + the fused clip/AdamW pass (0 for 'forward'). */
  optimS: number;
  /** Of optimS: the fused clip/AdamW pass alone. */
  adamS: number;
  /** Each timed optimizer step: [run s, norm/clip/AdamW s] (the first allocates m, v). */
  stepS: [number, number][];
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
    accum: { type: 'string', default: '1' },
    gsm8k: { type: 'string', default: '0' },
  },
});
const name = values.model ?? '';
if (!isTrainBenchModel(name)) throw new Error(`unknown --model '${name}'`);
const mode = values.mode as BenchMode;
if (mode !== 'train' && mode !== 'forward') throw new Error(`unknown --mode '${mode}'`);
const [batch, seq, stepsArg, warmup, threads, seed, accum, gsm8k] = [
  values.batch,
  values.seq,
  values.steps,
  values.warmup,
  values.threads,
  values.seed,
  values.accum,
  values.gsm8k,
].map(Number) as [number, number, number, number, number, number, number, number];

const t0 = performance.now();
const { config, params, count } = benchModel(name, seed);
const initS = (performance.now() - t0) / 1000;

/** The micro-batches of the run, in order: trainSft's for GSM8K items, else one random batch. */
async function microBatches(vocab: number): Promise<TrainingBatch[]> {
  if (!gsm8k) return [benchBatch(vocab, batch, seq, seed)];
  const tok = await loadTokenizer(bundledLlama3TokenizerDir());
  const problems = selectSftProblems(loadGsm8k('train'), { n: gsm8k });
  const { examples } = encodeSftDataset(tok, problems, {});
  return sftBatches(examples, { batchSize: batch, seed, epoch: 0, padId: sftPadId(tok) });
}
const data = await microBatches(config.vocabSize);
// GSM8K: one epoch of optimizer steps, all timed (the peer's figure is their mean)
const steps = gsm8k ? Math.ceil(data.length / accum) : stepsArg;
const labelCount = (b: TrainingBatch) => {
  const [B, S] = b.dims;
  let n = 0;
  for (let r = 0; r < B; r++)
    for (let c = 1; c < S; c++) if (b.labels[r * S + c] !== BigInt(IGNORE_INDEX)) n++;
  return n;
};

const t1 = performance.now();
// train: as trainSft, each run adds its gradients into the group's sums in place (GroupSums)
const step = await TrainingStep.create(config, {
  session: { threads },
  ...(mode === 'forward' ? { trainable: [] } : { accumulate: true }),
});
const sessionS = (performance.now() - t1) / 1000;
const opt = new Optimizer(params, { lr: 1e-4 });
const acc = mode === 'train' ? new GroupSums(step) : undefined;
const setupRssBytes = process.memoryUsage().rss;

let runS = 0;
let optimS = 0;
let adamS = 0;
const stepS: [number, number][] = [];
let tokens = 0;
let labelTokens = 0;
let next = 0;
const losses: number[] = [];
for (let i = 0; i < (gsm8k ? 0 : warmup) + steps; i++) {
  const timed = gsm8k || i >= warmup;
  const [run0, optim0] = [runS, optimS];
  let lossSum = 0;
  let count = 0;
  for (let k = 0; k < accum; k++) {
    const b = data[next++ % data.length]!;
    const n = labelCount(b);
    const a = performance.now();
    // the accumulation happens in the run (GroupSums): its time counts as run time
    const loss = acc ? await acc.add(params, b, n) : (await step.run(params, b)).loss;
    const end = performance.now();
    lossSum += loss * n;
    count += n;
    if (timed) {
      runS += (end - a) / 1000;
      tokens += b.dims[0] * b.dims[1];
      labelTokens += n;
    }
  }
  const a = performance.now();
  if (acc) {
    const { sums, total, norm } = acc.take();
    opt.step(sums, clipCoefficient(norm, 1.0) / total);
  }
  if (timed) {
    optimS += (performance.now() - a) / 1000;
    adamS += (performance.now() - a) / 1000;
    stepS.push([runS - run0, optimS - optim0]);
  }
  losses.push(lossSum / count);
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
  accum,
  tokens,
  labelTokens,
  gsm8k,
  runS,
  optimS,
  adamS,
  stepS,
  firstLoss: losses[0]!,
  lastLoss: losses.at(-1)!,
  setupRssBytes,
  maxRssBytes: process.resourceUsage().maxRSS * 1024, // KiB on Linux
};
console.log(JSON.stringify(result));
