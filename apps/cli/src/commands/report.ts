import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveUserPath } from '@exp/data';
import { buildReport } from '@exp/report';
import type { CommandFactory } from '../cli.js';
import { UsageError } from '../io.js';

export const reportCommand: CommandFactory = (io) => (y) =>
  y.command(
    'report <run-dir>',
    'Write the report of a run folder: tables, charts (SVG/PNG), attention heat maps, report.html, report.md',
    (c) => c.positional('run-dir', { type: 'string', describe: 'A run folder (results/<run-id>)' }),
    async (argv) => {
      const dir = resolveUserPath(String(argv.runDir));
      if (!existsSync(path.join(dir, 'manifest.json'))) {
        throw new UsageError(`${dir}: not a run folder (no manifest.json)`);
      }
      const { files, notes } = await buildReport(dir);
      for (const f of files) io.out(`report: wrote ${path.relative(dir, f)}`);
      for (const n of notes) io.out(`report: ${n}`);
      io.out(`report: ${path.join(dir, 'report.html')}`);
    },
  );
