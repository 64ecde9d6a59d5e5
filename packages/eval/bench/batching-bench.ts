// Part "batching": static batching against the continuous-batching scheduler on a mixed-length
// workload. GSM8K test questions are the prompts; each row stops after a length drawn (seeded)
// from the token lengths of GSM8K reference solutions, the same draw for every mode, so all
// modes must give the same tokens (greedy results are batch invariant).
import { createRng, loadGsm8k } from '@exp/data';
import {
  PerPromptMaxNewTokensCriteria,
  loadCausalLM,
  loadTokenizer,
  type CausalLM,
  type HfTokenizer,
} from '@exp/models';
import { inMemoryCausalLM } from '@exp/bench-kit/in-memory';
import { startCpuProbe } from '@exp/bench-kit/machine';
import { RANDOM_375M, prepareBenchModel } from '@exp/bench-kit/models';
import { gsm8kDir, type Log } from '@exp/bench-kit/paths';

export const BATCHING_TARGET = 1.5;

export interface BatchingOptions {
  prompts: number;
  batchSize: number;
  /** Stop lengths are capped at this (also maxNewTokens). */
  cap: number;
  seed: number;
  threads: number;
  repeats: number;
}

export type BatchingMode = 'static, padded' | 'static, generate()' | 'continuous';
export const BATCHING_MODES: readonly BatchingMode[] = [
  'static, padded',
  'static, generate()',
  'continuous',
];

export interface BatchingMeasurement {
  model: string;
  mode: BatchingMode;
  /** Tokens the rows keep (the sum of the stop lengths). */
  tokens: number;
  seconds: number;
  tokPerS: number;
  /** Decoding steps (prefills included in the step they join). */
  steps: number;
  /** Rows computed per step, on average (padded rows included). */
  rowsPerStep: number;
  /** Whether the tokens equal the first mode's. */
  same: boolean;
  busyPct: number | null;
}

export interface Workload {
  prompts: number[][];
  limits: number[];
  /** Mean and max of the drawn stop lengths. */
  mean: number;
  max: number;
}

/** The first n test questions, and stop lengths drawn from all test solutions' lengths. */
export function mixedWorkload(tokenizer: HfTokenizer, vocab: number, o: BatchingOptions): Workload {
  const test = loadGsm8k('test', { dir: gsm8kDir() });
  const lengths = test.map((p) =>
    Math.min(o.cap, tokenizer.encode(p.answer, { addSpecialTokens: false }).ids.length),
  );
  const rng = createRng(o.seed).fork('stop-lengths');
  // a model with a smaller vocabulary (random weights) gets the ids folded into it
  const prompts = test
    .slice(0, o.prompts)
    .map((p) => tokenizer.encode(p.question).ids.map((id) => id % vocab));
  const limits = prompts.map(() => lengths[rng.int(lengths.length)]!);
  const sum = limits.reduce((a, b) => a + b, 0);
  return { prompts, limits, mean: sum / limits.length, max: Math.max(...limits) };
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

interface ModeRun {
  tokens: number[][];
  steps: number;
  rowSteps: number;
}

/**
 * One mode over the workload. 'static, padded' is classic static batching: each chunk of
 * batchSize prompts runs until its longest row ends, every row computed to the end (their
 * tokens cut at their stop length afterwards). 'static, generate()': the same chunks through
 * generate() with the per-prompt stops, which drops finished rows from the batch once nothing
 * waits (the chunk still ends with its longest row). 'continuous': generateStream, a freed row
 * taking the next prompt.
 */
async function runMode(
  lm: CausalLM,
  w: Workload,
  mode: BatchingMode,
  o: BatchingOptions,
): Promise<ModeRun> {
  const n = w.prompts.length;
  const tokens: number[][] = new Array<number[]>(n);
  let steps = 0;
  let rowSteps = 0;
  const ids = w.prompts.map((_, i) => i);
  if (mode === 'continuous') {
    let last = 0;
    for await (const { index, result } of lm.generateStream(w.prompts, {
      batchSize: o.batchSize,
      maxNewTokens: o.cap,
      stopTokenIds: [],
      stoppingCriteria: [new PerPromptMaxNewTokensCriteria(w.limits)],
      onProgress: (p) => {
        steps++;
        rowSteps += p.generatedTokens - last;
        last = p.generatedTokens;
      },
    })) {
      tokens[index] = result.tokens;
    }
    return { tokens, steps, rowSteps };
  }
  for (const chunk of chunks(ids, o.batchSize)) {
    const limits = chunk.map((i) => w.limits[i]!);
    const padded = mode === 'static, padded';
    let before: readonly boolean[] = chunk.map(() => false);
    const res = await lm.generate(
      chunk.map((i) => w.prompts[i]!),
      {
        maxNewTokens: padded ? Math.max(...limits) : o.cap,
        stopTokenIds: [],
        stoppingCriteria: padded ? [] : [new PerPromptMaxNewTokensCriteria(limits)],
        onToken: (_step, _tokens, finished) => {
          // the rows computed in a step are those not finished before it
          steps++;
          rowSteps += before.filter((f) => !f).length;
          before = finished;
        },
      },
    );
    chunk.forEach((i, r) => (tokens[i] = res[r]!.tokens.slice(0, w.limits[i])));
  }
  return { tokens, steps, rowSteps };
}

export async function benchBatching(
  modelName: 'tiny-llama' | 'random-58m' | 'random-375m',
  o: BatchingOptions,
  log: Log,
): Promise<{ workload: Workload; rows: BatchingMeasurement[] }> {
  // the tiny preset carries the Llama-3 tokenizer; random models use it too (ids folded)
  const tokModel = await prepareBenchModel('tiny-llama', log);
  const tokenizer = await loadTokenizer(tokModel.dir);
  // the real shape is built in memory (no 1.5 GB export), the others exported once
  const lm =
    modelName === 'random-375m'
      ? ((await inMemoryCausalLM(RANDOM_375M, { threads: o.threads })).lm as unknown as CausalLM)
      : await loadCausalLM((await prepareBenchModel(modelName, log)).dir, { threads: o.threads });
  try {
    const w = mixedWorkload(tokenizer, lm.config.vocabSize, o);
    await lm.generate(w.prompts.slice(0, 2), { maxNewTokens: 4, stopTokenIds: [] }); // warm-up
    const rows: BatchingMeasurement[] = [];
    let reference: number[][] | null = null;
    const useful = w.limits.reduce((a, b) => a + b, 0);
    for (const mode of BATCHING_MODES) {
      let best: (ModeRun & { seconds: number; busyPct: number | null }) | null = null;
      for (let i = 0; i < o.repeats; i++) {
        const probe = startCpuProbe();
        const t0 = performance.now();
        const r = await runMode(lm, w, mode, o);
        const seconds = (performance.now() - t0) / 1000;
        if (!best || seconds < best.seconds) best = { ...r, seconds, busyPct: probe() };
      }
      const b = best!;
      reference ??= b.tokens;
      rows.push({
        model: modelName,
        mode,
        tokens: useful,
        seconds: b.seconds,
        tokPerS: useful / b.seconds,
        steps: b.steps,
        rowsPerStep: b.rowSteps / b.steps,
        same: JSON.stringify(b.tokens) === JSON.stringify(reference),
        busyPct: b.busyPct,
      });
      log(`  batching ${modelName} ${mode}: ${rows.at(-1)!.tokPerS.toFixed(0)} tok/s`);
    }
    return { workload: w, rows };
  } finally {
    await lm.dispose();
  }
}
