import {
  NOISE_POSITIONS,
  NoiseError,
  generateNoisyDatasets,
  parseNoiseGenerateOptions,
  parseNoiseSweepOptions,
  sweepNoisyDatasets,
  type NoiseGenerateResult,
  type ProgressFn,
} from '@exp/noise';
import { resolveUserPath } from '@exp/data';
import type { Argv } from 'yargs';
import type { CommandFactory } from '../cli.js';
import { showValue, typedValue } from '../errors.js';
import { UsageError, type Io } from '../io.js';
import { progressBar, type Progress } from '../progress.js';
import { installSignalHandlers } from '../signals.js';

/** Options generate and sweep share. */
function commonOptions<T>(c: Argv<T>) {
  return c
    .option('input', {
      type: 'string',
      describe: 'GSM8K-format or exp Problem JSONL (default: the GSM8K test split)',
    })
    .option('name', {
      type: 'string',
      describe: 'Dataset name of the outputs, <name>_<type>.jsonl (default: from the input)',
    })
    .option('out', { type: 'string', describe: 'Output folder (default: data/)' })
    .option('seed', { type: 'number', describe: 'Seed for every random choice' })
    .option('types', {
      type: 'string',
      describe: 'Noise types, comma-separated, mix included (default: inf,rcs,sd)',
    })
    .option('types-mix', {
      type: 'string',
      describe: 'Types the mix type draws each sentence from (default: inf,rcs,sd)',
    })
    .option('slots', {
      choices: ['shared', 'independent'] as const,
      describe: 'Random slots shared by all types of a problem (default) or drawn per type',
    })
    .option('templates', {
      type: 'string',
      describe: "Template bank JSON (the original's format reproduces its protocol)",
    });
}

const path = (p: unknown): string | undefined =>
  typeof p === 'string' ? resolveUserPath(p) : undefined;

function common(argv: Record<string, unknown>) {
  return {
    input: path(argv.input),
    name: argv.name,
    out: path(argv.out),
    seed: argv.seed,
    types: argv.types,
    typesMix: argv.typesMix,
    slots: argv.slots,
    templates: path(argv.templates),
  };
}

/** `--name: expected X` gets what the user typed: `--name: expected X, got "abc"`. */
function withTypedValue(message: string): string {
  const m = /^--([a-z][a-z0-9-]*): expected /.exec(message);
  if (!m || /, got /.test(message)) return message;
  const typed = typedValue(m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
  return typed === undefined ? message : `${message}, got ${showValue(typed)}`;
}

/** The package's own option check (`--types: unknown noise type 'x' (known: ...)`), exit code 2. */
function parseWith<T>(parse: (o: unknown) => T, raw: unknown): T {
  try {
    return parse(raw);
  } catch (e) {
    if (e instanceof NoiseError) throw new UsageError(withTypedValue(e.message));
    throw e;
  }
}

/**
 * Runs a generation with one bar per noisy set (`inf [====] 1319/1319`), then prints one line per
 * file. A signal while it computes exits 130/143 with nothing written (see signals.ts).
 */
async function report(io: Io, run: (onProgress: ProgressFn) => Promise<NoiseGenerateResult>) {
  installSignalHandlers();
  let bar: Progress | null = null;
  let current: string | null = null;
  let result: NoiseGenerateResult;
  try {
    result = await run((_done, _total, cell) => {
      if (cell.dataset !== current) {
        bar?.stop();
        current = cell.dataset;
        bar = progressBar(io, cell.dataset);
      }
      bar!.update(cell.done, cell.total);
    });
  } finally {
    (bar as Progress | null)?.stop();
  }
  for (const f of result.files)
    io.out(`${f.dataset} ${f.path} ${f.records} records sha256 ${f.sha256}`);
}

export const noiseCommand: CommandFactory = (io) => (y) =>
  y.command('noise <action>', 'Generate noisy GSM8K variants (INF, RCS, SD, mixed)', (n) =>
    n
      .command(
        'generate',
        'Write data/gsm8k_{inf,rcs,sd}_test.jsonl with the exact span of every inserted sentence',
        (c) =>
          commonOptions(c)
            .option('sentences', {
              type: 'number',
              describe: 'Dose K: distinct noise sentences per question (default: 1)',
            })
            .option('position', {
              choices: NOISE_POSITIONS,
              describe: 'Where the sentences go (default: random)',
            }),
        async (argv) => {
          const options = parseWith(parseNoiseGenerateOptions, {
            ...common(argv),
            sentences: argv.sentences,
            position: argv.position,
          });
          await report(io, (onProgress) => generateNoisyDatasets({ ...options, onProgress }));
        },
      )
      .command(
        'sweep',
        'Write one noisy set per type x dose x position (gsm8k_inf-k2-late_test.jsonl), each with a manifest',
        (c) =>
          commonOptions(c)
            .option('sentences', {
              type: 'string',
              describe: 'Doses, comma-separated (default: 1)',
            })
            .option('positions', {
              type: 'string',
              describe: `Positions, comma-separated: ${NOISE_POSITIONS.join(', ')} (default: random)`,
            }),
        async (argv) => {
          const options = parseWith(parseNoiseSweepOptions, {
            ...common(argv),
            sentences: argv.sentences,
            positions: argv.positions,
          });
          await report(io, (onProgress) => sweepNoisyDatasets({ ...options, onProgress }));
        },
      )
      .demandCommand(1, 'name a noise action: generate or sweep'),
  );
