import { z } from 'zod';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot, resolveUserPath } from '@exp/data';
import {
  exportCheckpoint,
  FP16_TOLERANCES,
  FP32_TOLERANCES,
  initPreset,
  pullModel,
  verifyAgainstGolden,
  type VerifyReport,
} from '@exp/models';
import { byteRate, toMB } from '../bytes.js';
import { parseOptions } from '../errors.js';
import { optionsFrom } from '../schema-options.js';
import type { CommandFactory } from '../cli.js';
import type { Io } from '../io.js';
import { withProgress } from '../progress.js';

// `exp models` options: yargs checks the enums' choices; the schemas fill in the defaults, which
// the descriptions say.
export const ExportSchema = z.object({
  checkpoint: z.string().min(1).describe('HF checkpoint folder (config.json + safetensors)'),
  out: z.string().min(1).describe('Output model folder'),
  dtype: z
    .enum(['fp32', 'fp16'])
    .default('fp32')
    .describe('Weights and compute type (fp16 for CUDA)'),
  attentions: z
    .boolean()
    .default(false)
    .describe('Also output attentions.{i} (and lambda_full.{i} for DiffLlama)'),
});
export const VerifySchema = z.object({
  checkpoint: z.string().min(1).describe('Exported model folder or HF checkpoint folder'),
  golden: z.string().min(1).describe('Reference outputs (golden.safetensors layout)'),
  tolerance: z
    .number()
    .positive()
    .optional()
    .describe(
      `Max abs error allowed on logits (default ${FP32_TOLERANCES.logits.toExponential()} for an fp32 export, ${FP16_TOLERANCES.logits.toExponential()} for fp16)`,
    ),
});
export const PullSchema = z.object({
  repo: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+(:[\w./-]+)?$/, 'expected <owner>/<name>[:subfolder]')
    .describe('owner/name[:subfolder], e.g. reyllama/DiffLlama-375M:checkpoint-64434')
    .meta({ positional: true }),
  revision: z.string().min(1).default('main').describe('Branch, tag or commit (default main)'),
});
export const InitSchema = z.object({
  preset: z.enum(['tiny-llama', 'tiny-diffllama']),
  out: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Output folder (default checkpoints/<preset>; `exp run --models <preset>` makes its own in the models cache)',
    ),
  seed: z.number().int().nonnegative().optional().describe('Initialisation seed'),
});

/** The verify report as a table: one line per check, then what was not checked or skipped. */
function printReport(io: Io, report: VerifyReport): void {
  for (const c of report.checks) {
    io.out(
      c.checked
        ? `${c.pass ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(34)} ${c.maxAbsError.toExponential(2)} (<= ${c.tolerance})`
        : `--    ${c.name.padEnd(34)} not checked (${c.note ?? 'no tolerance'})`,
    );
  }
  for (const s of report.skipped) io.out(`skip  ${s.name.padEnd(34)} skipped (${s.reason})`);
}

export const modelsCommand: CommandFactory = (io) => (y) =>
  y.command(
    'models <action>',
    'Get, create, export and verify Llama / DiffLlama checkpoints',
    (m) =>
      m
        .command(
          'export',
          'Convert a Hugging Face checkpoint folder to ONNX (with KV cache; optional attention outputs)',
          (c) => optionsFrom(c, ExportSchema, { choices: true }),
          async (argv) => {
            const o = parseOptions(ExportSchema, argv);
            const rate = byteRate();
            const result = await withProgress(io, 'export (MB)', (bar) =>
              exportCheckpoint(resolveUserPath(o.checkpoint), resolveUserPath(o.out), {
                dtype: o.dtype,
                attentions: o.attentions,
                onProgress: (p) => {
                  if (!p.total) return;
                  const done = p.done ?? 0;
                  bar.update(toMB(done), toMB(p.total), rate(p.stage, done, p.total));
                },
              }),
            );
            io.out(
              `exported ${result.manifest.model_type} (${o.dtype}${o.attentions ? ', attentions' : ''}) to ${result.outDir}`,
            );
          },
        )
        .command(
          'verify',
          'Compare an exported model (or a checkpoint, exported on the fly) with a reference golden file',
          (c) => optionsFrom(c, VerifySchema, { choices: true }),
          async (argv) => {
            const o = parseOptions(VerifySchema, argv);
            let modelDir = resolveUserPath(o.checkpoint);
            let tmp: string | undefined;
            if (!existsSync(path.join(modelDir, 'model.onnx'))) {
              // An HF checkpoint: export it (with attentions, so they are compared too) first.
              tmp = mkdtempSync(path.join(tmpdir(), 'exp-verify-'));
              await exportCheckpoint(modelDir, tmp, { attentions: true });
              modelDir = tmp;
            }
            try {
              const report = await verifyAgainstGolden(modelDir, resolveUserPath(o.golden), {
                tolerances: o.tolerance === undefined ? undefined : { logits: o.tolerance },
              });
              printReport(io, report);
              const failed = report.checks.filter((c) => !c.pass).map((c) => c.name);
              if (!report.pass) throw new Error(`verification failed: ${failed.join(', ')}`);
              const checked = report.checks.filter((c) => c.checked).length;
              const notChecked = report.checks.filter((c) => !c.checked).map((c) => c.name);
              io.out(
                [
                  `verified ${checked} checks (${report.dtype})`,
                  ...(notChecked.length ? [`not checked: ${notChecked.join(', ')}`] : []),
                  ...(report.skipped.length
                    ? [`skipped: ${report.skipped.map((s) => s.name).join(', ')}`]
                    : []),
                ].join('; '),
              );
            } finally {
              if (tmp) rmSync(tmp, { recursive: true, force: true });
            }
          },
        )
        .command(
          'pull <repo>',
          'Download a checkpoint from the Hugging Face hub into the HF cache (HF_HOME, HF_ENDPOINT, HF_TOKEN)',
          (c) => optionsFrom(c, PullSchema, { choices: true }),
          async (argv) => {
            const o = parseOptions(PullSchema, argv);
            const [repo, subfolder] = o.repo.split(':');
            const rate = byteRate();
            const dir = await withProgress(io, 'pull (MB)', (bar) =>
              pullModel(repo, {
                subfolder,
                revision: o.revision,
                onProgress: (p) =>
                  bar.update(
                    toMB(p.downloaded),
                    toMB(p.total),
                    rate(p.file, p.downloaded, p.total),
                  ),
              }),
            );
            io.out(dir);
          },
        )
        .command(
          'init',
          'Write a seeded, randomly initialised tiny checkpoint shaped like the real models',
          (c) => optionsFrom(c, InitSchema, { choices: true }),
          async (argv) => {
            const o = parseOptions(InitSchema, argv);
            const out = o.out
              ? resolveUserPath(o.out)
              : path.join(projectRoot(), 'checkpoints', o.preset);
            await initPreset(o.preset, out, o.seed === undefined ? {} : { seed: o.seed });
            io.out(`${o.preset} written to ${out}`);
          },
        )
        .demandCommand(1, 'name a models action: export, verify, pull or init'),
  );
