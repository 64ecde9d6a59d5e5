// The run's data step: GSM8K present (pulled when missing and online), noisy sets generated with
// the run's seed (regenerated when their manifest says another seed or input), imported sets
// found; every file's sha256 and seed go into the run manifest.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DatasetNameSchema,
  DownloadError,
  dataDir,
  datasetFile,
  gsm8kDir,
  gsm8kFile,
  hashFileSync,
  pullGsm8k,
} from '@exp/data';
import {
  MIX,
  generateNoisyDatasets,
  listNoise,
  manifestFileName,
  noisyFileName,
  parseNoiseCell,
  type NoiseCell,
} from '@exp/noise';
import { UsageError } from './errors.js';
import type { Reporter } from './events.js';
import { didYouMean } from './suggest.js';
import type { DataFile } from './manifest.js';
import { DATASETS, type RunPlan } from './plan.js';

const BUILT_IN: readonly string[] = DATASETS;

export type { DataFile } from './manifest.js';

/**
 * The noise cell a dataset name stands for (`inf`, `sd-k2-late`, `mix.inf.sd-k4-early`), or null
 * for clean and imported sets. Such sets live in data/gsm8k_<name>_test.jsonl and are generated
 * from GSM8K test with the run's seed.
 */
export function noiseCell(name: string): NoiseCell | null {
  const cell = parseNoiseCell(name);
  if (!cell) return null;
  const known = new Set(listNoise().map((d) => d.name));
  const ok = cell.type === MIX ? cell.typesMix!.every((t) => known.has(t)) : known.has(cell.type);
  return ok ? cell : null;
}
const isNoise = (name: string): boolean => noiseCell(name) !== null;

/** Where a dataset of the run lives. */
export function datasetPath(name: string): string {
  if (name === 'clean') return gsm8kFile('test');
  if (isNoise(name)) return path.join(dataDir(), noisyFileName(name));
  return datasetFile(name);
}

/** The sets imported into data/ (`exp data import`): data/<name>.jsonl, noisy GSM8K copies aside. */
function importedNames(): string[] {
  const dir = dataDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.slice(0, -'.jsonl'.length))
    .filter((n) => DatasetNameSchema.safeParse(n).success && !/^gsm8k_.+_test$/.test(n))
    .sort();
}

/**
 * A dataset is clean, a noise cell (inf, sd-k2-late...), a built-in set or one imported into
 * data/; any other name is a usage error, refused before any work, naming the known ones.
 */
export function checkDatasetNames(names: readonly string[]): void {
  const imported = importedNames();
  for (const name of names) {
    if (name === 'clean' || isNoise(name) || BUILT_IN.includes(name)) continue;
    if (imported.includes(name)) continue;
    const known = [...new Set([...BUILT_IN, ...listNoise().map((d) => d.name), ...imported])];
    throw new UsageError(
      `--datasets: unknown dataset "${name}"${didYouMean(name, known)} (built-in: ${BUILT_IN.join(', ')}, noise cells such as inf-k2-late; imported: ${imported.length ? imported.join(', ') : 'none'}; \`pnpm exp data import <file> --name ${name}\` adds one)`,
    );
  }
}

/** GSM8K test (and train, for k-shot prompts): present, or pulled with checksums when online. */
async function ensureGsm8k(report: Reporter, splits: ('train' | 'test')[]): Promise<void> {
  const missing = splits.filter((s) => !existsSync(path.join(gsm8kDir(), `${s}.jsonl`)));
  if (missing.length === 0) return;
  if (process.env.EXP_GSM8K_DIR) gsm8kFile(missing[0]!); // names the folder and how to fix it
  try {
    const files = await report.withBar('gsm8k', (bar) =>
      pullGsm8k({ splits: missing, onProgress: (p) => bar.update(p.received, p.total) }),
    );
    for (const f of files)
      report.out(`data-gen: GSM8K ${f.split} ${f.status} (${f.records} records)`);
  } catch (e) {
    if (!(e instanceof DownloadError)) throw e;
    throw new Error(
      `GSM8K is not here and could not be downloaded (${e.message.split('\n')[0]}); offline, set EXP_GSM8K_DIR to a folder holding the official train.jsonl and test.jsonl`,
    );
  }
}

interface NoiseManifest {
  seed?: unknown;
  input?: unknown;
  input_sha256?: unknown;
  templates?: unknown;
  sha256?: unknown;
  placement?: { sentences?: unknown; position?: unknown; slots?: unknown };
  types_mix?: unknown;
}

/** The manifest beside a noisy file, or why it cannot be read. */
function readNoiseManifest(file: string): NoiseManifest | string {
  const manifestFile = manifestFileName(file);
  if (!existsSync(manifestFile)) return 'no manifest beside it';
  try {
    return JSON.parse(readFileSync(manifestFile, 'utf8')) as NoiseManifest;
  } catch {
    return 'its manifest is not valid JSON';
  }
}

