// Run by real-shape-sft.test.ts in a process of its own, so that the peak RSS it reports
// (getrusage maxRSS) is that of this fine-tuning alone, not of whatever else the jest worker ran.
// argv: <checkpoint dir> <output dir> <gsm8k train.jsonl>. Prints one JSON line.
import { loadGsm8kFile } from '@exp/data';
import { loadTokenizer } from '@exp/models';
import {
  TrainingStep,
  encodeSftDataset,
  readCheckpointParams,
  sftBatches,
  trainSft,
} from '../src/index.js';
import { sftPadId } from '../src/data/format.js';
import { IGNORE_INDEX } from '../src/loss.js';
import { REAL_SHAPE_SFT } from './real-shape-sft.settings.js';

const [dir, out, trainFile] = process.argv.slice(2) as [string, string, string];
const problems = loadGsm8kFile(trainFile, 'gsm8k-train');
const t0 = performance.now();
// final/ in float32: the bf16 source's default would round the norms' 2-step updates (~1e-4 on
// weights near 1, below bf16's 2^-8) back to the source values
const r = await trainSft({
  ...REAL_SHAPE_SFT,
  checkpoint: dir,
  problems,
  out,
  saveDtype: 'float32',
});
const trainS = (performance.now() - t0) / 1000;
const maxRssBytes = process.resourceUsage().maxRSS * 1024; // KiB on Linux

// The first optimizer step's loss from TrainingStep alone: its micro-batches on the initial
// weights, token-weighted as trainSft logs it.
const tok = await loadTokenizer(dir);
const { examples } = encodeSftDataset(tok, problems.slice(0, REAL_SHAPE_SFT.samples), {
  maxLength: REAL_SHAPE_SFT.maxLength,
  lossOn: REAL_SHAPE_SFT.lossOn,
});
const batches = sftBatches(examples, {
  batchSize: REAL_SHAPE_SFT.batchSize,
  seed: 42,
  epoch: 0,
  padId: sftPadId(tok),
});
const initial = new Map([...readCheckpointParams(dir)].map(([k, v]) => [k, v.data]));
const step = await TrainingStep.create(dir);
let lossSum = 0;
let tokens = 0;
for (const b of batches.slice(0, REAL_SHAPE_SFT.gradAccum)) {
  const [B, S] = b.dims;
  let n = 0;
  for (let row = 0; row < B; row++)
    for (let c = 1; c < S; c++) if (b.labels[row * S + c] !== BigInt(IGNORE_INDEX)) n++;
  const { loss } = await step.run(initial, b);
  lossSum += loss * n;
  tokens += n;
}
await step.release();

// How many parameter values the run changed, per tensor (the final checkpoint vs the initial).
const final = readCheckpointParams(r.out);
const changed: Record<string, [number, number]> = {};
for (const [name, p0] of initial) {
  const p1 = final.get(name)!.data;
  let n = 0;
  for (let i = 0; i < p0.length; i++) if (p1[i] !== p0[i]) n++;
  changed[name] = [n, p0.length];
}
console.log(
  JSON.stringify({
    steps: r.steps,
    losses: r.losses,
    firstStepLoss: lossSum / tokens,
    microBatches: batches.map((b) => b.dims),
    changed,
    trainS,
    maxRssBytes,
  }),
);
