// `pnpm bench generate [--models a,b] [--batches 1,16] [--threads 2] [--device cpu|cuda] [--prompt 64] [--new 128]
//   [--repeats 2] [--runners external-kv,present,transformers.js]`
import { parseArgs } from 'node:util';
import { benchGenerate, type Measurement, type RunnerKind } from '@exp/bench-kit/generate-bench';
import { busy } from '@exp/bench-kit/machine';
import {
  BENCH_MODEL_NAMES,
  DEFAULT_BENCH_MODELS,
  prepareBenchModel,
  type BenchModelName,
} from '@exp/bench-kit/models';
import { formatTable } from '@exp/bench-kit/table';
import { loadModelConfig } from '../src/config.js';
import type { Device } from '../src/runtime/session.js';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function table(rows: Measurement[]): string {
  const header = [
    'model',
    'batch',
    'runner',
    'prefill tok/s',
    'decode tok/s',
    'decode vs transformers.js',
    'same tokens as',
    'other load',
  ];
  const lines = rows.map((r) => {
    const tjs = rows.find(
      (x) => x.model === r.model && x.batch === r.batch && x.runner === 'transformers.js',
    );
    return [
      r.model,
      String(r.batch),
      r.runner,
      r.prefillTokPerS.toFixed(0),
      r.decodeTokPerS.toFixed(1),
      tjs && r !== tjs ? `${(r.decodeTokPerS / tjs.decodeTokPerS).toFixed(2)}x` : '',
      r.sameTokens === null ? '(reference)' : `${r.sameTokens ? 'yes' : 'NO'}: ${r.reference}`,
      busy(r.busyPct),
    ];
  });
  return formatTable(header, lines);
}

async function generateCommand(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string', default: DEFAULT_BENCH_MODELS.join(',') },
      batches: { type: 'string', default: '1,16' },
      threads: { type: 'string', default: '2' },
      device: { type: 'string', default: 'cpu' },
      prompt: { type: 'string', default: '64' },
      new: { type: 'string', default: '128' },
      repeats: { type: 'string', default: '2' },
      runners: { type: 'string', default: 'external-kv,present,transformers.js' },
    },
  });
  const models = list(values.models);
  for (const m of models) {
    if (!(BENCH_MODEL_NAMES as readonly string[]).includes(m)) {
      throw new Error(`unknown model ${m}; known: ${BENCH_MODEL_NAMES.join(', ')}`);
    }
  }
  if (values.device !== 'cpu' && values.device !== 'cuda') {
    throw new Error(`--device: expected one of cpu, cuda, got "${values.device}"`);
  }
  const opts = {
    batches: list(values.batches).map(Number),
    threads: Number(values.threads),
    device: values.device as Device,
    promptLength: Number(values.prompt),
    newTokens: Number(values.new),
    repeats: Number(values.repeats),
    runners: list(values.runners) as RunnerKind[],
  };
  const log = (s: string) => process.stderr.write(`${s}\n`);
  console.log(
    `greedy generation, prompt ${opts.promptLength}, ${opts.newTokens} new tokens, ` +
      `${opts.threads} threads, best of ${opts.repeats}; decode tok/s counts the ` +
      `${opts.newTokens - 1} tokens after the prefill token, prefill tok/s the prompt tokens`,
  );
  const rows: Measurement[] = [];
  for (const name of models) {
    const model = await prepareBenchModel(name as BenchModelName, log);
    const config = loadModelConfig(model.dir);
    rows.push(...(await benchGenerate(model, config.vocabSize, opts, log)));
  }
  console.log(table(rows));
  console.log(
    'exp (external-kv): decode graph built from model.onnx weights, KV cache in JS buffers read in ' +
      "place, only the step's keys/values returned; exp (present) and transformers.js: the " +
      'exported model.onnx, presents fed back as past.',
  );
  if (rows.some((r) => (r.busyPct ?? 0) > 10)) {
    console.log('note: other processes used the CPUs during some runs (column "other load").');
  }
}

const [command = 'generate', ...rest] = process.argv.slice(2);
if (command === 'generate') await generateCommand(rest);
else {
  console.error(`unknown bench '${command}'; available: generate`);
  process.exit(2);
}
