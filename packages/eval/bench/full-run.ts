// `pnpm bench full-run`: how long the seed's run takes on this machine, projected from rates
// measured in the same run on the real models' shape. Nothing here is a test.
//
// The run: 2 models x 4 sets (clean, INF, RCS, SD), zero-shot evaluation, SFT (500 items x 2
// epochs per model, micro-batch 2, accumulation 2, padded to the longest), post-SFT evaluation;
// quick 20, standard 200, full 1,319 samples per set. Evaluation is greedy with the seed
// protocol's repetition penalty 1.1 (in the decode graph), continuous batching at the run's
// batch size, each prompt prefilled alone. Rates: prefill s/token and decode s/step at the run's
// batch (and fewer rows, for the tail of a set) of random models of the real shape built in
// memory, with fewer layers, extrapolated to 16 (real-shape-rates.ts); one SFT step of the
// real shape (@exp/train's bench child, at the mean padded length of the SFT micro-batches).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadGsm8k } from '@exp/data';
import { measureGemm, type GemmRate } from '@exp/bench-kit/in-memory';
import { busy, machineLine, startCpuProbe } from '@exp/bench-kit/machine';
import { RANDOM_375M } from '@exp/bench-kit/models';
import { REPO_ROOT, gsm8kDir, type Log } from '@exp/bench-kit/paths';
import { formatTable } from '@exp/bench-kit/table';
import { bundledLlama3TokenizerDir, loadTokenizer } from '@exp/models';
import { batchPlan } from '@exp/train';
import {
  flopsPerToken,
  measureRealShapeRates,
  stepSeconds,
  type Rates,
} from './real-shape-rates.js';

export interface FullRunOptions {
  /** Continuous-batching rows (exp run's --batch-size, default DEFAULT_BATCH_SIZE). */
  batch: number;
  threads: number;
  /** Layer counts measured (extrapolated to 16), or 16 alone. */
  layers: number[];
  /** Mean new tokens of a GSM8K-like answer (stop at EOS). */
  gsm8kNew: number;
  /** New tokens of the worst case (every sample runs to max_new_tokens). */
  worstNew: number;
  sftSamples: number;
  sftEpochs: number;
  sftBatch: number;
  sftAccum: number;
  /** Measure one SFT step (a few minutes, ~17 GB), or take seconds per step as given. */
  sft: 'measure' | { runSPerToken: number; optimS: number };
  /** Extra batch sizes whose decode rate is reported against the GEMM rate. */
  efficiencyBatches: number[];
  steps: number;
}

export const MODES = [
  { name: 'quick', samples: 20, colab: '30-60 min (SFT off)' },
  { name: 'standard', samples: 200, colab: '2-4 h' },
  { name: 'full', samples: 1319, colab: '6-12 h' },
] as const;
const SETS = 4;
const MODELS = ['llama', 'diffllama'] as const;

/** One set of evaluation under continuous batching: prefills alone, steps of the running rows. */
export function simulateSet(
  promptLengths: readonly number[],
  newLengths: readonly number[],
  batch: number,
  prefillS: (tokens: number) => number,
  stepS: (rows: number) => number,
): { seconds: number; prefillSeconds: number; steps: number; tokens: number } {
  const pending = promptLengths.map((_, i) => i);
  const left: number[] = []; // steps each running row still needs
  let seconds = 0;
  let prefillSeconds = 0;
  let steps = 0;
  let tokens = 0;
  for (;;) {
    while (left.length < batch && pending.length) {
      const i = pending.shift()!;
      const p = prefillS(promptLengths[i]!);
      seconds += p;
      prefillSeconds += p;
      tokens += newLengths[i]!;
      if (newLengths[i]! > 1) left.push(newLengths[i]! - 1); // the prefill chose the first
    }
    if (!left.length) break;
    seconds += stepS(left.length);
    steps++;
    for (let r = left.length - 1; r >= 0; r--) if (--left[r]! === 0) left.splice(r, 1);
  }
  return { seconds, prefillSeconds, steps, tokens };
}

interface SftChild {
  runS: number;
  optimS: number;
  steps: number;
  batch: number;
  seq: number;
  maxRssBytes: number;
}

async function measureSftStep(seq: number, batch: number, threads: number, log: Log) {
  // @exp/train's bench child, run as a script (not imported): its SFT step is the one measured
  const file = path.join(REPO_ROOT, 'packages/train/bench/child.ts');
  log(`SFT: one timed training step of random-375m at ${batch} x ${seq} (a few minutes)`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      ...process.execArgv,
      file,
      ...['--model', 'random-375m', '--mode', 'train', '--batch', String(batch)],
      ...['--seq', String(seq), '--steps', '1', '--warmup', '1', '--threads', String(threads)],
    ],
    { maxBuffer: 1 << 24 },
  );
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as SftChild;
  return {
    runSPerToken: r.runS / r.steps / (r.batch * r.seq),
    optimS: r.optimS / r.steps,
    maxRssBytes: r.maxRssBytes,
    seq: r.seq,
  };
}

