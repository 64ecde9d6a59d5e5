// The run's data step: GSM8K present (pulled when missing and online), noisy sets generated with
// the run's seed (regenerated when their manifest says another seed or input), imported sets
// found; every file's sha256 and seed go into the run manifest.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DownloadError,
  dataDir,
  datasetFile,
  gsm8kDir,
  gsm8kFile,
  hashFileSync,
  pullGsm8k,
} from '@exp/data';
import { generateNoisyDatasets, manifestFileName, noisyFileName } from '@exp/noise';
import type { Io } from '../io.js';
import { withProgress } from '../progress.js';
import { NOISE_DATASETS, type RunPlan } from './run-plan.js';

export interface DataFile {
  path: string;
  sha256: string;
  /** Seed the noisy set was generated with (null for sets without noise). */
  seed: number | null;
}

const isNoise = (name: string): name is (typeof NOISE_DATASETS)[number] =>
  (NOISE_DATASETS as readonly string[]).includes(name);

/** Where a dataset of the run lives. */
export function datasetPath(name: string): string {
  if (name === 'clean') return gsm8kFile('test');
  if (isNoise(name)) return path.join(dataDir(), noisyFileName(name));
  return datasetFile(name);
}

/** GSM8K test (and train, for k-shot prompts): present, or pulled with checksums when online. */
async function ensureGsm8k(io: Io, splits: ('train' | 'test')[]): Promise<void> {
  const missing = splits.filter((s) => !existsSync(path.join(gsm8kDir(), `${s}.jsonl`)));
  if (missing.length === 0) return;
  if (process.env.EXP_GSM8K_DIR) gsm8kFile(missing[0]!); // names the folder and how to fix it
  try {
    const files = await withProgress(io, 'gsm8k', (bar) =>
      pullGsm8k({ splits: missing, onProgress: (p) => bar.update(p.received, p.total) }),
    );
    for (const f of files) io.out(`data-gen: GSM8K ${f.split} ${f.status} (${f.records} records)`);
  } catch (e) {
    if (!(e instanceof DownloadError)) throw e;
    throw new Error(
      `GSM8K is not here and could not be downloaded (${e.message.split('\n')[0]}); offline, set EXP_GSM8K_DIR to a folder holding the official train.jsonl and test.jsonl`,
    );
  }
}

interface NoiseManifest {
  seed?: unknown;
  input_sha256?: unknown;
  templates?: unknown;
  sha256?: unknown;
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

/** Why a noisy file must be (re)generated for this run, or null when it fits. */
function staleReason(file: string, seed: number, inputSha256: string): string | null {
  if (!existsSync(file)) return 'missing';
  const m = readNoiseManifest(file);
  if (typeof m === 'string') return m;
  if (m.seed !== seed) return `seed ${String(m.seed)}, run seed ${seed}`;
  if (m.input_sha256 !== inputSha256) return 'made from another GSM8K test file';
  if (m.templates !== null) return 'made from another template bank';
  if (m.sha256 !== hashFileSync(file)) return 'changed since it was generated';
  return null;
}

function noiseSeed(file: string): number | null {
  const m = readNoiseManifest(file);
  return typeof m !== 'string' && typeof m.seed === 'number' ? m.seed : null;
}

/** Makes every dataset of the plan ready (unless --skip-data-gen) and describes each file. */
export async function prepareData(
  plan: RunPlan,
  io: Io,
  opts: { needTrain: boolean },
): Promise<Record<string, DataFile>> {
  await ensureGsm8k(io, opts.needTrain ? ['test', 'train'] : ['test']);
  const noise = plan.datasets.filter(isNoise);
  if (plan.steps.dataGen && noise.length) {
    const input = hashFileSync(gsm8kFile('test'));
    const stale = noise
      .map((t) => ({ t, why: staleReason(datasetPath(t), plan.seed, input) }))
      .filter((s) => s.why !== null);
    if (stale.length) {
      for (const s of stale) io.out(`data-gen: generating ${s.t} (${s.why})`);
      await withProgress(io, 'noise', (bar) =>
        generateNoisyDatasets({
          types: stale.map((s) => s.t),
          seed: plan.seed,
          onProgress: (done: number, total: number) => bar.update(done, total),
        }),
      );
    }
  }
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
      seed: isNoise(name) ? noiseSeed(file) : null,
    };
  }
  if (!plan.steps.dataGen) io.out('data-gen: skipped (--skip-data-gen); using the files in data/');
  io.out(`data-gen: ${plan.datasets.length} datasets ready (${plan.datasets.join(', ')})`);
  return files;
}
