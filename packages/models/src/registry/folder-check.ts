// The load-time check of an exported folder against its exp-model.json: a folder whose files are
// not the ones the export wrote (a model.onnx copied in from another export, a half-replaced
// folder, an edited config) is refused in one line instead of generating from mixed parts.
// Cost: one stat per file, full sha256 of files up to FULL_HASH_MAX_BYTES (configs, tokenizer,
// a small or external-data model.onnx) and a sampled hash of larger ones (2 MiB read however big
// the file), so a 1.5 GB model.onnx adds milliseconds to a load, not seconds. `full: true`
// hashes everything (the sha256 recorded at export) for a deliberate verification.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { hashFileSync, ExpError } from '@exp/data';
import {
  COPIED_FILES,
  expModelManifestSchema,
  MANIFEST_FILE,
  MODEL_DATA_FILE,
  MODEL_FILE,
} from '../export.js';
import type { ExpModelManifest } from '../export.js';
import { FULL_HASH_MAX_BYTES, sampleSha256File } from './file-hash.js';

/** An exported folder that does not match its exp-model.json; the message is one line. */
export class ModelFolderError extends ExpError {
  constructor(
    readonly dir: string,
    readonly differences: string[],
  ) {
    super(
      `model folder ${dir} does not match its ${MANIFEST_FILE}: ${differences.join('; ')}; export it again`,
    );
    this.name = 'ModelFolderError';
  }
}

export interface CheckExportedFolderOptions {
  /** Hash every file in full instead of sampling the large ones. */
  full?: boolean;
}

const short = (sha: string) => sha.slice(0, 12);

function readManifest(dir: string): ExpModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelFolderError(dir, [
      `${MANIFEST_FILE} is not readable JSON (${(e as Error).message})`,
    ]);
  }
  const r = expModelManifestSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ModelFolderError(dir, [
      `${MANIFEST_FILE} field ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    ]);
  }
  return r.data;
}

/** What differs between the recorded files and the folder's (empty when they match). */
function differences(dir: string, m: ExpModelManifest, full: boolean): string[] {
  const out: string[] = [];
  if (m.files) {
    for (const f of m.files) {
      const file = path.join(dir, f.file);
      if (!existsSync(file)) {
        out.push(`${f.file} is missing`);
        continue;
      }
      const bytes = statSync(file).size;
      if (bytes !== f.bytes) {
        out.push(`${f.file} has ${bytes} bytes, ${f.bytes} recorded`);
        continue;
      }
      if (full || bytes <= FULL_HASH_MAX_BYTES) {
        const sha = hashFileSync(file);
        if (sha !== f.sha256)
          out.push(`${f.file} has sha256 ${short(sha)}…, ${short(f.sha256)}… recorded`);
      } else if (sampleSha256File(file) !== f.sample_sha256) {
        out.push(`${f.file} has other contents than recorded (sampled sha256, same size)`);
      }
    }
    const listed = new Set(m.files.map((f) => f.file));
    const known = new Set<string>([MODEL_FILE, MODEL_DATA_FILE, ...COPIED_FILES]);
    for (const f of readdirSync(dir).sort()) {
      if (known.has(f) && !listed.has(f)) out.push(`${f} is not from this export`);
    }
    return out;
  }
  // Folders exported before files were recorded: what the manifest does say.
  const config = path.join(dir, 'config.json');
  if (existsSync(config) && hashFileSync(config) !== m.source.config_sha256) {
    out.push(`config.json has other contents than the source's (config_sha256)`);
  }
  const hasData = existsSync(path.join(dir, MODEL_DATA_FILE));
  if (hasData !== m.external_data) {
    out.push(
      m.external_data
        ? `${MODEL_DATA_FILE} is missing`
        : `${MODEL_DATA_FILE} is not from this export`,
    );
  }
  return out;
}

/**
 * Checks an exported folder against its exp-model.json and returns the manifest, or null when
 * the folder has none (exported by other tools, e.g. torch.onnx: nothing to check against).
 * Throws ModelFolderError naming the folder and every file that differs.
 */
export function checkExportedFolder(
  dir: string,
  opts: CheckExportedFolderOptions = {},
): ExpModelManifest | null {
  const root = path.resolve(dir);
  if (!existsSync(path.join(root, MANIFEST_FILE))) return null;
  const manifest = readManifest(root);
  const diff = differences(root, manifest, opts.full ?? false);
  if (diff.length > 0) throw new ModelFolderError(root, diff);
  return manifest;
}
