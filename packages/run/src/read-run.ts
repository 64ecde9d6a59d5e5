// Reads a run folder (the root README's "Runs" table) into typed data: the manifest, the results
// table, the sample logs with their noise spans, and whichever optional outputs exist (attention
// analysis, per-sample maps, SFT loss). Missing optional parts become notes, never failures; a
// file that exists but is malformed fails with one line naming the file and field.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DataError, formatIssue, jsonlValues, BASELINE_DATASET, DEFAULT_SEED } from '@exp/data';
import {
  buildResultsTable,
  ciLabels,
  ciMethods,
  comparisonPair,
  DoseResponseTableSchema,
  KnockoutTableSchema,
  LikelihoodSummarySchema,
  readSampleLog,
  resultFiles,
  ResultRowSchema,
  sampleLogFolders,
  type CiLabels,
  type DoseResponseRow,
  type KnockoutRow,
  type LikelihoodSummary,
  type ResultRow,
  type SampleRecord,
} from '@exp/eval';
import {
  readAttentionAnalysis,
  SampleMapSchema,
  type AttentionAnalysis,
  type SampleMap,
} from '@exp/attention';
import { readSftLosses, type SftLossRecord } from '@exp/train';
import { RunReadError } from './errors.js';
import { EvidenceTableSchema, type EvidenceRow } from './evidence-table.js';
import { RUN_PATHS } from './layout.js';
import { RunManifestSchema, type RunManifest } from './manifest.js';
import { NoiseRecordSchema } from './noise-record.js';

export interface Span {
  start: number;
  end: number;
}

/** A sample with where its noise sits in the prompt (null: unknown, see the run's notes). */
export interface SampleView {
  record: SampleRecord;
  /** Which evaluation logged it: 'zero_shot' (samples/) or e.g. 'post_sft' (samples_post_sft/). */
  evalType: string;
  noise: Span[] | null;
}

export interface SampleMapFile {
  /** Path relative to the run folder. */
  file: string;
  map: SampleMap;
}

export interface RunData {
  dir: string;
  manifest: RunManifest;
  /** The manifest as written, for display. */
  manifestText: string;
  results: ResultRow[];
  /** What each interval column of `results` is, for headings: '95% CI (Wilson)', ... */
  ciLabels: CiLabels;
  /** Where the results table is, relative to the run folder; `computed` when the report made it. */
  resultFiles: { csv: string; json: string; arrow: string; computed: boolean } | null;
  samples: SampleView[];
  /** Model and dataset order of the run (manifest plan first, then as found). */
  models: string[];
  datasets: string[];
  attention: AttentionAnalysis | null;
  sampleMaps: SampleMapFile[];
  sftLoss: { model: string; file: string; points: SftLossRecord[] }[];
  /** evidence.json's rows ("Does differential attention help?"), null when the run has none. */
  evidence: EvidenceRow[] | null;
  /** dose_response.json's rows (runs with sweep cells), null when absent. */
  doseResponse: DoseResponseRow[] | null;
  /** likelihood_results.json (the likelihood step's summary), null when absent. */
  likelihood: LikelihoodSummary | null;
  /** knockout_results.json's rows (attention knockout of the noise spans), null when absent. */
  knockout: KnockoutRow[] | null;
  /** Things the report could not show, one line each. */
  notes: string[];
}

export interface ReadRunOptions {
  /**
   * A folder holding the noisy data files by name, for a run folder read on another machine than
   * the one that wrote it (the manifest records absolute paths). Looked in before those paths.
   */
  dataDir?: string;
  /** The dataset without noise (no spans to read); default 'clean'. */
  baseline?: string;
}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RunReadError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RunReadError(`${file}: ${formatIssue(parsed.error.issues[0])}`);
  return parsed.data;
}

const distinctOf = (xs: readonly string[]) => [...new Set(xs)];
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const listDir = (p: string) => (isDir(p) ? readdirSync(p).sort() : []);

