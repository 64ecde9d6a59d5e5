// `pnpm bench eval [--parts run,batching,decode] [--threads 2] [--repeats 1]
//   [--batching-models tiny-llama,random-58m] [--prompts 64] [--batch 16] [--cap 256] [--seed 42]
//   [--decode-batches 1,16,32] [--prompt 64] [--new 128]`; opt-in parts: `quick` (the quick test
//   with everything on, target 2 minutes) and `likelihood`
//   [--likelihood-items 16] [--likelihood-models tiny-llama,real-2l] [--likelihood-reduce onnx,js]
// `pnpm bench full-run [--batch 8] [--threads 2] [--layers 16 | A,B] [--gsm8k-new 200]
//   [--worst-new 512] [--sft-samples 500] [--sft-epochs 2] [--sft-step RUN_S_PER_TOKEN,OPTIM_S]
//   [--efficiency-batches 16,32] [--steps 8]`: the seed's run projected (full-run.ts)
// A benchmark script (nothing here is a test): prints what it measured against the targets of
// the evaluation issue and, where there is one, the Hugging Face transformers peer.
import { parseArgs } from 'node:util';
import {
  BATCHING_TARGET,
  benchBatching,
  type BatchingMeasurement,
  type Workload,
} from './batching-bench.js';
import { busy, machineLine } from '@exp/bench-kit/machine';
import { againstTarget, formatTable } from '@exp/bench-kit/table';
import { TRANSFORMERS_375M, benchDecode } from './decode-bench.js';
import { QUICK_TARGET_S, QUICK_VARIANTS, RUN_ARGS, RUN_TARGET_S, benchRun } from './run-bench.js';
import { fullRunCommand, type FullRunOptions } from './full-run.js';
import { DEFAULT_BATCH_SIZE } from '../src/run/run-evaluation.js';
import {
  LIKELIHOOD_MODELS,
  benchLikelihood,
  type LikelihoodMeasurement,
} from './likelihood-bench.js';

const PARTS = ['run', 'quick', 'batching', 'decode', 'likelihood'] as const;
/** Parts run without --parts (likelihood is asked for by name: its real-shape export is 0.7 GB). */
const DEFAULT_PARTS = ['run', 'batching', 'decode'];
const BATCHING_MODELS = ['tiny-llama', 'random-58m', 'random-375m'] as const;

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function oneOf<T extends string>(what: string, known: readonly T[], values: string[]): T[] {
  for (const v of values) {
    if (!(known as readonly string[]).includes(v))
      throw new Error(`unknown ${what} ${v}; known: ${known.join(', ')}`);
  }
  return values as T[];
}

const log = (s: string) => process.stderr.write(`${s}\n`);

