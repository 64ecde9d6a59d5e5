// The run folder `<out>/<run-id>/` and its manifest.json: unique default ids, and the check that a
// rerun with the same id asks for the same experiment (a new id is the way to change options).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson, writeFileAtomic } from '@exp/data';
import { UsageError, flagName } from './errors.js';
import { MANIFEST } from './layout.js';
import { updateRunManifest, type Attempt, type RunManifest } from './manifest.js';

/** Options that change how fast a run goes, not what it measures: a resumed run may change them. */
export const OPERATIONAL_OPTIONS = new Set([
  'out',
  'threads',
  'batchSize',
  'saveTotalLimit',
  'runId',
  'resume',
  'setup',
  'instructions',
  'verbose',
  'skipReport',
]);

function timestampId(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d+)Z$/, '$1Z');
}

export interface RunFolder {
  id: string;
  dir: string;
  /** It holds a manifest: this invocation continues it. */
  resumed: boolean;
  /** This invocation made the folder (only such a folder may be removed when the run fails). */
  created: boolean;
}

/** Whether a run folder holds anything besides its manifest (a logged sample, a checkpoint...). */
export function holdsResults(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).some(
    (e) =>
      e.isFile() &&
      !(e.parentPath === dir && e.name === MANIFEST) &&
      statSync(path.join(e.parentPath, e.name)).size > 0,
  );
}

/**
 * Creates the run folder. A default id is the UTC time to the millisecond plus 24 random bits,
 * and the folder is made with an exclusive mkdir, so two runs started at once never share one.
 */
export function createRunFolder(out: string, runId?: string): RunFolder {
  mkdirSync(out, { recursive: true });
  if (runId) {
    const dir = path.join(out, runId);
    const resumed = existsSync(path.join(dir, MANIFEST));
    const created = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    return { id: runId, dir, resumed, created };
  }
  for (;;) {
    const id = `${timestampId(new Date())}-${randomBytes(3).toString('hex')}`;
    const dir = path.join(out, id);
    try {
      mkdirSync(dir);
      return { id, dir, resumed: false, created: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

export function readManifest(dir: string): Record<string, unknown> {
  const file = path.join(dir, MANIFEST);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(
      `${file}: not a readable run manifest (${(e as Error).message.split('\n')[0]})`,
    );
  }
}

export function writeManifest(dir: string, manifest: Record<string, unknown>): void {
  writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * The attempts a manifest recorded. A manifest written before attempts were kept has one: its
 * timings are those of its last invocation (the first start, or its last resume).
 */
export function recordedAttempts(previous: RunManifest | null): Attempt[] {
  if (!previous) return [];
  if (previous.attempts) return previous.attempts;
  if (!previous.timings) return [];
  const started = previous.resumed_at?.at(-1) ?? previous.started;
  const { finished = null, status, timings } = previous;
  return [{ started, finished, status, timings }];
}

/** Each step's time summed over the attempts. */
export function totalTimings(attempts: readonly Attempt[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const a of attempts) {
    for (const [k, ms] of Object.entries(a.timings)) total[k] = (total[k] ?? 0) + ms;
  }
  return total;
}

/** Adds the report's build time to the run's last attempt (`exp run` builds it after the run). */
export function recordReportTime(dir: string, ms: number): void {
  updateRunManifest(dir, (m) => {
    const attempt = m.attempts?.at(-1);
    if (attempt) attempt.timings.report_ms = ms;
  });
}

/** Writes a run's manifest with its `timings` the totals over its `attempts`. */
export function writeRunManifest(dir: string, manifest: RunManifest): void {
  manifest.timings = totalTimings(manifest.attempts ?? []);
  writeManifest(dir, manifest);
}

/** The options that define what a run measures (operational ones left out). */
export function measuredOptions(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).filter(([k, v]) => !OPERATIONAL_OPTIONS.has(k) && v !== undefined),
  );
}

/** An option's value as a user writes it; one the run did not set is `unset`. */
function shownValue(v: unknown): string {
  if (v === undefined || v === null) return 'unset';
  if (Array.isArray(v)) return v.join(',');
  return typeof v === 'string' ? v : canonicalJson(v);
}

/** Refuses to continue a run whose manifest recorded other options, naming every difference. */
export function assertSameOptions(
  id: string,
  previous: RunManifest,
  options: Record<string, unknown>,
): void {
  const before: Record<string, unknown> = previous.options;
  const now = measuredOptions(options);
  const keys = [...new Set([...Object.keys(measuredOptions(before)), ...Object.keys(now)])].sort();
  const differ = keys.filter(
    (k) => canonicalJson(before[k] ?? null) !== canonicalJson(now[k] ?? null),
  );
  if (differ.length) {
    const list = differ.map(
      (k) => `${flagName(k)} is ${shownValue(now[k])} (run: ${shownValue(before[k])})`,
    );
    throw new UsageError(
      `run ${id}: options differ from the run's: ${list.join('; ')}; use --resume ${id} to continue it as started, or a new --run-id`,
    );
  }
}

/** Refuses to continue a run whose datasets changed since it started. */
export function assertSameData(
  id: string,
  previous: RunManifest,
  data: Record<string, { sha256: string }>,
): void {
  for (const [name, file] of Object.entries(data)) {
    const before = previous.data[name]?.sha256;
    if (before && before !== file.sha256) {
      throw new UsageError(
        `run ${id}: dataset ${name} changed since the run started (sha256 ${file.sha256.slice(0, 12)}, was ${before.slice(0, 12)}); use a new --run-id`,
      );
    }
  }
}
