// `exp eval extract` (answers of completions read as JSONL) and `exp eval rescore` (the tables of
// a run recomputed from its sample logs with another extractor, without generating).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  DataError,
  parseJsonl,
  readTextFile,
  resolveUserPath,
  BASELINE_DATASET,
  DEFAULT_SEED,
} from '@exp/data';
import {
  buildResultsTable,
  ciMethods,
  CI_METHODS,
  comparisonPair,
  formatPivot,
  getExtractor,
  listExtractors,
  readSampleLog,
  sampleLogFolders,
  writeResults,
  type CiMethod,
  type SampleRecord,
} from '@exp/eval';
import { parseOptions } from '../errors.js';
import { optionsFrom } from '../schema-options.js';
import type { CommandFactory } from '../cli.js';
import type { Io } from '../io.js';
import { UsageError } from '../io.js';
import { readManifest } from '@exp/run';

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

/**
 * Every sample log of a run folder, per evaluation (samples/ zero-shot, samples_<evalType>/ such
 * as post_sft), each in the order the run tabulated them: its models and datasets in the run's
 * order, items by index. Logs are in completion order (it depends on the batch size), and the
 * bootstrap draws depend on the order of the items.
 */
function runSamples(
  dir: string,
  manifest: Record<string, unknown>,
): { evalType: string; samples: SampleRecord[] }[] {
  const folders = sampleLogFolders(dir);
  if (folders.length === 0) {
    throw new DataError(`${path.join(dir, 'samples')}: no sample logs (is ${dir} a run folder?)`);
  }
  const options = (manifest.options ?? {}) as { models?: string[]; datasets?: string[] };
  const rank = (order: string[] | undefined, name: string) => {
    const i = order?.indexOf(name) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  // the models' resolved names (the logs' folders) in run order, else the --models option
  const resolved = Object.keys((manifest.models ?? {}) as object);
  const models = resolved.length ? resolved : options.models;
  return folders.map(({ folder, evalType }) => {
    const root = path.join(dir, folder);
    const samples: SampleRecord[] = [];
    for (const model of readdirSync(root).sort()) {
      for (const file of readdirSync(path.join(root, model)).sort()) {
        if (file.endsWith('.jsonl')) samples.push(...readSampleLog(path.join(root, model, file)));
      }
    }
    samples.sort(
      (a, b) =>
        rank(models, a.model) - rank(models, b.model) ||
        rank(options.datasets, a.dataset) - rank(options.datasets, b.dataset) ||
        a.index - b.index,
    );
    return { evalType, samples };
  });
}

/**
 * A run's results table recomputed with one extractor: a table per evaluation the run logged
 * (zero-shot, then post-SFT, ...), concatenated as `exp run` writes experiment_results.
 */
export function rescoreRun(dir: string, extractor: string) {
  const ex = extractorOrUsage(extractor);
  const manifest = readManifest(dir);
  const evaluations = runSamples(dir, manifest).map(({ evalType, samples }) => ({
    evalType,
    samples: samples.map((s) => {
      const answer = ex.extract(s.completion);
      const rescored: SampleRecord = {
        ...s,
        answers: { ...s.answers, [ex.name]: answer },
        correct_by: { ...s.correct_by, [ex.name]: ex.isCorrect(answer, s.gold) },
      };
      return rescored;
    }),
  }));
  // post-SFT models keep their names, so one pair serves every evaluation
  const pair = comparisonPair((manifest.models ?? {}) as Record<string, { modelType?: string }>);
  const seeds = (manifest.seeds ?? {}) as { run?: number };
  // the interval the run declared (`exp run --ci-method`), recorded in its manifest
  const ciMethod = ((manifest.options ?? {}) as { ciMethod?: unknown }).ciMethod ?? 'wilson';
  if (!CI_METHODS.includes(ciMethod as CiMethod)) {
    throw new DataError(
      `${path.join(dir, 'manifest.json')}: options.ciMethod: expected one of ${CI_METHODS.join(', ')}, got ${JSON.stringify(ciMethod)}`,
    );
  }
  const methods = ciMethods({ ciMethod: ciMethod as CiMethod });
  const rows = evaluations.flatMap(({ evalType, samples }) =>
    buildResultsTable(samples, {
      extractors: [ex.name],
      seed: seeds.run ?? DEFAULT_SEED,
      evalType,
      baseline: BASELINE_DATASET,
      pair,
      ciMethod: methods.ci,
    }),
  );
  const files = writeResults(path.join(dir, 'rescored', ex.name), rows);
  const counts = evaluations.map((e) => ({ evalType: e.evalType, samples: e.samples.length }));
  const samples = counts.reduce((n, c) => n + c.samples, 0);
  return { rows, files, samples, counts, methods };
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
          const { rows, files, samples, counts, methods } = rescoreRun(dir, o.extractor);
          // per evaluation where the run has more than zero-shot: '48 samples (24 zero_shot, 24 post_sft)'
          const per =
            counts.length > 1 || counts[0]?.evalType !== 'zero_shot'
              ? ` (${counts.map((c) => `${c.samples} ${c.evalType}`).join(', ')})`
              : '';
          io.out(`rescore: ${samples} samples${per} with extractor ${o.extractor}`);
          io.out(formatPivot(rows, o.extractor, methods));
          for (const f of Object.values(files)) io.out(`rescore: wrote ${f}`);
        },
      )
      .demandCommand(1, 'name an eval action: extract or rescore'),
  );
