import {
  NOISE_POSITIONS,
  NoiseError,
  NoiseGenerateOptionsSchema,
  NoiseSweepOptionsSchema,
  generateNoisyDatasets,
  parseNoiseGenerateOptions,
  parseNoiseSweepOptions,
  sweepNoisyDatasets,
  type NoiseGenerateResult,
  type ProgressFn,
} from '@exp/noise';
import { resolveUserPath } from '@exp/data';
import { z } from 'zod';
import type { CommandFactory } from '../cli.js';
import { showValue, typedValue } from '../errors.js';
import { UsageError, type Io } from '../io.js';
import { progressBar, type Progress } from '../progress.js';
import { optionsFrom, optionValues } from '../schema-options.js';
import { installSignalHandlers } from '../signals.js';

/**
 * The CLI's options: @exp/noise's option schema (types, checks and defaults are declared there),
 * each field with its help text; onProgress is no option.
 */
function cliOptions<S extends z.ZodRawShape>(
  schema: z.ZodObject<S>,
  help: Record<Exclude<keyof S & string, 'onProgress'>, string>,
) {
  const texts: Record<string, string> = help;
  const fields = Object.entries(schema.shape).filter(([k]) => k !== 'onProgress');
  return z.object(
    Object.fromEntries(fields.map(([k, field]) => [k, (field as z.ZodType).describe(texts[k])])),
  );
}

/** Help texts of the options generate and sweep share. */
const COMMON_HELP = {
  input: 'GSM8K-format or exp Problem JSONL (default: the GSM8K test split)',
  name: 'Dataset name of the outputs, <name>_<type>.jsonl (default: from the input)',
  out: 'Output folder (default: data/)',
  seed: 'Seed for every random choice',
  types: 'Noise types, comma-separated, mix included (default: inf,rcs,sd)',
  typesMix: 'Types the mix type draws each sentence from (default: inf,rcs,sd)',
  slots: 'Random slots shared by all types of a problem (default) or drawn per type',
  templates: "Template bank JSON (the original's format reproduces its protocol)",
};
export const GenerateOptions = cliOptions(NoiseGenerateOptionsSchema, {
  ...COMMON_HELP,
  sentences: 'Dose K: distinct noise sentences per question (default: 1)',
  position: 'Where the sentences go (default: random)',
});
export const SweepOptions = cliOptions(NoiseSweepOptionsSchema, {
  ...COMMON_HELP,
  sentences: 'Doses, comma-separated (default: 1)',
  positions: `Positions, comma-separated: ${NOISE_POSITIONS.join(', ')} (default: random)`,
});

const path = (p: unknown): string | undefined =>
  typeof p === 'string' ? resolveUserPath(p) : undefined;

/** The options as @exp/noise takes them: the schema's fields, paths resolved against the cwd. */
function noiseOptions(schema: z.ZodObject, argv: Record<string, unknown>) {
  const o = optionValues(schema, argv);
  return { ...o, input: path(o.input), out: path(o.out), templates: path(o.templates) };
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
        (c) => optionsFrom(c, GenerateOptions, { choices: true }),
        async (argv) => {
          const options = parseWith(parseNoiseGenerateOptions, noiseOptions(GenerateOptions, argv));
          await report(io, (onProgress) => generateNoisyDatasets({ ...options, onProgress }));
        },
      )
      .command(
        'sweep',
        'Write one noisy set per type x dose x position (gsm8k_inf-k2-late_test.jsonl), each with a manifest',
        (c) => optionsFrom(c, SweepOptions, { choices: true }),
        async (argv) => {
          const options = parseWith(parseNoiseSweepOptions, noiseOptions(SweepOptions, argv));
          await report(io, (onProgress) => sweepNoisyDatasets({ ...options, onProgress }));
        },
      )
      .demandCommand(1, 'name a noise action: generate or sweep'),
  );
