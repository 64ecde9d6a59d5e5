// Shared set-up of the `exp run` / `exp eval` tests: one temporary root per test file with data/,
// results/ and a models cache shared by the file's tests (the tiny presets are exported once),
// GSM8K from the shared copy, the hub offline, and a fast task file (16 new tokens).
import { afterAll, beforeAll } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GSM8K_DIR } from './helpers.js';

export const TINY = 'tiny-llama,tiny-diffllama';
export const SETS = ['clean', 'inf', 'rcs', 'sd'] as const;
export const CSV_HEADER =
  'model,dataset,accuracy,correct,total,eval_type,extractor,ci_low,ci_high,degradation,degradation_ci_low,degradation_ci_high,diff_vs,diff,diff_ci_low,diff_ci_high,mcnemar_p,diff_mde,p_holm,degradation_mde';

export interface RunEnv {
  readonly root: string;
  readonly results: string;
  readonly data: string;
  readonly models: string;
  /** The fast task file (the seed protocol's settings with maxNewTokens 16). */
  readonly task: string;
  /** The environment the CLI sees (for child processes). */
  env(): NodeJS.ProcessEnv;
}

const FAST_TASK = {
  name: 'fast',
  prompt: { template: 'bare' },
  generation: { maxNewTokens: 16, repetitionPenalty: 1.1 },
  extractors: ['seed', 'strict'],
};

export function useRunEnv(prefix: string): RunEnv {
  let root = '';
  const saved = { ...process.env };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), prefix));
    writeFileSync(path.join(root, 'task.json'), JSON.stringify(FAST_TASK));
    Object.assign(process.env, {
      EXP_DATA_DIR: path.join(root, 'data'),
      EXP_RESULTS_DIR: path.join(root, 'results'),
      EXP_MODELS_DIR: path.join(root, 'models'),
      EXP_GSM8K_DIR: GSM8K_DIR,
      HF_HOME: path.join(root, 'hf'),
      HF_HUB_OFFLINE: '1',
    });
    delete process.env.HF_HUB_CACHE;
    delete process.env.HF_ENDPOINT;
  });
  afterAll(() => {
    process.env = { ...saved };
    if (!process.env.EXP_TEST_KEEP) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  });
  return {
    get root() {
      return root;
    },
    get results() {
      return path.join(root, 'results');
    },
    get data() {
      return path.join(root, 'data');
    },
    get models() {
      return path.join(root, 'models');
    },
    get task() {
      return path.join(root, 'task.json');
    },
    env: () => ({ ...process.env }),
  };
}

export function sampleFile(runDir: string, model: string, dataset: string): string {
  return path.join(runDir, 'samples', model, `${dataset}.jsonl`);
}

/** The lines of a sample log (none when it does not exist). */
export function sampleLines(runDir: string, model: string, dataset: string): string[] {
  const f = sampleFile(runDir, model, dataset);
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8').split('\n').filter(Boolean);
}

export interface Sample {
  id: string;
  index: number;
  completion: string;
  new_tokens: number;
  stop_reason: string;
  [k: string]: unknown;
}

export function samples(runDir: string, model: string, dataset: string): Sample[] {
  return sampleLines(runDir, model, dataset).map((l) => JSON.parse(l) as Sample);
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The fields of a run manifest the tests read (the assertions check the values). */
export interface RunManifest {
  run: string;
  status: string;
  resumed_at: string[];
  options: Record<string, unknown>;
  operational: Record<string, unknown>;
  seeds: { run: number; noise: Record<string, number | null> };
  data: Record<string, { path: string; sha256: string; seed: number | null }>;
  models: Record<string, { modelType: string; sourceSha256: Record<string, string> }>;
  versions: Record<string, string>;
  sft: { models: Record<string, Record<string, unknown>> } | null;
}

export function readManifest(runDir: string): RunManifest {
  return readJson(path.join(runDir, 'manifest.json')) as RunManifest;
}