/** `order` first (those that occur), then the rest in order of appearance. */
function ordered(found: readonly string[], order: readonly string[] | undefined): string[] {
  const unique = [...new Set(found)];
  const first = (order ?? []).filter((x) => unique.includes(x));
  return [...first, ...unique.filter((x) => !first.includes(x))];
}

/** A record with the evaluation that logged it. */
export interface Logged {
  record: SampleRecord;
  evalType: string;
}

/** Every sample log of a run folder with the evaluation that logged it, zero-shot first. */
export function readSamples(dir: string): Logged[] {
  const out: Logged[] = [];
  for (const { folder, evalType } of sampleLogFolders(dir)) {
    const root = path.join(dir, folder);
    for (const model of listDir(root)) {
      for (const file of listDir(path.join(root, model))) {
        if (!file.endsWith('.jsonl')) continue;
        for (const record of readSampleLog(path.join(root, model, file)))
          out.push({ record, evalType });
      }
    }
  }
  return out;
}

/**
 * Every sample log of a run folder, per evaluation, each in the order the run tabulated them: its
 * models (resolved names, else --models) and datasets in the run's order, items by index. Logs
 * are in completion order (it depends on the batch size), and the bootstrap draws depend on the
 * order of the items.
 */
export function runSamples(
  dir: string,
  manifest: RunManifest,
): { evalType: string; samples: SampleRecord[] }[] {
  const logged = readSamples(dir);
  if (logged.length === 0) {
    throw new DataError(`${path.join(dir, 'samples')}: no sample logs (is ${dir} a run folder?)`);
  }
  const rank = (order: readonly string[] | undefined, name: string) => {
    const i = order?.indexOf(name) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const { options } = manifest;
  const resolved = Object.keys(manifest.models);
  const models = resolved.length ? resolved : options.models;
  const evalTypes = [...new Set(logged.map((l) => l.evalType))];
  return evalTypes.map((evalType) => ({
    evalType,
    samples: logged
      .filter((l) => l.evalType === evalType)
      .map((l) => l.record)
      .sort(
        (a, b) =>
          rank(models, a.model) - rank(models, b.model) ||
          rank(options.datasets, a.dataset) - rank(options.datasets, b.dataset) ||
          a.index - b.index,
      ),
  }));
}

function readResults(
  dir: string,
  manifest: RunManifest,
  samples: Logged[],
  baseline: string,
  notes: string[],
): { rows: ResultRow[]; files: RunData['resultFiles']; labels: CiLabels } {
  const written = RUN_PATHS.results();
  const json = path.join(dir, written.json);
  // the method the run declared (`exp run --ci-method`), else the default
  const methods = manifest.ci_methods ?? ciMethods({ ciMethod: manifest.options?.ciMethod });
  if (existsSync(json)) {
    const rows = readJson(json, ResultRowSchema.array());
    let labels = ciLabels(methods);
    if (!manifest.ci_methods && rows.length) {
      // Written before runs recorded their methods: every interval was a percentile bootstrap.
      labels = {
        ci: '95% CI (bootstrap)',
        diff_ci: '95% CI (paired bootstrap)',
        degradation_ci: '95% CI (paired bootstrap)',
      };
      notes.push(
        'the manifest does not record ci_methods: the results were written by an older exp, whose intervals are all percentile bootstraps',
      );
    }
    return {
      rows,
      labels,
      files: { ...written, computed: false },
    };
  }
  if (samples.length === 0) {
    notes.push('no results: the run folder has neither experiment_results.json nor sample logs');
    return { rows: [], files: null, labels: ciLabels(methods) };
  }
  // The table `exp run` would have written, from the logs alone: the manifest's extractors and
  // run seed (the bootstrap's), else every extractor the samples have and exp's default seed 42.
  // One table per evaluation (zero-shot, then post-SFT, ...), as `exp run` writes them.
  const extractors = manifest.task?.extractors ?? Object.keys(samples[0].record.answers);
  const rows = distinctOf(samples.map((s) => s.evalType)).flatMap((evalType) =>
    buildResultsTable(
      samples.filter((s) => s.evalType === evalType).map((s) => s.record),
      {
        extractors,
        seed: manifest.seeds?.run ?? DEFAULT_SEED,
        evalType,
        baseline,
        pair: comparisonPair(manifest.models ?? {}),
        ciMethod: methods.ci,
        level: methods.level,
      },
    ),
  );
  notes.push(
    'experiment_results.json was missing: the results table was computed from the sample logs',
  );
  return {
    rows,
    labels: ciLabels(methods),
    files: { ...resultFiles(RUN_PATHS.tables), computed: true },
  };
}

/** id -> { question, noise } of the ids wanted, from one noisy data file (JSONL). */
function readNoiseRecords(file: string, ids: ReadonlySet<string>) {
  const out = new Map<string, z.infer<typeof NoiseRecordSchema>>();
  for (const { line, value } of jsonlValues(readFileSync(file, 'utf8'), file)) {
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !ids.has(id)) continue;
    const parsed = NoiseRecordSchema.safeParse(value);
    if (!parsed.success)
      throw new RunReadError(`${file}:${line}: ${formatIssue(parsed.error.issues[0])}`);
    out.set(id, parsed.data);
  }
  return out;
}

