// Batched greedy generation throughput: our runtime (each generation path) next to
// transformers.js running the same exported model.onnx on the same onnxruntime-node.
import path from 'node:path';
import {
  AutoModelForCausalLM,
  BaseStreamer,
  Tensor,
  env as tjsEnv,
} from '@huggingface/transformers';
import { createRng } from '@exp/data';
import { startCpuProbe } from './machine.js';
import type { BenchModel } from './models.js';
import { loadCausalLM, type CausalLM, type Device } from './models-src.js';

export interface GenerateBenchOptions {
  batches: number[];
  promptLength: number;
  newTokens: number;
  threads: number;
  /** Where exp's runners run (default cpu; transformers.js stays on CPU, left out on CUDA). */
  device?: Device;
  /** Timed runs per configuration; the fastest counts (the machine may be shared). */
  repeats: number;
  runners: RunnerKind[];
}

export type RunnerKind = 'external-kv' | 'present' | 'transformers.js';

interface Runner {
  label: string;
  /** Greedy generation; calls onFirstToken once the prefill token is chosen. */
  generate(prompts: number[][], newTokens: number, onFirstToken: () => void): Promise<number[][]>;
  dispose(): Promise<void>;
}

export interface Measurement {
  model: string;
  batch: number;
  runner: string;
  prefillTokPerS: number;
  decodeTokPerS: number;
  prefillMs: number;
  decodeMs: number;
  /** Other processes' share of the CPUs during the best run, %. */
  busyPct: number | null;
  /** Whether the generated ids equal the reference runner's (null for the reference itself). */
  sameTokens: boolean | null;
  /** transformers.js, or exp (present) where transformers.js cannot run the model. */
  reference: string | null;
}

/** A left-padded batch for transformers.js: ids and mask, row-major [batch, seq]. */
function leftPad(prompts: readonly (readonly number[])[], padTokenId: number) {
  const batch = prompts.length;
  const seq = Math.max(...prompts.map((p) => p.length));
  const ids = new BigInt64Array(batch * seq).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(batch * seq);
  prompts.forEach((p, b) => {
    const at = b * seq + seq - p.length;
    p.forEach((id, i) => (ids[at + i] = BigInt(id)));
    mask.fill(1n, at, at + p.length);
  });
  return { batch, seq, ids, mask };
}

function randomPrompts(batch: number, length: number, vocab: number): number[][] {
  const rng = createRng(1234);
  return Array.from({ length: batch }, () =>
    Array.from({ length }, () => 3 + Math.floor(rng.next() * (vocab - 3))),
  );
}

async function ourRunner(
  model: BenchModel,
  kind: 'external-kv' | 'present',
  threads: number,
  device: Device,
): Promise<Runner | null> {
  let lm: CausalLM;
  try {
    lm = await loadCausalLM(model.dir, { decoder: kind, threads, device });
  } catch (e) {
    if (kind === 'external-kv') return null; // e.g. DiffLlama: no external-kv graph
    throw e;
  }
  return {
    label: `exp (${lm.generationPath})`,
    async generate(prompts, newTokens, onFirstToken) {
      const res = await lm.generate(prompts, {
        maxNewTokens: newTokens,
        stopTokenIds: [],
        onToken: (step) => {
          if (step === 0) onFirstToken();
        },
      });
      return res.map((r) => r.tokens);
    },
    dispose: () => lm.dispose(),
  };
}

