import { generateNoisyDatasets, NoiseGenerateOptionsSchema } from '@exp/noise';
import { resolveUserPath } from '@exp/data';
import { parseOptions } from '../errors.js';
import type { CommandFactory } from '../cli.js';
import { withProgress } from '../progress.js';

export const noiseCommand: CommandFactory = (io) => (y) =>
  y.command('noise <action>', 'Generate noisy GSM8K variants (INF, RCS, SD)', (n) =>
    n
      .command(
        'generate',
        'Write data/gsm8k_{inf,rcs,sd}_test.jsonl with the exact span of every inserted sentence',
        (c) =>
          c
            .option('input', {
              type: 'string',
              describe: 'GSM8K-format JSONL (default: the GSM8K test split)',
            })
            .option('out', { type: 'string', describe: 'Output folder (default: data/)' })
            .option('seed', { type: 'number', describe: 'Seed for every random choice' })
            .option('types', {
              type: 'string',
              describe: 'Noise types, comma-separated (default: inf,rcs,sd)',
            })
            .option('templates', {
              type: 'string',
              describe: "Template bank JSON (the original's format reproduces its protocol)",
            }),
        async (argv) => {
          const options = parseOptions(NoiseGenerateOptionsSchema, {
            input: argv.input === undefined ? undefined : resolveUserPath(argv.input),
            out: argv.out === undefined ? undefined : resolveUserPath(argv.out),
            seed: argv.seed,
            types: argv.types,
            templates: argv.templates === undefined ? undefined : resolveUserPath(argv.templates),
          });
          const result = await withProgress(io, 'noise', (bar) =>
            generateNoisyDatasets({
              ...options,
              onProgress: (done: number, total: number) => bar.update(done, total),
            }),
          );
          for (const f of result.files)
            io.out(`${f.type} ${f.path} ${f.records} records sha256 ${f.sha256}`);
        },
      )
      .demandCommand(1, 'name a noise action: generate'),
  );