async function evalCommand(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      parts: { type: 'string', default: DEFAULT_PARTS.join(',') },
      'likelihood-items': { type: 'string', default: '16' },
      'likelihood-models': { type: 'string', default: LIKELIHOOD_MODELS.join(',') },
      'likelihood-reduce': { type: 'string', default: 'onnx,js' },
      threads: { type: 'string', default: '2' },
      repeats: { type: 'string', default: '1' },
      'batching-models': { type: 'string', default: 'tiny-llama,random-58m' },
      prompts: { type: 'string', default: '64' },
      batch: { type: 'string', default: '16' },
      cap: { type: 'string', default: '256' },
      seed: { type: 'string', default: '42' },
      'decode-batches': { type: 'string', default: '1,16,32' },
      prompt: { type: 'string', default: '64' },
      new: { type: 'string', default: '128' },
    },
  });
  const parts = oneOf('part', PARTS, list(values.parts));
  const threads = Number(values.threads);
  const repeats = Number(values.repeats);
  console.log(
    `pnpm bench eval: ${machineLine()}; best of ${repeats}; "other load" = other processes' share of the CPUs`,
  );

  if (parts.includes('run')) {
    const m = await benchRun(log);
    console.log(`\n## exp ${RUN_ARGS.join(' ')} (built CLI, models prepared beforehand)\n`);
    console.log(
      formatTable(
        [
          'wall time',
          'target',
          'samples',
          'tokens generated',
          'tok/s',
          'data gen',
          'zero-shot',
          'other load',
        ],
        [
          [
            `${m.wallS.toFixed(1)} s`,
            `< ${RUN_TARGET_S} s: ${m.wallS < RUN_TARGET_S ? 'met' : 'NOT met'} (${(m.wallS / RUN_TARGET_S).toFixed(2)}x the target)`,
            String(m.samples),
            String(m.tokens),
            (m.tokens / m.wallS).toFixed(0),
            m.dataS === null ? '' : `${m.dataS.toFixed(1)} s`,
            m.zeroShotS === null ? '' : `${m.zeroShotS.toFixed(1)} s`,
            busy(m.busyPct),
          ],
        ],
      ),
    );
  }

  if (parts.includes('quick')) {
    const measured = [];
    for (const v of QUICK_VARIANTS) measured.push({ ...v, m: await benchRun(log, v.args) });
    console.log(
      `\n## exp run --quick-test on the tiny presets (built CLI, models prepared beforehand)\n`,
    );
    const steps = [...new Set(measured.flatMap(({ m }) => m.steps.map(([k]) => k)))];
    console.log(
      formatTable(
        ['quick test', 'wall time', 'target', ...steps, 'other load'],
        measured.map(({ label, args, m }) => {
          const met = m.wallS < QUICK_TARGET_S ? 'met' : 'NOT met';
          const at = new Map(m.steps);
          return [
            `${label}: ${args.slice(4).join(' ') || '(no flags)'}`,
            `${m.wallS.toFixed(1)} s`,
            `< ${QUICK_TARGET_S} s: ${met} (${(m.wallS / QUICK_TARGET_S).toFixed(2)}x)`,
            ...steps.map((k) => (at.has(k) ? `${at.get(k)!.toFixed(1)} s` : '-')),
            busy(m.busyPct),
          ];
        }),
      ),
    );
  }

  if (parts.includes('batching')) {
    const o = {
      prompts: Number(values.prompts),
      batchSize: Number(values.batch),
      cap: Number(values.cap),
      seed: Number(values.seed),
      threads,
      repeats,
    };
    const results: { workload: Workload; rows: BatchingMeasurement[] }[] = [];
    for (const name of oneOf('model', BATCHING_MODELS, list(values['batching-models']))) {
      results.push(await benchBatching(name, o, log));
    }
    const w = results[0]!.workload;
    console.log(
      `\n## static vs continuous batching: ${o.prompts} GSM8K test prompts, batch ${o.batchSize}, ` +
        `greedy; row i stops after a length drawn (seed ${o.seed}) from the token lengths of the ` +
        `1,319 GSM8K test solutions, capped at ${o.cap} (mean ${w.mean.toFixed(0)}, max ${w.max})\n`,
    );
    const rows = results.flatMap(({ rows: ms }) => {
      const padded = ms.find((m) => m.mode === 'static, padded')!;
      const compact = ms.find((m) => m.mode === 'static, generate()')!;
      return ms.map((m) => [
        m.model,
        m.mode,
        String(m.tokens),
        m.seconds.toFixed(1),
        m.tokPerS.toFixed(0),
        String(m.steps),
        m.rowsPerStep.toFixed(1),
        m.mode === 'continuous' ? againstTarget(m.tokPerS / padded.tokPerS, BATCHING_TARGET) : '',
        m.mode === 'continuous' ? `${(m.tokPerS / compact.tokPerS).toFixed(2)}x` : '',
        m === padded ? '(reference)' : m.same ? 'yes' : 'NO',
        busy(m.busyPct),
      ]);
    });
    console.log(
      formatTable(
        [
          'model',
          'mode',
          'tokens',
          's',
          'tok/s',
          'steps',
          'rows/step',
          'vs static, padded',
          'vs static, generate()',
          'same tokens',
          'other load',
        ],
        rows,
      ),
    );
    console.log(
      "static, padded: chunks of the batch size, every row computed until the chunk's longest " +
        'ends (classic static batching, as transformers generate()); static, generate(): the same ' +
        'chunks through lm.generate with per-prompt stops, which drops finished rows from the ' +
        'batch (a chunk still waits for its longest row); continuous: lm.generateStream, a freed ' +
        "row takes the next prompt. tokens: the rows' kept tokens; rows/step: rows computed per step.",
    );
  }

  if (parts.includes('likelihood')) {
    const items = Number(values['likelihood-items']);
    const rows: LikelihoodMeasurement[] = [];
    // items/s against the same model's 'js' row (the earlier path: logits reduced in JS)
    const speedup = (m: LikelihoodMeasurement) => {
      const js = rows.find((r) => r.model === m.model && r.reduce === 'js');
      return js ? `${(js.seconds / m.seconds).toFixed(2)}x` : '-';
    };
    const reduces = oneOf('reduce', ['onnx', 'js'] as const, list(values['likelihood-reduce']));
    for (const name of oneOf('model', LIKELIHOOD_MODELS, list(values['likelihood-models']))) {
      for (const reduce of reduces) {
        rows.push(await benchLikelihood(name, { items, threads, reduce }, log));
      }
    }
    console.log(
      `\n## likelihood of the gold solution: the first ${items} GSM8K test items, seed protocol ` +
        `(sft + bare texts per item), ${threads} threads; real-2l: vocab 128256, hidden 1024, ` +
        `2 layers, 16/4 heads, MLP 4096, random weights\n`,
    );
    console.log(
      formatTable(
        ['model', 'reduce', 'items', 'tokens', 's', 'items/s', 'tok/s', 'vs js', 'other load'],
        rows.map((m) => [
          m.model,
          m.reduce,
          String(m.items),
          String(m.tokens),
          m.seconds.toFixed(1),
          (m.items / m.seconds).toFixed(2),
          (m.tokens / m.seconds).toFixed(0),
          speedup(m),
          busy(m.busyPct),
        ]),
      ),
    );
  }

  if (parts.includes('decode')) {
    const ms = await benchDecode(
      {
        batches: list(values['decode-batches']).map(Number),
        promptLength: Number(values.prompt),
        newTokens: Number(values.new),
        threads,
        repeats,
      },
      log,
    );
    console.log(
      `\n## decode, random model of the real models' shape (375M: vocab 128256, hidden 1024, ` +
        `16 layers, 16/4 heads, MLP 4096, tied, llama3 RoPE), prompt ${values.prompt}, ` +
        `${values.new} new tokens, greedy, no EOS stop, ${threads} threads, one process per batch\n`,
    );
    console.log(
      formatTable(
        [
          'batch',
          'prefill tok/s',
          'decode tok/s',
          'transformers (peer)',
          'vs peer',
          'peak RSS',
          'other load',
        ],
        ms.map((m) => {
          const peer = TRANSFORMERS_375M[m.batch];
          return [
            String(m.batch),
            m.prefillTokPerS.toFixed(0),
            m.decodeTokPerS.toFixed(1),
            peer === undefined ? '(not measured)' : String(peer),
            peer === undefined ? '' : `${(m.decodeTokPerS / peer).toFixed(2)}x`,
            `${(m.maxRssBytes / 2 ** 30).toFixed(2)} GiB`,
            busy(m.busyPct),
          ];
        }),
      ),
    );
    console.log(
      'decode tok/s counts the tokens after the prefill token; peer: Hugging Face transformers ' +
        'generate() on torch (eager, fp32) on this machine, measured by a maintainer and committed.',
    );
  }
}

