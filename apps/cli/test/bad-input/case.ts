// One row of the bad-input suite: a command line the built CLI (dist/main.js) runs as a
// subprocess, and what a user must see. Adding a case is one object in a cases-<area>.ts table.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths a case builds its arguments from; `tmp` is a fresh folder per case. */
export interface CaseContext {
  /** A fresh empty folder for this case (EXP_DATA_DIR, EXP_RESULTS_DIR, EXP_MODELS_DIR are inside it). */
  tmp: string;
  /** ../shared (read-only). */
  shared: string;
  /** ../shared/data/gsm8k. */
  gsm8k: string;
  /** ../shared/golden. */
  golden: string;
}

export interface BadInputCase {
  /** Shown as the test name; say what is wrong ("models export --dtype bf16"). */
  name: string;
  args: (c: CaseContext) => string[];
  /** Creates the files the case needs (inside c.tmp). */
  setup?: (c: CaseContext) => void;
  /** Extra environment (EXP_*, HF_* are set to folders under c.tmp and offline already). */
  env?: (c: CaseContext) => Record<string, string>;
  /** The documented exit code: 2 usage (bad option, unknown command), 1 failure (bad input file...). */
  code: number;
  /** The one stderr line (the whole line must match). */
  stderr: RegExp;
  /** Files written before the command that must keep their bytes. */
  untouched?: (c: CaseContext) => string[];
  /** Paths that must not exist afterwards (no partial output where a finished one is expected). */
  absent?: (c: CaseContext) => string[];
}

export const SHARED =
  process.env.EXP_SHARED_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared');

export const MAIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/main.js',
);
