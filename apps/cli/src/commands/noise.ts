import {
  NOISE_POSITIONS,
  NoiseGenerateOptionsSchema,
  NoiseSweepOptionsSchema,
  generateNoisyDatasets,
  sweepNoisyDatasets,
  type NoiseGenerateResult,
} from '@exp/noise';
import { resolveUserPath } from '@exp/data';
import type { Argv } from 'yargs';
import { parseOptions } from '../errors.js';
import type { CommandFactory } from '../cli.js';
import type { Io } from '../io.js';
import { withProgress } from '../progress.js';

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

async function report(
  io: Io,
  run: (onProgress: (d: number, t: number) => void) => Promise<NoiseGenerateResult>,
) {
  const result = await withProgress(io, 'noise', (bar) =>
    run((done, total) => bar.update(done, total)),
  );
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
          const options = parseOptions(NoiseGenerateOptionsSchema, {
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
          const options = parseOptions(NoiseSweepOptionsSchema, {
            ...common(argv),
            sentences: argv.sentences,
            positions: argv.positions,
          });
          await report(io, (onProgress) => sweepNoisyDatasets({ ...options, onProgress }));
        },
      )
      .demandCommand(1, 'name a noise action: generate or sweep'),
  );
