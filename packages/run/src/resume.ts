// `exp run --resume ID`: continue a run with the options its manifest recorded, so that a user
// never retypes them (and never gets one wrong). Only options that change how fast a run goes,
// not what it measures, may be given alongside.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveUserPath, resultsDir } from '@exp/data';
import { UsageError, flagName } from './errors.js';
import { OPERATIONAL_OPTIONS } from './folder.js';
import { RUN_PATHS } from './layout.js';
import { readRunManifest } from './manifest.js';
import type { RunOptions } from './plan.js';

/** Operational options that name another run or action rather than tune this one. */
const NOT_WITH_RESUME = new Set(['runId', 'resume', 'setup', 'instructions']);

/**
 * What --resume accepts alongside: the operational options (where the run folders are, speed
 * settings that do not change results; --device is not one: another device's kernels can change
 * the numbers), less those that pick another run or action.
 */
export const RESUME_ALONGSIDE = [...OPERATIONAL_OPTIONS].filter((k) => !NOT_WITH_RESUME.has(k));

/** The run's options: its manifest's, with the operational ones given now; refuses any other. */
export function resumeOptions(
  id: string,
  given: readonly string[],
  options: RunOptions,
): RunOptions {
  const alongside = new Set<string>([...RESUME_ALONGSIDE, 'resume']);
  const refused = given.filter((k) => !alongside.has(k));
  if (refused.length) {
    throw new UsageError(
      `--resume ${id}: ${refused.map(flagName).join(', ')} cannot be given with --resume (the run's options come from its manifest; only ${RESUME_ALONGSIDE.filter(
        (k) => k !== 'verbose',
      )
        .map(flagName)
        .join(', ')} may be; a new --run-id starts a run with other options)`,
    );
  }
  const dir = path.join(options.out ? resolveUserPath(options.out) : resultsDir(), id);
  if (!existsSync(path.join(dir, RUN_PATHS.manifest))) {
    throw new UsageError(
      `--resume ${id}: no run there (${path.join(dir, RUN_PATHS.manifest)} not found; --out names the folder of run folders)`,
    );
  }
  const recorded: Record<string, unknown> = readRunManifest(dir).options;
  // null stands for an option the run did not set (the manifest writes task: null)
  const before = Object.fromEntries(Object.entries(recorded).filter(([, v]) => v !== null));
  const now = Object.fromEntries(
    given.filter((k) => k !== 'resume').map((k) => [k, options[k as keyof RunOptions]]),
  );
  return { ...options, ...before, ...now, out: options.out, runId: id, resume: id } as RunOptions;
}
