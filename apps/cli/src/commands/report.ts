import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveUserPath } from '@exp/data';
import { buildReport } from '@exp/report';
import { z } from 'zod';
import type { CommandFactory } from '../cli.js';
import { parseOptions } from '../errors.js';
import { UsageError } from '../io.js';
import { optionsFrom } from '../schema-options.js';

export const ReportOptionsSchema = z.object({
  runDir: z.string().describe('A run folder (results/<run-id>)').meta({ positional: true }),
  selfContained: z
    .boolean()
    .optional()
    .describe(
      'report.html with every PNG inlined, however large (default: inlined up to 5 MiB of images, else linked from charts/ and attention_maps/ by relative paths); --no-self-contained always links',
    ),
});

export const reportCommand: CommandFactory = (io) => (y) =>
  y.command(
    'report <run-dir>',
    'Write the report of a run folder: tables, charts (SVG/PNG), attention heat maps, report.html, report.md',
    (c) => optionsFrom(c, ReportOptionsSchema),
    async (argv) => {
      const { runDir, selfContained } = parseOptions(ReportOptionsSchema, argv);
      const dir = resolveUserPath(runDir);
      if (!existsSync(path.join(dir, 'manifest.json'))) {
        throw new UsageError(`${dir}: not a run folder (no manifest.json)`);
      }
      const { files, notes, html } = await buildReport(dir, { selfContained });
      for (const f of files) io.out(`report: wrote ${path.relative(dir, f)}`);
      for (const n of notes) io.out(`report: ${n}`);
      const mb = (html.imageBytes / 1024 / 1024).toFixed(1);
      io.out(
        html.selfContained
          ? `report: report.html inlines its images (${mb} MB)`
          : `report: report.html links its images (${mb} MB) from charts/ and attention_maps/; --self-contained inlines them`,
      );
      io.out(`report: ${path.join(dir, 'report.html')}`);
    },
  );