function noiseSpans(
  dir: string,
  manifest: RunManifest,
  logged: Logged[],
  opts: ReadRunOptions,
  notes: string[],
): SampleView[] {
  const samples = logged.map((s) => s.record);
  const baseline = opts.baseline ?? BASELINE_DATASET;
  const byDataset = new Map<string, SampleRecord[]>();
  for (const s of samples) {
    if (!byDataset.has(s.dataset)) byDataset.set(s.dataset, []);
    byDataset.get(s.dataset)!.push(s);
  }
  const spans = new Map<SampleRecord, Span[] | null>();
  for (const [dataset, records] of byDataset) {
    if (dataset === baseline) {
      for (const r of records) spans.set(r, []);
      continue;
    }
    const recorded = manifest.data?.[dataset]?.path;
    if (!recorded) {
      notes.push(`noise spans of ${dataset} not shown: the manifest records no data file for it`);
      continue;
    }
    const candidates = [
      ...(opts.dataDir ? [path.join(opts.dataDir, path.basename(recorded))] : []),
      path.resolve(dir, recorded),
    ];
    const file = candidates.find((f) => existsSync(f));
    if (!file) {
      notes.push(`noise spans of ${dataset} not shown: ${candidates.join(' or ')} not found`);
      continue;
    }
    const found = readNoiseRecords(file, new Set(records.map((r) => r.id)));
    let missing = 0;
    for (const r of records) {
      const rec = found.get(r.id);
      const at = rec ? r.prompt.indexOf(rec.question) : -1;
      if (!rec || at < 0) {
        missing++;
        continue;
      }
      spans.set(
        r,
        rec.noise.map((s) => ({ start: at + s.start, end: at + s.end })),
      );
    }
    if (missing > 0) {
      notes.push(
        `noise spans of ${missing} ${dataset} sample(s) not shown: their question is not in ${file} or not in the prompt`,
      );
    }
  }
  return logged.map(({ record, evalType }) => ({
    record,
    evalType,
    noise: spans.get(record) ?? null,
  }));
}

function readSampleMaps(dir: string): SampleMapFile[] {
  const root = path.join(dir, RUN_PATHS.attentionSamples);
  const out: SampleMapFile[] = [];
  for (const dataset of listDir(root)) {
    for (const model of listDir(path.join(root, dataset))) {
      for (const name of listDir(path.join(root, dataset, model))) {
        if (!name.endsWith('.json')) continue;
        const file = path.join(RUN_PATHS.attentionSamples, dataset, model, name);
        out.push({ file, map: readJson(path.join(dir, file), SampleMapSchema) });
      }
    }
  }
  return out;
}

