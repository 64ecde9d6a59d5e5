// `pnpm bench attention [--model random-375m] [--samples 20] [--lengths 64,128,256,512]
//   [--threads 2] [--modes reduce,keep]`
// A benchmark script (nothing here is a test): time and peak RSS of attention maps of a random
// model in the real models' shape, reduced layer by layer (forEachLayerAttention) against the
// peer measured in the same run: every sample's maps kept, then reduced. One process per row.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { busy, machineLine, startCpuProbe } from '@exp/bench-kit/machine';
import type { Log } from '@exp/bench-kit/paths';
import { formatTable } from '@exp/bench-kit/table';
import type { ChildResult } from './child.js';
import {
  ATTENTION_BENCH_MODELS,
  prepareAttentionModel,
  type AttentionBenchModel,
} from './model.js';

const MODES = ['reduce', 'keep'] as const;
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const log: Log = (s) => process.stderr.write(`${s}\n`);
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function positiveInts(what: string, s: string): number[] {
  const v = list(s).map(Number);
  if (v.length === 0 || v.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new Error(`--${what} must be positive integers, got '${s}'`);
  }
  return v;
}

async function child(args: string[]): Promise<ChildResult & { busyPct: number | null }> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.ts');
  const probe = startCpuProbe();
  // execArgv carries tsx's loader into the child; a failed child rejects with its stderr
  const { stdout } = await promisify(execFile)(process.execPath, [
    ...process.execArgv,
    file,
    ...args,
  ]);
  return { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult), busyPct: probe() };
}

async function attentionCommand(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'random-375m' },
      samples: { type: 'string', default: '20' },
      lengths: { type: 'string', default: '64,128,256,512' },
      threads: { type: 'string', default: '2' },
      modes: { type: 'string', default: MODES.join(',') },
    },
  });
  const model = values.model as AttentionBenchModel;
  if (!(model in ATTENTION_BENCH_MODELS)) {
    throw new Error(
      `unknown --model ${model}; known: ${Object.keys(ATTENTION_BENCH_MODELS).join(', ')}`,
    );
  }
  const modes = list(values.modes);
  for (const m of modes) {
    if (!(MODES as readonly string[]).includes(m))
      throw new Error(`unknown mode ${m}; known: ${MODES.join(', ')}`);
  }
  const [samples] = positiveInts('samples', values.samples);
  const lengths = positiveInts('lengths', values.lengths);
  const [threads] = positiveInts('threads', values.threads);
  const dir = await prepareAttentionModel(model, log);
  const config = ATTENTION_BENCH_MODELS[model];

  const rows: (ChildResult & { busyPct: number | null })[] = [];
  for (const length of lengths) {
    for (const mode of modes) {
      log(`${model}: ${samples} samples of ${length} tokens, ${mode}`);
      const args = ['--dir', dir, '--mode', mode, '--length', String(length)];
      rows.push(
        await child([...args, '--samples', String(samples!), '--threads', String(threads!)]),
      );
    }
  }
  console.log(
    `pnpm bench attention: ${machineLine()}; ${model} (vocab 128256, hidden 1024, 16 layers, ` +
      `16/4 heads) exported with attentions, ${threads} threads, ${samples} samples per row\n`,
  );
  console.log(
    formatTable(
      [
        'length',
        'mode',
        "one sample's maps",
        's / sample',
        'time vs reduce',
        'RSS after warm-up',
        'peak RSS',
        'peak - warm-up',
        'peak vs reduce',
        'same sums',
        'other load',
      ],
      rows.map((r) => {
        const ref = rows.find((x) => x.length === r.length && x.mode === 'reduce');
        const vs = ref && r !== ref;
        const ratio = (a: number, b: number) => (vs ? `${(a / b).toFixed(2)}x` : '');
        const same = Math.abs(r.checksum - ref!.checksum) <= 1e-6 * Math.abs(ref!.checksum);
        return [
          String(r.length),
          r.mode,
          mib(config.num_hidden_layers * config.num_attention_heads * r.length ** 2 * 4),
          (r.totalS / r.samples).toFixed(2),
          ratio(r.totalS, ref?.totalS ?? 0),
          gib(r.loadedRssBytes),
          `${gib(r.maxRssBytes)}${r.peakOfSamples ? '' : ' (load included)'}`,
          mib(r.maxRssBytes - r.loadedRssBytes),
          ratio(r.maxRssBytes, ref?.maxRssBytes ?? 0),
          !vs ? '(reference)' : same ? 'yes' : 'NO',
          busy(r.busyPct),
        ];
      }),
    ),
  );
  console.log(
    'reduce: forEachLayerAttention, per-layer per-head column sums of each map as it comes, the ' +
      "map then let go (onnxruntime returns one run's maps of all layers together, so one sample's " +
      "maps are held at a time); keep (the peer): every sample's maps kept, reduced at the end. " +
      "s / sample: forward + reduction, after one untimed warm-up forward; peak RSS: the samples' " +
      'high-water mark (reset after the warm-up).',
  );
}

const [command = 'attention', ...rest] = process.argv.slice(2);
if (command === 'attention') await attentionCommand(rest);
else {
  console.error(`unknown bench '${command}'; available: attention`);
  process.exit(2);
}
