// `pnpm bench train [--quick] [--models tiny-llama,tiny-diffllama,random-58m] [--batch 2]
//   [--seq 256] [--steps 3] [--threads 2] [--skip-real] [--skip-seed] [--real-batch 2]
//   [--real-seq 512]`
// A benchmark script (nothing here is a test): training tokens/s (forward + backward in one
// onnxruntime run, then the fused clip + AdamW pass) against the peer measured in the same run,
// the forward-only tokens/s of the same training-step graph (no trainable parameter: forward +
// loss, no backward, no optimizer), same weights, same batch; then, in the real models' shape
// (random-375m), two optimizer steps at 2 x 512 and the seed's SFT settings (8 GSM8K items,
// batch 2, accumulation 2) next to transformers' figures from peer-transformers.json, with peak
// RSS. One process per row.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { busy, machineLine, startCpuProbe } from '@exp/bench-kit/machine';
import { formatTable } from '@exp/bench-kit/table';
import { runtimeVersions } from '@exp/models';
import type { BenchMode, ChildResult } from './child.js';
import { gib, limitLine, peerLine, ratio, sameLoss, tokensPerS } from './format.js';
import { isTrainBenchModel, type TrainBenchModel } from './model.js';
import { PEER_FILE, readPeerFigures } from './peer.js';

const USAGE = `usage: pnpm bench train [options]

Training tokens/s (TrainingStep.run = forward + backward, then the fused clip + AdamW pass) next
to forward-only tokens/s of the same graph without gradients, same weights and batch, with each
row's peak RSS (one process per row); then a random model in the real models' shape
(random-375m): two optimizer steps at 2 x 512 tokens, and the seed's SFT settings (the first 8
GSM8K train items, batch 2, accumulation 2, padded to the longest row; needs EXP_GSM8K_DIR),
each next to transformers' figures from bench/peer-transformers.json, with peak RSS.

  --models LIST     models of the table (default tiny-llama,tiny-diffllama,random-58m)
  --batch N         rows per batch (default 2)
  --seq N           tokens per row (default 256)
  --steps N         timed steps per row, after one untimed warm-up step (default 3)
  --threads N       onnxruntime intra-op threads (default 2)
  --skip-real       skip the real-shape rows
  --skip-seed       skip the real-shape row at the seed's SFT settings
  --real-batch N    batch of the real-shape step (default 2)
  --real-seq N      tokens per row of the real-shape step (default 512)
  --quick           tiny presets only, 1 timed step, no real-shape step
  --help            this text
`;

/** 24 GB (decimal, 24e9 bytes: the stricter reading of a "24 GB" card or machine). */
const LIMIT_BYTES = 24e9;
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const log = (s: string) => process.stderr.write(`${s}\n`);