function readSftLoss(dir: string): RunData['sftLoss'] {
  const out: RunData['sftLoss'] = [];
  for (const model of listDir(path.join(dir, RUN_PATHS.sftRoot))) {
    const points = readSftLosses(path.join(dir, RUN_PATHS.sft(model)));
    if (points.length > 0) out.push({ model, file: RUN_PATHS.sftLoss(model), points });
  }
  return out;
}

/** A run folder's optional JSON table, parsed with its writer's schema; null when absent. */
function readOptional<T>(dir: string, rel: string, schema: z.ZodType<T>): T | null {
  const file = path.join(dir, rel);
  return existsSync(file) ? readJson(file, schema) : null;
}

export function readRun(dir: string, opts: ReadRunOptions = {}): RunData {
  const manifestFile = path.join(dir, RUN_PATHS.manifest);
  if (!existsSync(manifestFile)) {
    throw new RunReadError(
      `${dir}: not a run folder (no manifest.json); pass the folder \`exp run\` wrote`,
    );
  }
  const manifest = readJson(manifestFile, RunManifestSchema);
  const notes: string[] = [];
  const records = readSamples(dir);
  // Samples in the run's order (evaluation, model, dataset, position in the set), not the file
  // system's: the results table computed from them and every listing follow it.
  const evalTypes = distinctOf(records.map((r) => r.evalType));
  const sampleModels = ordered(
    records.map((r) => r.record.model),
    manifest.plan?.models,
  );
  const sampleDatasets = ordered(
    records.map((r) => r.record.dataset),
    manifest.plan?.datasets,
  );
  records.sort(
    (a, b) =>
      evalTypes.indexOf(a.evalType) - evalTypes.indexOf(b.evalType) ||
      sampleModels.indexOf(a.record.model) - sampleModels.indexOf(b.record.model) ||
      sampleDatasets.indexOf(a.record.dataset) - sampleDatasets.indexOf(b.record.dataset) ||
      a.record.index - b.record.index,
  );
  const { rows, files, labels } = readResults(
    dir,
    manifest,
    records,
    opts.baseline ?? BASELINE_DATASET,
    notes,
  );
  const attentionFile = path.join(dir, RUN_PATHS.attentionAnalysis);
  const attention = existsSync(attentionFile) ? readAttentionAnalysis(attentionFile) : null;
  const models = ordered([...rows.map((r) => r.model), ...sampleModels], manifest.plan?.models);
  const datasets = ordered(
    [...rows.map((r) => r.dataset), ...sampleDatasets],
    manifest.plan?.datasets,
  );
  // Unknown names (not in the run's lists) go last, in the file system's order.
  const rank = (list: string[], x: string) => (list.includes(x) ? list.indexOf(x) : list.length);
  const sampleMaps = readSampleMaps(dir).sort(
    (a, b) =>
      rank(datasets, a.map.dataset) - rank(datasets, b.map.dataset) ||
      rank(models, a.map.model) - rank(models, b.map.model),
  );
  const sftLoss = readSftLoss(dir).sort((a, b) => rank(models, a.model) - rank(models, b.model));
  return {
    dir,
    manifest,
    manifestText: readFileSync(manifestFile, 'utf8'),
    results: rows,
    ciLabels: labels,
    resultFiles: files,
    samples: noiseSpans(dir, manifest, records, opts, notes),
    models,
    datasets,
    attention,
    sampleMaps,
    sftLoss,
    evidence: readOptional(dir, RUN_PATHS.evidence('json'), EvidenceTableSchema)?.rows ?? null,
    doseResponse:
      readOptional(dir, RUN_PATHS.doseResponse('json'), DoseResponseTableSchema)?.rows ?? null,
    likelihood: readOptional(dir, RUN_PATHS.likelihoodResults('json'), LikelihoodSummarySchema),
    knockout:
      readOptional(dir, RUN_PATHS.knockoutResults('json'), KnockoutTableSchema)?.rows ?? null,
    notes,
  };
}
