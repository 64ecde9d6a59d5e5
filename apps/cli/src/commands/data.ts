import { z } from 'zod';
import {
  BENCHMARK_PRESETS,
  datasetFile,
  importBenchmark,
  importGsm8kDir,
  pullGsm8k,
  DataError,
  resolveUserPath,
  setDataWarningHandler,
  writeDataset,
  writeJsonl,
  type PullResult,
} from '@exp/data';
import { MIX, importNoisyBenchmark, listNoise, manifestFileName, parseNoiseCell } from '@exp/noise';
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseOptions } from '../errors.js';
import { optionsFrom } from '../schema-options.js';
import type { CommandFactory } from '../cli.js';
import { withProgress } from '../progress.js';
import { UsageError, type Io } from '../io.js';

/**
 * Prints @exp/data's warnings (a GSM8K copy with other bytes than the official files, once per
 * file and process) as `warning: ...` lines on the CLI's stderr. Library users and tests that
 * do not set a handler get no output.
 */
export function reportDataWarnings(io: Io): void {
  setDataWarningHandler((message) => io.err(`warning: ${message}`));
}

/** Whether a cell name (`inf`, `sd-k2-late`, `mix.inf.sd`) stands for a known noise type. */
function isNoiseCell(name: string): boolean {
  const cell = parseNoiseCell(name);
  if (!cell) return false;
  const known = new Set(listNoise().map((d) => d.name));
  return cell.type === MIX ? cell.typesMix!.every((t) => known.has(t)) : known.has(cell.type);
}

/**
 * What `exp noise generate` writes under a dataset name, or null when no generated set is named
 * so: `gsm8k_<cell>_test` (GSM8K test), `gsm8k-train_<cell>` (GSM8K train), `<name>_<cell>`
 * (another set).
 */
export function generatedSetOf(name: string): string | null {
  const test = /^gsm8k_(.+)_test$/u.exec(name);
  if (test && isNoiseCell(test[1]!)) return `noise ${test[1]} on GSM8K test`;
  for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
    const [base, cell] = [name.slice(0, i), name.slice(i + 1)];
    if (!isNoiseCell(cell)) continue;
    return base === 'gsm8k-train'
      ? `noise ${cell} on GSM8K train`
      : `noise ${cell} on the set ${base}`;
  }
  return null;
}

function describe(f: PullResult): string {
  return `${f.split} ${f.file} ${f.records} records sha256 ${f.sha256} (${f.status})`;
}

/**
 * After --force replaced a generated set: its generator manifest describes the old file, so it
 * goes (exp run then uses the import under --skip-data-gen and regenerates the set otherwise).
 */
function dropGeneratorManifest(io: Io, file: string): void {
  const manifest = manifestFileName(file);
  if (!existsSync(manifest)) return;
  rmSync(manifest);
  io.out(
    `removed ${path.basename(manifest)} (it described the generated set this import replaced)`,
  );
}

export const PullSchema = z.object({
  baseUrl: z.url().optional().describe('Mirror of the grade-school-math repository'),
});
/** `exp data import`'s options (yargs checks --format's choices). */
export const ImportSchema = z.object({
  source: z
    .string()
    .min(1)
    .describe('A GSM8K folder (train.jsonl, test.jsonl) or a benchmark file')
    .meta({ positional: true }),
  preset: z
    .string()
    .optional()
    .describe(`Field mapping by name: ${Object.keys(BENCHMARK_PRESETS).join(', ')}`),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'expected a file-safe dataset name')
    .optional()
    .describe('Dataset name (written to data/<name>.jsonl)'),
  question: z.string().optional().describe('Field holding the question'),
  answer: z.string().optional().describe('Field holding the worked solution'),
  final: z.string().optional().describe('Field holding the final numeric answer'),
  id: z.string().optional().describe('Field holding a record id'),
  original: z
    .string()
    .optional()
    .describe(
      'Field holding the clean question of a noisy benchmark: records get the inserted spans (noise_kind insertion) or are marked rewrite',
    ),
  noiseType: z
    .string()
    .min(1, 'expected a noise label')
    .optional()
    .describe("noise_type label of a noisy import (default: the preset's, else EXTERNAL)"),
  where: z
    .string()
    .regex(/^[^=]+=.*$/, 'expected field=value')
    .optional()
    .describe('Keep records whose field equals a value: field=value'),
  format: z.enum(['json', 'jsonl']).optional().describe('Input format (default: by extension)'),
  force: z
    .boolean()
    .optional()
    .describe(
      'Allow a --name that `exp noise generate` writes (gsm8k_<cell>_test, <set>_<cell>) and overwrite that set',
    ),
});

export const dataCommand: CommandFactory = (io) => (y) => {
  reportDataWarnings(io); // every command that reads GSM8K, not only `data`
  return y.command('data <action>', 'Get GSM8K and import other benchmarks', (d) =>
    d
      .command(
        'pull',
        'Download the official GSM8K train/test JSONL (sha256-checked) into data/gsm8k/',
        (c) => optionsFrom(c, PullSchema),
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
        (c) => optionsFrom(c, ImportSchema, { choices: true }),
        async (argv) => {
          const o = parseOptions(ImportSchema, argv);
          const source = resolveUserPath(o.source);
          const stat = statSync(source, { throwIfNoEntry: false });
          if (!stat) throw new DataError(`${source}: no such file or folder`);
          if (stat.isDirectory()) {
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
          const generated = generatedSetOf(name);
          if (generated && !o.force) {
            throw new UsageError(
              `--name ${name}: names a generated noisy set (${generated}, written by \`exp noise generate\` and \`exp run\`); pass --force to overwrite it`,
            );
          }
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
            if (generated) dropGeneratorManifest(io, datasetFile(name));
            return;
          }
          const records = importNoisyBenchmark({
            ...spec,
            noiseType: o.noiseType ?? preset?.noiseType,
          });
          const out = datasetFile(name);
          writeJsonl(out, records);
          if (generated) dropGeneratorManifest(io, out);
          const insertions = records.filter((r) => r.noise_kind === 'insertion').length;
          io.out(
            `${name} ${out} ${records.length} records (${insertions} insertions with spans, ${records.length - insertions} rewrites)`,
          );
        },
      )
      .demandCommand(1, 'name a data action: pull or import'),
  );
};
