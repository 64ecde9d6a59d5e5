import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The workspace root (the folder holding pnpm-workspace.yaml), so that `data/` and `results/`
 * mean the same folder whether a command runs from the root or through `pnpm -F <pkg>`.
 * Falls back to the current directory outside a checkout.
 */
export function projectRoot(from: string = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from);
    dir = parent;
  }
}

/** Resolves a path the user typed against the folder they typed it in (pnpm sets INIT_CWD). */
export function resolveUserPath(p: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

/** `data/` of the project, or EXP_DATA_DIR. */
export function dataDir(): string {
  return process.env.EXP_DATA_DIR
    ? resolveUserPath(process.env.EXP_DATA_DIR)
    : path.join(projectRoot(), 'data');
}

/** `results/` of the project, or EXP_RESULTS_DIR. */
export function resultsDir(): string {
  return process.env.EXP_RESULTS_DIR
    ? resolveUserPath(process.env.EXP_RESULTS_DIR)
    : path.join(projectRoot(), 'results');
}