/** Why a noisy file's content is not what its name says (input, placement, bank, bytes), or null. */
function mismatch(file: string, cell: NoiseCell, inputSha256: string): string | null {
  if (!existsSync(file)) return 'missing';
  const m = readNoiseManifest(file);
  if (typeof m === 'string') return m;
  if (m.input_sha256 !== inputSha256) return 'made from another input than this GSM8K test file';
  const p = m.placement;
  const same =
    p?.sentences === cell.sentences && p.position === cell.position && p.slots === cell.slots;
  if (!same) return 'made with another dose, position or slot rule (old generator?)';
  if (cell.type === MIX && JSON.stringify(m.types_mix) !== JSON.stringify(cell.typesMix))
    return 'made from another list of mixed types';
  if (m.templates !== null) return 'made from another template bank';
  if (m.sha256 !== hashFileSync(file)) return 'changed since it was generated';
  return null;
}

/** Why a noisy file must be (re)generated for this run, or null when it fits. */
function staleReason(file: string, cell: NoiseCell, seed: number, input: string): string | null {
  const why = mismatch(file, cell, input);
  if (why !== null) return why;
  const m = readNoiseManifest(file) as NoiseManifest;
  return m.seed === seed ? null : `seed ${String(m.seed)}, run seed ${seed}`;
}

/**
 * A noisy copy of another set (`exp noise generate --input data/x.jsonl` -> data/x_sd.jsonl) must
 * still match its input: refused when the input file is there but has changed since.
 */
function checkNoisedInput(file: string): void {
  if (!existsSync(file) || !existsSync(manifestFileName(file))) return;
  const m = readNoiseManifest(file);
  if (typeof m === 'string' || typeof m.input !== 'string' || !existsSync(m.input)) return;
  if (hashFileSync(m.input) !== m.input_sha256) {
    throw new Error(
      `${file} was made from ${m.input}, which has changed since; regenerate it with \`pnpm exp noise generate --input ${m.input}\``,
    );
  }
}

function noiseSeed(file: string): number | null {
  const m = readNoiseManifest(file);
  return typeof m !== 'string' && typeof m.seed === 'number' ? m.seed : null;
}

/** Makes every dataset of the plan ready (unless --skip-data-gen) and describes each file. */
export async function prepareData(
  plan: RunPlan,
  report: Reporter,
  opts: { needTrain: boolean },
): Promise<Record<string, DataFile>> {
  await ensureGsm8k(report, opts.needTrain ? ['test', 'train'] : ['test']);
  const noise = plan.datasets.flatMap((name) => {
    const cell = noiseCell(name);
    return cell ? [{ name, cell }] : [];
  });
  const input = noise.length ? hashFileSync(gsm8kFile('test')) : '';
  if (plan.steps.dataGen) {
    const stale = noise
      .map((n) => ({ ...n, why: staleReason(datasetPath(n.name), n.cell, plan.seed, input) }))
      .filter((s) => s.why !== null);
    for (const s of stale) {
      report.out(`data-gen: generating ${s.name} (${s.why})`);
      await report.withBar('noise', (bar) =>
        generateNoisyDatasets({
          types: [s.cell.type],
          ...(s.cell.typesMix ? { typesMix: [...s.cell.typesMix] } : {}),
          sentences: s.cell.sentences,
          position: s.cell.position,
          slots: s.cell.slots,
          seed: plan.seed,
          onProgress: (done: number, total: number) => bar.update(done, total),
        }),
      );
    }
  } else {
    // Even when told to use the files as they are, never evaluate a set made from other data
    // (a file without a manifest, e.g. one of the original project's, is used as it is).
    for (const n of noise) {
      const file = datasetPath(n.name);
      const m = existsSync(file) ? readNoiseManifest(file) : 'missing';
      const why = typeof m === 'string' ? null : mismatch(file, n.cell, input);
      if (why !== null && why !== 'changed since it was generated') {
        throw new Error(
          `${file}: ${why}; run without --skip-data-gen to regenerate it from ${gsm8kFile('test')}`,
        );
      }
    }
  }
  for (const name of plan.datasets.filter((d) => !isNoise(d))) checkNoisedInput(datasetPath(name));
  const files: Record<string, DataFile> = {};
  for (const name of plan.datasets) {
    const file = datasetPath(name);
    if (!existsSync(file)) {
      throw new Error(
        isNoise(name)
          ? `${file} not found (--skip-data-gen uses the noisy sets already in data/); run without --skip-data-gen to generate it`
          : `${file} not found; import it first with \`pnpm exp data import <file> --name ${name}\`${name === 'gsmplus-distraction' ? ' (or --preset gsmplus-distraction)' : ''}`,
      );
    }
    files[name] = {
      path: file,
      sha256: hashFileSync(file),
      seed: noiseSeed(file),
    };
  }
  if (!plan.steps.dataGen)
    report.out('data-gen: skipped (--skip-data-gen); using the files in data/');
  report.out(`data-gen: ${plan.datasets.length} datasets ready (${plan.datasets.join(', ')})`);
  return files;
}