async function fullRun(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      batch: { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
      threads: { type: 'string', default: '2' },
      layers: { type: 'string', default: '16' },
      'gsm8k-new': { type: 'string', default: '200' },
      'worst-new': { type: 'string', default: '512' },
      'sft-samples': { type: 'string', default: '500' },
      'sft-epochs': { type: 'string', default: '2' },
      'sft-step': { type: 'string' },
      'efficiency-batches': { type: 'string', default: '16,32' },
      steps: { type: 'string', default: '8' },
    },
  });
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name}: expected a positive integer, got '${v}'`);
    return n;
  };
  // --sft-step RUN_S_PER_TOKEN,OPTIM_S: skip the SFT measurement (minutes, ~17 GB) and use these
  let sft: FullRunOptions['sft'] = 'measure';
  if (values['sft-step'] !== undefined) {
    const [run, optim] = values['sft-step'].split(',').map(Number);
    if (!(run! > 0) || !(optim! >= 0))
      throw new Error(`--sft-step: expected RUN_S_PER_TOKEN,OPTIM_S, got '${values['sft-step']}'`);
    sft = { runSPerToken: run!, optimS: optim! };
  }
  await fullRunCommand(
    {
      batch: int('batch', values.batch),
      threads: int('threads', values.threads),
      layers: list(values.layers).map((v) => int('layers', v)),
      gsm8kNew: int('gsm8k-new', values['gsm8k-new']),
      worstNew: int('worst-new', values['worst-new']),
      sftSamples: int('sft-samples', values['sft-samples']),
      sftEpochs: int('sft-epochs', values['sft-epochs']),
      sftBatch: 2,
      sftAccum: 2,
      sft,
      efficiencyBatches: list(values['efficiency-batches']).map((v) =>
        int('efficiency-batches', v),
      ),
      steps: int('steps', values.steps),
    },
    log,
  );
}

const [command = 'eval', ...rest] = process.argv.slice(2);
if (command === 'eval') await evalCommand(rest);
else if (command === 'full-run') await fullRun(rest);
else {
  console.error(`unknown bench '${command}'; available: eval, full-run`);
  process.exit(2);
}
