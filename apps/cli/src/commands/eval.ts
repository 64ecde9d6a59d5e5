// `exp eval extract` (answers of completions read as JSONL) and `exp eval rescore` (the tables of
// a run recomputed from its sample logs with another extractor, without generating).
import { z } from 'zod';
import { parseJsonl, readTextFile, resolveUserPath } from '@exp/data';
import { formatPivot, getExtractor, listExtractors } from '@exp/eval';
import { rescoreRun } from '@exp/run';
import { parseOptions } from '../errors.js';
import { optionsFrom } from '../schema-options.js';
import type { CommandFactory } from '../cli.js';
import type { Io } from '../io.js';
import { UsageError } from '../io.js';

const ExtractLineSchema = z.looseObject({
  completion: z.string({ error: 'expected a string' }),
  gold: z.union([z.string(), z.number()]).optional(),
});

/** --extractor's help names the extractors registered when the command is built. */
const extractorOption = () =>
  z
    .string()
    .min(1)
    .describe(`Extractor: ${listExtractors().join(', ')}`);
export const extractOptions = () =>
  z.object({
    extractor: extractorOption(),
    input: z.string().optional().describe('JSONL file (default: standard input)'),
  });
export const rescoreOptions = () =>
  z.object({
    run: z.string().min(1).describe('A run folder (results/<run-id>)').meta({ positional: true }),
    extractor: extractorOption(),
  });

function extractorOrUsage(name: string) {
  try {
    return getExtractor(name);
  } catch {
    throw new UsageError(
      `--extractor: unknown extractor "${name}"; known: ${listExtractors().join(', ')}`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Each line back with `predicted` (string or null) and, when it has `gold`, `correct`. */
export function extractLines(text: string, extractor: string, source: string): string[] {
  const ex = extractorOrUsage(extractor);
  return parseJsonl(text, ExtractLineSchema, source).map((line) => {
    const predicted = ex.extract(line.completion);
    const out: Record<string, unknown> = { ...line, predicted };
    if (line.gold !== undefined) out.correct = ex.isCorrect(predicted, String(line.gold));
    return JSON.stringify(out);
  });
}

export const evalCommand: CommandFactory = (io: Io) => (y) =>
  y.command('eval <action>', 'Answer extraction and rescoring of logged completions', (e) =>
    e
      .command(
        'extract',
        'Read JSONL lines with `completion` (and optionally `gold`) and write them back with `predicted` (and `correct`)',
        (c) => optionsFrom(c, extractOptions()),
        async (argv) => {
          const o = parseOptions(extractOptions(), argv);
          extractorOrUsage(o.extractor);
          const file = o.input ? resolveUserPath(o.input) : null;
          const text = file ? readTextFile(file) : await readStdin();
          for (const line of extractLines(text, o.extractor, file ?? '(stdin)')) io.out(line);
        },
      )
      .command(
        'rescore <run>',
        "Recompute a run's tables from its sample logs with an extractor (no generation)",
        (c) => optionsFrom(c, rescoreOptions()),
        async (argv) => {
          const o = parseOptions(rescoreOptions(), argv);
          const dir = resolveUserPath(o.run);
          const { rows, files, samples, counts, methods, doseResponse, evidence, likelihood } =
            rescoreRun(dir, extractorOrUsage(o.extractor));
          // per evaluation where the run has more than zero-shot: '48 samples (24 zero_shot, 24 post_sft)'
          const per =
            counts.length > 1 || counts[0]?.evalType !== 'zero_shot'
              ? ` (${counts.map((c) => `${c.samples} ${c.evalType}`).join(', ')})`
              : '';
          io.out(`rescore: ${samples} samples${per} with extractor ${o.extractor}`);
          io.out(formatPivot(rows, o.extractor, methods));
          for (const f of [...Object.values(files), ...likelihood.files]) {
            io.out(`rescore: wrote ${f}`);
          }
          for (const t of [doseResponse, evidence]) if (t) io.out(`rescore: wrote ${t.csv}`);
        },
      )
      .demandCommand(1, 'name an eval action: extract or rescore'),
  );