const hours = (s: number) =>
  s < 3600 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`;

export async function fullRunCommand(o: FullRunOptions, log: Log): Promise<void> {
  const probe = startCpuProbe();
  const tokenizer = await loadTokenizer(bundledLlama3TokenizerDir());
  const test = loadGsm8k('test', { dir: gsm8kDir() });
  const train = loadGsm8k('train', { dir: gsm8kDir() });
  // the seed protocol's prompt: the bare question (BOS added)
  const promptLengths = test.map((p) => tokenizer.encode(p.question).ids.length);
  const solutionLengths = test.map(
    (p) => tokenizer.encode(p.answer, { addSpecialTokens: false }).ids.length,
  );
  const meanPrompt = promptLengths.reduce((a, b) => a + b, 0) / promptLengths.length;
  const meanSolution = solutionLengths.reduce((a, b) => a + b, 0) / solutionLengths.length;
  // GSM8K-like: each sample stops at EOS after its reference solution's length, scaled so
  // that the mean is gsm8kNew (a fine-tuned model writes longer than the reference)
  const scenarios = [
    {
      name: `worst case (${o.worstNew} new tokens every sample)`,
      short: 'worst',
      newLengths: test.map(() => o.worstNew),
    },
    {
      name: `GSM8K-like (EOS after ~${o.gsm8kNew} tokens: reference solution lengths x ${(o.gsm8kNew / meanSolution).toFixed(2)})`,
      short: 'GSM8K-like',
      newLengths: solutionLengths.map((n) =>
        Math.max(1, Math.min(o.worstNew, Math.round((n * o.gsm8kNew) / meanSolution))),
      ),
    },
  ];
  const midContext = (s: (typeof scenarios)[number]) =>
    Math.round(meanPrompt + s.newLengths.reduce((a, b) => a + b, 0) / s.newLengths.length / 2);

  log('GEMM: onnxruntime MatMul, fp32');
  const gemms: GemmRate[] = [
    await measureGemm({ m: 2048, k: 2048, n: 2048 }, o.threads),
    await measureGemm({ m: 16, k: 1024, n: 4096 }, o.threads, 50),
    await measureGemm({ m: 16, k: 1024, n: 128256 }, o.threads, 10),
  ];
  const peak = gemms[0]!.gflops;

  const batches = [...new Set([1, o.batch, ...o.efficiencyBatches])].sort((a, b) => a - b);
  const contexts = [...new Set(scenarios.map(midContext))].sort((a, b) => a - b);
  const prefillLengths = promptLengths.slice(0, 24);
  const rates: Record<string, Rates> = {};
  for (const model of MODELS) {
    log(`${model}: rates`);
    const shape = model === 'llama' ? RANDOM_375M : { ...RANDOM_375M, model_type: 'diffllama' };
    rates[model] = await measureRealShapeRates(
      {
        layers: o.layers,
        targetLayers: 16,
        threads: o.threads,
        batches,
        contexts,
        steps: o.steps,
        prefillLengths,
        penalty: 1.1,
      },
      log,
      shape,
    );
  }

  // SFT: the micro-batches of every epoch (shuffled windows sorted by length, as @exp/train)
  const sftLengths = train
    .slice(0, o.sftSamples)
    .map((p) => tokenizer.encode(`Question: ${p.question}\n\nAnswer: ${p.answer}`).ids.length + 1);
  const micro: number[] = []; // padded tokens per micro-batch
  let optimizerSteps = 0;
  for (let epoch = 0; epoch < o.sftEpochs; epoch++) {
    const plan = batchPlan(sftLengths, { batchSize: o.sftBatch, seed: 42, epoch });
    plan.forEach((b) => micro.push(b.length * Math.max(...b.map((i) => sftLengths[i]!))));
    optimizerSteps += Math.ceil(plan.length / o.sftAccum);
  }
  const meanRow = micro.reduce((a, b) => a + b, 0) / micro.length / o.sftBatch;
  const sft =
    o.sft === 'measure'
      ? await measureSftStep(Math.round(meanRow), o.sftBatch, o.threads, log)
      : { ...o.sft, maxRssBytes: null, seq: null };
  const sftRunS = micro.reduce((a, b) => a + b, 0) * sft.runSPerToken;
  const sftPerModelS = sftRunS + optimizerSteps * sft.optimS;
  const busyPct = probe();

  // ---- report
  const c = rates.llama!.config;
  console.log(
    `pnpm bench full-run: ${machineLine()}; ${o.threads} threads; other load ${busy(busyPct)}`,
  );
  console.log(
    `\nreal shape: vocab ${c.vocabSize}, hidden ${c.hiddenSize}, 16 layers, ${c.numHeads}/${c.numKvHeads} heads, ` +
      `MLP ${c.intermediateSize}, tied; random weights in memory, fused external-KV decode graph; ` +
      (o.layers.length === 2
        ? `measured at ${o.layers.join(' and ')} layers, extrapolated linearly to 16`
        : 'measured at 16 layers'),
  );
  console.log(
    `GEMM (onnxruntime MatMul fp32, constant pre-packed B): ${gemms.map((g) => `[${g.m}x${g.k}]x[${g.k}x${g.n}] ${g.gflops.toFixed(0)} GFLOP/s`).join(', ')}`,
  );
  console.log(
    `GSM8K test prompts: mean ${meanPrompt.toFixed(0)} tokens; reference solutions: mean ` +
      `${meanSolution.toFixed(0)} tokens (Llama 3 tokenizer)\n`,
  );

  console.log('## rates (16 layers)\n');
  const rateRows: string[][] = [];
  for (const model of MODELS) {
    const t = rates[model]!.target;
    for (const ctx of contexts) {
      for (const b of batches) {
        const s = stepSeconds(t, b, ctx);
        const tokS = b / s;
        const gflops = (tokS * flopsPerToken(rates[model]!.config, ctx)) / 1e9;
        rateRows.push([
          model,
          String(b),
          String(ctx),
          `${(s * 1000).toFixed(1)} ms`,
          tokS.toFixed(1),
          `${gflops.toFixed(0)} GFLOP/s`,
          `${(gflops / peak).toFixed(2)}`,
          ctx === contexts[0] && b === batches[0] ? (1 / t.prefillSPerToken).toFixed(0) : '',
        ]);
      }
    }
  }
  console.log(
    formatTable(
      [
        'model',
        'batch',
        'context',
        'decode step',
        'decode tok/s',
        'achieved',
        'of GEMM 2048^3',
        'prefill tok/s (alone)',
      ],
      rateRows,
    ),
  );
  console.log(
    `\nflops per generated token: ${(flopsPerToken(c, 0) / 1e9).toFixed(3)} GFLOP + attention ` +
      `(${((flopsPerToken(c, 1000) - flopsPerToken(c, 0)) / 1e9).toFixed(3)} GFLOP per 1,000 context)`,
  );
  console.log(
    `SFT: ${micro.length} micro-batches of ${o.sftBatch} (mean ${meanRow.toFixed(0)} tokens a row, ` +
      `padded), ${optimizerSteps} optimizer steps per model; ` +
      (sft.seq !== null ? `measured at ${o.sftBatch} x ${sft.seq}: ` : 'given: ') +
      `${(sft.runSPerToken * o.sftBatch * meanRow).toFixed(1)} s per micro-batch, ` +
      `${sft.optimS.toFixed(1)} s clip + AdamW per optimizer step` +
      (sft.maxRssBytes ? `, peak RSS ${(sft.maxRssBytes / 2 ** 30).toFixed(1)} GiB` : '') +
      ` -> ${hours(sftPerModelS)} per model (${(sftPerModelS / optimizerSteps).toFixed(1)} s per optimizer step)\n`,
  );

  console.log(
    `## projection: ${MODELS.length} models x ${SETS} sets, zero-shot + post-SFT evaluation at batch ${o.batch}, ` +
      `SFT ${o.sftSamples} x ${o.sftEpochs} per model\n`,
  );
  const rows: string[][] = [];
  for (const mode of MODES) {
    for (const s of scenarios) {
      let evalS = 0;
      let prefS = 0;
      const ctx = midContext(s);
      for (const model of MODELS) {
        const t = rates[model]!.target;
        const n = Math.min(mode.samples, test.length);
        const one = simulateSet(
          promptLengths.slice(0, n),
          s.newLengths.slice(0, n),
          o.batch,
          (tokens) => tokens * t.prefillSPerToken,
          (r) => stepSeconds(t, r, ctx),
        );
        // zero-shot and post-SFT, 4 sets each (the noisy sets' prompts are ~5% longer: ignored)
        evalS += 2 * SETS * one.seconds;
        prefS += 2 * SETS * one.prefillSeconds;
      }
      const sftS = MODELS.length * sftPerModelS;
      rows.push([
        mode.name,
        String(Math.min(mode.samples, test.length)),
        s.short,
        hours(evalS),
        `${((100 * prefS) / evalS).toFixed(0)}%`,
        hours(sftS),
        hours(evalS + sftS),
        mode.colab,
      ]);
    }
  }
  console.log(
    formatTable(
      [
        'mode',
        'per set',
        'answers',
        'evaluation',
        'of it prefill',
        'SFT',
        'total (this CPU)',
        'seed on a Colab GPU',
      ],
      rows,
    ),
  );
  for (const s of scenarios) console.log(`${s.short}: ${s.name}`);
  console.log(
    'Not counted: data generation and attention analysis (seconds to minutes), model export, ' +
      'checkpoint writes. The seed on Colab: its own report (its quick mode skipped SFT).',
  );
}
