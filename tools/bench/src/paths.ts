// Where benches find things: the repository root, GSM8K and the bench model cache.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** GSM8K as the CLI reads it: EXP_GSM8K_DIR, else the shared copy next to the checkout. */
export function gsm8kDir(): string {
  return process.env.EXP_GSM8K_DIR ?? path.resolve(REPO_ROOT, '../shared/data/gsm8k');
}

/** Bench checkpoints and exports, made once and shared by every bench (outside the repo). */
export function benchCacheDir(): string {
  return process.env.EXP_BENCH_DIR ?? path.join(os.tmpdir(), 'exp-bench-models');
}

/** A progress line (benches write them to stderr, their tables to stdout). */
export type Log = (line: string) => void;
