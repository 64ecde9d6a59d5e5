// exp sft's manifest.json in --out: what produced the fine-tune (command, options, seed,
// versions, hashes of the data and of the source checkpoint) and how it ended (steps, loss, the
// final weights' hashes, or where an interrupted one can resume). Written once training has
// started, so a refused command never overwrites the manifest of an earlier run.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { checkGsm8kCopy, hashFileSync } from '@exp/data';
import { VERSION as TRAIN_VERSION } from '@exp/train';
import { readManifest, writeManifest } from './folder.js';
import { MANIFEST } from './layout.js';
import { versions } from './versions.js';

/** sha256 of a checkpoint folder's config.json, weight index and weight files. */
export function checkpointHashes(dir: string): Record<string, string> {
  const files = readdirSync(dir)
    .filter((f) => f === 'config.json' || f.endsWith('.safetensors') || f.endsWith('.index.json'))
    .sort();
  return Object.fromEntries(files.map((f) => [f, hashFileSync(path.join(dir, f))]));
}

/** The training data: a JSONL file with its hash, or GSM8K train with the official check. */
export function sftDataRecord(file: string | undefined, problems: number) {
  if (file) return { file, sha256: hashFileSync(file), records: problems };
  const c = checkGsm8kCopy('train');
  return {
    file: c.file,
    sha256: c.sha256,
    official: c.official,
    records: problems,
    gsm8k: 'train',
  };
}

export type SftStatus = 'running' | 'finished' | 'interrupted' | 'failed';

/** Writes `out`/manifest.json as the run goes; a resume keeps the first start and adds its own. */
export class SftManifest {
  private readonly m: Record<string, unknown>;
  private started = false;

  /** `fields`: command, options, seed, model, data (in that order in the file). */
  constructor(
    private readonly out: string,
    fields: Record<string, unknown>,
    resume: boolean,
  ) {
    const before = resume && existsSync(path.join(out, MANIFEST)) ? readPrevious(out) : undefined;
    const now = new Date().toISOString();
    const resumed = Array.isArray(before?.resumed_at) ? (before.resumed_at as string[]) : [];
    const status: SftStatus = 'running';
    this.m = {
      status,
      started: typeof before?.started === 'string' ? before.started : now,
      resumed_at: before ? [...resumed, now] : [],
      versions: { ...versions(), '@exp/train': TRAIN_VERSION },
      ...fields,
    };
  }

  /** Call when training has started (the options were accepted): the first write. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.write();
  }

  /** The last write: how it ended, with what to add (result, error, resume point). */
  end(status: Exclude<SftStatus, 'running'>, extra: Record<string, unknown>): void {
    if (!this.started && status !== 'finished') return; // refused before it began: touch nothing
    Object.assign(this.m, { status, finished: new Date().toISOString() }, extra);
    this.started = true;
    this.write();
  }

  private write(): void {
    writeManifest(this.out, this.m);
  }
}

function readPrevious(out: string): Record<string, unknown> | undefined {
  try {
    return readManifest(out);
  } catch {
    return undefined; // a damaged manifest is replaced, not trusted
  }
}