function positiveInt(what: string, s: string): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${what} must be a positive integer, got '${s}'`);
  return v;
}

type Row = ChildResult & { busyPct: number | null };

async function child(args: string[]): Promise<Row> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.ts');
  const probe = startCpuProbe();
  // execArgv carries tsx's loader into the child; a failed child rejects with its stderr
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...process.execArgv, file, ...args],
    { maxBuffer: 1 << 24 },
  );
  return { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult), busyPct: probe() };
}

async function trainCommand(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string', default: 'tiny-llama,tiny-diffllama,random-58m' },
      batch: { type: 'string', default: '2' },
      seq: { type: 'string', default: '256' },
      steps: { type: 'string', default: '3' },
      threads: { type: 'string', default: '2' },
      'skip-real': { type: 'boolean', default: false },
      'skip-seed': { type: 'boolean', default: false },
      'real-batch': { type: 'string', default: '2' },
      'real-seq': { type: 'string', default: '512' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const models = values.quick ? ['tiny-llama', 'tiny-diffllama'] : list(values.models);
  for (const m of models) {
    if (!isTrainBenchModel(m) || m === 'random-375m') {
      throw new Error(`unknown --models entry ${m}; known: tiny-llama, tiny-diffllama, random-58m`);
    }
  }
  const batch = positiveInt('batch', values.batch);
  const seq = positiveInt('seq', values.seq);
  const steps = values.quick ? 1 : positiveInt('steps', values.steps);
  const threads = positiveInt('threads', values.threads);
  const realBatch = positiveInt('real-batch', values['real-batch']);
  const realSeq = positiveInt('real-seq', values['real-seq']);
  const skipReal = values.quick || values['skip-real'];

  const common = ['--threads', String(threads)];
  const measure = (model: TrainBenchModel, mode: BenchMode) => {
    log(`${model}: ${mode}, batch ${batch} x ${seq} tokens, 1 warm-up + ${steps} steps`);
    return child([
      ...common,
      '--model',
      model,
      '--mode',
      mode,
      '--batch',
      String(batch),
      '--seq',
      String(seq),
      '--steps',
      String(steps),
    ]);
  };
  const pairs: { train: Row; forward: Row }[] = [];
  for (const m of models as TrainBenchModel[]) {
    const forward = await measure(m, 'forward');
    const train = await measure(m, 'train');
    pairs.push({ train, forward });
  }
  const peer = readPeerFigures();
  let real: Row | undefined;
  let seedRow: Row | undefined;
  if (!skipReal) {
    log(`random-375m: two training steps, batch ${realBatch} x ${realSeq} tokens (a few minutes)`);
    real = await child([
      ...common,
      '--model',
      'random-375m',
      '--mode',
      'train',
      '--batch',
      String(realBatch),
      '--seq',
      String(realSeq),
      '--steps',
      '2',
      '--warmup',
      '0',
    ]);
  }
  if (!skipReal && !values['skip-seed']) {
    log('random-375m: the seed settings, 8 GSM8K items, batch 2, accumulation 2 (a few minutes)');
    seedRow = await child([
      ...common,
      '--model',
      'random-375m',
      '--mode',
      'train',
      '--gsm8k',
      '8',
      '--batch',
      '2',
      '--accum',
      '2',
    ]);
  }

  const v = runtimeVersions();
  console.log(
    `pnpm bench train: ${machineLine()}, onnxruntime-node ${v['onnxruntime-node']}; ` +
      `${threads} threads; batch ${batch} x ${seq} tokens, 1 untimed warm-up + ${steps} timed ` +
      `step${steps > 1 ? 's' : ''} per row; seeded random weights in memory\n`,
  );
  console.log(
    formatTable(
      [
        'model',
        'params',
        'forward tok/s',
        'train tok/s',
        'train vs forward',
        'train s/step (run + AdamW)',
        'forward peak RSS',
        'train peak RSS',
        'peak vs forward',
        'same loss',
        'other load',
      ],
      pairs.map(({ train, forward }) => {
        const fwd = tokensPerS(forward.tokens, 1, forward.runS);
        const trn = tokensPerS(train.tokens, 1, train.runS + train.optimS);
        const perStep = (s: number) => (s / train.steps).toFixed(2);
        return [
          train.model,
          `${(train.parameters / 1e6).toFixed(1)}M`,
          fwd.toFixed(0),
          trn.toFixed(0),
          ratio(trn, fwd),
          `${perStep(train.runS + train.optimS)} (${perStep(train.runS)} + ${perStep(train.optimS)})`,
          gib(forward.maxRssBytes),
          gib(train.maxRssBytes),
          ratio(train.maxRssBytes, forward.maxRssBytes),
          sameLoss(train.firstLoss, forward.firstLoss) ? 'yes' : 'NO',
          `${busy(forward.busyPct)} / ${busy(train.busyPct)}`,
        ];
      }),
    ),
  );
  console.log(
    '\ntrain: TrainingStep.run (forward + backward, one onnxruntime run), then one fused ' +
      'clip(1.0) + AdamW pass (lr 1e-4), all parameters trainable; forward (the peer): the same training-step ' +
      'graph built with no trainable parameter (forward + loss, no backward, no optimizer). ' +
      'tok/s: batch x seq per timed step. same loss: the first step (initial weights) gives the ' +
      'same loss in both. peak RSS: the whole process (getrusage maxRSS). other load: CPU share ' +
      'of other processes (forward / train).' +
      (models.includes('random-58m')
        ? ' random-58m: vocab 32000, hidden 512, 8 layers, MHA (8 heads, 8 KV heads), MLP ' +
          '1408, untied.'
        : ''),
  );
  const perStep = (r: Row) =>
    r.stepS.map(
      ([run, opt]) => `${(run + opt).toFixed(1)} (${run.toFixed(1)} + ${opt.toFixed(1)})`,
    );
  if (real) {
    const s = (real.runS + real.optimS) / real.steps;
    console.log(
      `\nreal shape (random-375m: vocab 128256, hidden 1024, 16 layers, 16 heads / 4 KV heads, ` +
        `MLP 4096, tied, llama3 rope; ${(real.parameters / 1e6).toFixed(1)}M params), ` +
        `${real.steps} training steps at batch ${real.batch} x ${real.seq} tokens: ` +
        `${perStep(real).join(', ')} s (run + accumulate/clip/AdamW; the first allocates ` +
        `AdamW's moments), mean ${s.toFixed(1)} s; AdamW pass ` +
        `${((real.adamS * 1e9) / real.steps / real.parameters).toFixed(1)} ns/param; loss ` +
        `${real.firstLoss.toFixed(3)} -> ${real.lastLoss.toFixed(3)}; session ` +
        `${real.sessionS.toFixed(1)} s, RSS before the first step ${gib(real.setupRssBytes)}, ` +
        `other load ${busy(real.busyPct)}`,
    );
    console.log(
      peerLine('2 x 512', s, real.tokens / real.steps, real.maxRssBytes, peer.rows['2x512']),
    );
    console.log(limitLine(real.maxRssBytes, LIMIT_BYTES, '24 GB'));
  }
  if (seedRow) {
    const r = seedRow;
    const s = (r.runS + r.optimS) / r.steps;
    console.log(
      `\nseed settings (random-375m; the first ${r.gsm8k} GSM8K train items, real Llama 3 ` +
        `tokenizer, 'sft' format, batch ${r.batch}, accumulation ${r.accum}, padded to the ` +
        `longest row): ${r.steps} optimizer steps of ${(r.tokens / r.steps).toFixed(0)} tokens ` +
        `(${(r.labelTokens / r.steps).toFixed(0)} label tokens) on average: ` +
        `${perStep(r).join(', ')} s (run + accumulate/clip/AdamW), mean ${s.toFixed(1)} s, ` +
        `losses ${r.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(3)}, ` +
        `other load ${busy(r.busyPct)}`,
    );
    console.log(peerLine('seed settings', s, r.tokens / r.steps, r.maxRssBytes, peer.rows.seed));
  }
  if (real || seedRow) console.log(`peer: ${peer.peer}; figures from ${PEER_FILE}`);
}

const [command = 'train', ...rest] = process.argv.slice(2);
if (command === 'train') await trainCommand(rest);
else if (command === '--help' || command === '-h') process.stdout.write(USAGE);
else {
  console.error(`unknown bench '${command}'; available: train`);
  process.exit(2);
}
