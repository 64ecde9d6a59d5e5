import { z } from 'zod';
import {
  BENCHMARK_PRESETS,
  datasetFile,
  importBenchmark,
  importGsm8kDir,
  pullGsm8k,
  resolveUserPath,
  writeDataset,
  writeJsonl,
  type PullResult,
} from '@exp/data';
import { importNoisyBenchmark } from '@exp/noise';
import { statSync } from 'node:fs';
import { parseOptions } from '../errors.js';
import type { CommandFactory } from '../cli.js';
import { withProgress } from '../progress.js';
import { UsageError } from '../io.js';

function describe(f: PullResult): string {
  return `${f.split} ${f.file} ${f.records} records sha256 ${f.sha256} (${f.status})`;
}

const PullSchema = z.object({ baseUrl: z.url().optional() });

const ImportSchema = z.object({
  source: z.string().min(1),
  preset: z.string().optional(),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'expected a file-safe dataset name')
    .optional(),
  question: z.string().optional(),
  answer: z.string().optional(),
  final: z.string().optional(),
  id: z.string().optional(),
  original: z.string().optional(),
  noiseType: z.string().min(1, 'expected a noise label').optional(),
  where: z
    .string()
    .regex(/^[^=]+=.*$/, 'expected field=value')
    .optional(),
  format: z.enum(['json', 'jsonl']).optional(),
});

export const dataCommand: CommandFactory = (io) => (y) =>
  y.command('data <action>', 'Get GSM8K and import other benchmarks', (d) =>
    d
      .command(
        'pull',
        'Download the official GSM8K train/test JSONL (sha256-checked) into data/gsm8k/',
        (c) =>
          c.option('base-url', {
            type: 'string',
            describe: 'Mirror of the grade-school-math repository',
          }),
        async (argv) => {
          const opts = parseOptions(PullSchema, argv);
          const files = await withProgress(io, 'gsm8k', (bar) =>
            pullGsm8k({
              baseUrl: opts.baseUrl,
              onProgress: (p) => bar.update(p.received, p.total),
            }),
          );
          for (const f of files) io.out(describe(f));
        },
      )
      .command(
        'import <source>',
        'Import GSM8K from a local folder, or another benchmark (JSON/JSONL) with a field mapping',
        (c) =>
          c
            .positional('source', {
              type: 'string',
              describe: 'A GSM8K folder (train.jsonl, test.jsonl) or a benchmark file',
            })
            .option('preset', {
              type: 'string',
              describe: `Field mapping by name: ${Object.keys(BENCHMARK_PRESETS).join(', ')}`,
            })
            .option('name', {
              type: 'string',
              describe: 'Dataset name (written to data/<name>.jsonl)',
            })
            .option('question', { type: 'string', describe: 'Field holding the question' })
            .option('answer', { type: 'string', describe: 'Field holding the worked solution' })
            .option('final', { type: 'string', describe: 'Field holding the final numeric answer' })
            .option('id', { type: 'string', describe: 'Field holding a record id' })
            .option('original', {
              type: 'string',
              describe:
                'Field holding the clean question of a noisy benchmark: records get the inserted spans (noise_kind insertion) or are marked rewrite',
            })
            .option('noise-type', {
              type: 'string',
              describe: "noise_type label of a noisy import (default: the preset's, else EXTERNAL)",
            })
            .option('where', {
              type: 'string',
              describe: 'Keep records whose field equals a value: field=value',
            })
            .option('format', {
              choices: ['json', 'jsonl'] as const,
              describe: 'Input format (default: by extension)',
            }),
        async (argv) => {
          const o = parseOptions(ImportSchema, argv);
          const source = resolveUserPath(o.source);
          if (statSync(source, { throwIfNoEntry: false })?.isDirectory()) {
            for (const f of importGsm8kDir(source)) io.out(describe(f));
            return;
          }
          const preset = o.preset ? BENCHMARK_PRESETS[o.preset] : undefined;
          if (o.preset && !preset) {
            throw new UsageError(
              `--preset: unknown preset "${o.preset}"; known: ${Object.keys(BENCHMARK_PRESETS).join(', ')}`,
            );
          }
          const name = o.name ?? o.preset;
          if (!name) throw new UsageError('--name: expected a dataset name (or use --preset)');
          const fields = {
            ...(preset?.fields ?? {}),
            ...(o.question ? { question: o.question } : {}),
            ...(o.answer ? { answer: o.answer } : {}),
            ...(o.final ? { final: o.final } : {}),
            ...(o.id ? { id: o.id } : {}),
            ...(o.original ? { original: o.original } : {}),
          };
          if (!fields.question)
            throw new UsageError(
              '--question: expected the field holding the question (or use --preset)',
            );
          const where = o.where
            ? { field: o.where.split('=')[0], equals: o.where.slice(o.where.indexOf('=') + 1) }
            : preset?.filter;
          const spec = {
            file: source,
            format: o.format,
            fields: fields as { question: string },
            filter: where,
            name,
          };
          if (!fields.original) {
            if (o.noiseType)
              throw new UsageError('--noise-type: only with --original (or a preset that has one)');
            const problems = importBenchmark(spec);
            io.out(`${name} ${writeDataset(name, problems)} ${problems.length} records`);
            return;
          }
          const records = importNoisyBenchmark({
            ...spec,
            noiseType: o.noiseType ?? preset?.noiseType,
          });
          const out = datasetFile(name);
          writeJsonl(out, records);
          const insertions = records.filter((r) => r.noise_kind === 'insertion').length;
          io.out(
            `${name} ${out} ${records.length} records (${insertions} insertions with spans, ${records.length - insertions} rewrites)`,
          );
        },
      )
      .demandCommand(1, 'name a data action: pull or import'),
  );