async function transformersJsRunner(model: BenchModel, threads: number): Promise<Runner | null> {
  tjsEnv.allowRemoteModels = false;
  tjsEnv.localModelPath = path.dirname(model.dir);
  let tjs: Awaited<ReturnType<typeof AutoModelForCausalLM.from_pretrained>>;
  try {
    tjs = await AutoModelForCausalLM.from_pretrained(path.basename(model.dir), {
      local_files_only: true,
      subfolder: '',
      model_file_name: 'model',
      dtype: 'fp32',
      device: 'cpu',
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
    });
  } catch {
    return null; // architecture transformers.js does not know (DiffLlama)
  }
  return {
    label: 'transformers.js',
    async generate(prompts, newTokens, onFirstToken) {
      const padded = leftPad(prompts, 0);
      let puts = 0;
      const streamer = new (class extends BaseStreamer {
        override put(): void {
          puts += 1;
          if (puts === 2) onFirstToken(); // the first put is the prompt itself
        }
        override end(): void {}
      })();
      const out = (await tjs.generate({
        input_ids: new Tensor('int64', padded.ids, [padded.batch, padded.seq]),
        attention_mask: new Tensor('int64', padded.mask, [padded.batch, padded.seq]),
        max_new_tokens: newTokens,
        min_new_tokens: newTokens,
        do_sample: false,
        eos_token_id: null,
        streamer,
      } as unknown as Parameters<typeof tjs.generate>[0])) as Tensor;
      const rows = out.tolist() as bigint[][];
      return rows.map((r) => r.slice(padded.seq).map(Number));
    },
    dispose: async () => {
      await tjs.dispose();
    },
  };
}

async function timeRun(runner: Runner, prompts: number[][], newTokens: number) {
  const probe = startCpuProbe();
  const t0 = performance.now();
  let tFirst = 0;
  const tokens = await runner.generate(prompts, newTokens, () => {
    tFirst = performance.now();
  });
  const tEnd = performance.now();
  return { prefillMs: tFirst - t0, decodeMs: tEnd - tFirst, tokens, busyPct: probe() };
}

export async function benchGenerate(
  model: BenchModel,
  vocabSize: number,
  opts: GenerateBenchOptions,
  log: (s: string) => void,
): Promise<Measurement[]> {
  const results: Measurement[] = [];
  const runners: Runner[] = [];
  // reference first (transformers.js, else our present path), so the others compare with it
  for (const kind of ['transformers.js', 'present', 'external-kv'] as const) {
    if (!opts.runners.includes(kind)) continue;
    if (kind === 'transformers.js' && (opts.device ?? 'cpu') !== 'cpu') {
      log(`  ${model.name}: transformers.js runs on CPU here, skipped on ${opts.device}`);
      continue;
    }
    const r =
      kind === 'transformers.js'
        ? await transformersJsRunner(model, opts.threads)
        : await ourRunner(model, kind, opts.threads, opts.device ?? 'cpu');
    if (r) runners.push(r);
    else log(`  ${model.name}: ${kind} not available for this model, skipped`);
  }
  try {
    for (const batch of opts.batches) {
      const prompts = randomPrompts(batch, opts.promptLength, vocabSize);
      let reference: { label: string; tokens: number[][] } | null = null;
      for (const runner of runners) {
        await runner.generate(prompts, 4, () => {}); // warm-up: allocations, thread pool
        let best: Awaited<ReturnType<typeof timeRun>> | null = null;
        for (let i = 0; i < opts.repeats; i++) {
          const m = await timeRun(runner, prompts, opts.newTokens);
          if (!best || m.prefillMs + m.decodeMs < best.prefillMs + best.decodeMs) best = m;
        }
        const m = best!;
        const isReference = reference === null;
        if (isReference) reference = { label: runner.label, tokens: m.tokens };
        const decoded = batch * (opts.newTokens - 1);
        results.push({
          model: model.name,
          batch,
          runner: runner.label,
          prefillMs: m.prefillMs,
          decodeMs: m.decodeMs,
          prefillTokPerS: (batch * opts.promptLength * 1000) / m.prefillMs,
          decodeTokPerS: (decoded * 1000) / m.decodeMs,
          busyPct: m.busyPct,
          sameTokens: isReference
            ? null
            : JSON.stringify(reference!.tokens) === JSON.stringify(m.tokens),
          reference: isReference ? null : reference!.label,
        });
        log(
          `  ${model.name} B=${batch} ${runner.label}: decode ${results.at(-1)!.decodeTokPerS.toFixed(0)} tok/s`,
        );
      }
    }
  } finally {
    for (const r of runners) await r.dispose();
  }
  return results;
}
