import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  dataDir,
  gsm8kFile,
  hashFileSync,
  loadGsm8kFile,
  toJsonl,
  writeFileAtomic,
  type Problem,
} from '@exp/data';
import { z } from 'zod';
import { applyNoise } from './apply.js';
import { loadTemplateBank } from './banks/file.js';
import { builtinNoises, BUILTIN_NOISE_TYPES } from './builtin.js';
import type { NoiseDefinition } from './definition.js';
import { NoiseError } from './errors.js';
import type { NoisyProblem } from './records.js';
import { getNoise, listNoise } from './registry.js';

/** Seed used when none is given (documented in the README; the original used no seed at all). */
export const DEFAULT_NOISE_SEED = 42;

export type ProgressFn = (done: number, total: number) => void;

const TypesSchema = z
  .union([z.string(), z.array(z.string())], {
    error: 'expected noise type names, comma-separated',
  })
  .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((s) => s.trim()).filter(Boolean))
  .superRefine((types, ctx) => {
    if (types.length === 0)
      ctx.addIssue({ code: 'custom', message: 'expected at least one noise type' });
    const known = listNoise().map((d) => d.name);
    for (const t of types) {
      if (!known.includes(t)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown noise type '${t}' (known: ${known.join(', ')})`,
        });
        return;
      }
    }
    const dup = types.find((t, i) => types.indexOf(t) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `noise type '${dup}' is listed twice` });
  });

const SeedSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/u.test(v) ? Number(v) : v),
  z
    .number({ error: 'expected an integer' })
    .refine((n) => Number.isSafeInteger(n), 'expected an integer'),
);

const PathSchema = z.string({ error: 'expected a path' }).min(1, 'expected a path');

/**
 * Options of generateNoisyDatasets (and of `exp noise generate`, which passes the same object):
 * - input: GSM8K-format JSONL; default the GSM8K test split (EXP_GSM8K_DIR or the pulled cache).
 *   Problem ids are `gsm8k-test-<line index>` either way, so the official file gives the same bytes.
 * - out: folder for `gsm8k_<type>_test.jsonl`; default the project's data/.
 * - seed: integer (number or numeric string); default DEFAULT_NOISE_SEED.
 * - types: registered noise type names, as a list or comma-separated; default inf,rcs,sd.
 * - templates: a template bank JSON in the original's format; inf/rcs/sd then follow the
 *   original protocol over its sentences (see loadTemplateBank).
 * - onProgress(done, total): called as records are produced.
 */
export const NoiseGenerateOptionsSchema = z.strictObject({
  input: PathSchema.optional(),
  out: PathSchema.optional(),
  seed: SeedSchema.default(DEFAULT_NOISE_SEED),
  types: TypesSchema.default([...BUILTIN_NOISE_TYPES]),
  templates: PathSchema.optional(),
  onProgress: z
    .custom<ProgressFn>((v) => typeof v === 'function', 'expected a function')
    .optional(),
});
export type NoiseGenerateOptions = z.input<typeof NoiseGenerateOptionsSchema>;

const NOISE_VERSION = '0.1.0';

/** `gsm8k_inf_test.jsonl` -> `gsm8k_inf_test.manifest.json`. */
export function manifestFileName(file: string): string {
  return file.replace(/\.jsonl$/, '') + '.manifest.json';
}

export interface NoisyFile {
  /** Noise type name ("inf"). */
  type: string;
  /** Absolute path of the written JSONL file. */
  path: string;
  records: number;
  /** sha256 of the file's bytes (hex). */
  sha256: string;
}

export interface NoiseGenerateResult {
  seed: number;
  files: NoisyFile[];
}

/** File name of a noisy test set: `gsm8k_<type>_test.jsonl`. */
export function noisyFileName(type: string): string {
  return `gsm8k_${type}_test.jsonl`;
}

/** Validates options; a bad one throws a NoiseError naming it (`--seed: expected an integer`). */
export function parseNoiseGenerateOptions(
  options: unknown,
): z.output<typeof NoiseGenerateOptionsSchema> {
  const parsed = NoiseGenerateOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = issue.path.length ? `--${String(issue.path[0])}` : 'options';
  throw new NoiseError(`${name}: ${issue.message}`);
}

/** Applies each noise type to every problem; records keep the input order. */
export function noisyRecords(
  problems: readonly Problem[],
  def: NoiseDefinition,
  seed: number,
  onRecord?: () => void,
): NoisyProblem[] {
  return problems.map((p) => {
    const record = applyNoise(def, p, seed);
    onRecord?.();
    return record;
  });
}

/**
 * Writes one noisy copy of the input per noise type (`<out>/gsm8k_<type>_test.jsonl`, atomically)
 * and returns what it wrote. Every record is computed before the first file is written, so a
 * failing noise type leaves no partial set behind. Same options -> byte-identical files.
 */
export async function generateNoisyDatasets(
  options: NoiseGenerateOptions = {},
): Promise<NoiseGenerateResult> {
  const opts = parseNoiseGenerateOptions(options);
  const bank =
    opts.templates === undefined ? undefined : loadTemplateBank(path.resolve(opts.templates));
  const fromBank = new Map(bank ? builtinNoises(bank).map((d) => [d.name, d]) : []);
  const defs = opts.types.map((t) => fromBank.get(t) ?? getNoise(t));
  const inputFile = opts.input === undefined ? gsm8kFile('test') : path.resolve(opts.input);
  const problems = loadGsm8kFile(inputFile, 'gsm8k-test');
  const outDir = path.resolve(opts.out ?? dataDir());

  const total = problems.length * defs.length;
  let done = 0;
  const tick = (): void => {
    done++;
    if (done % 50 === 0 || done === total) opts.onProgress?.(done, total);
  };
  opts.onProgress?.(0, total);
  const sets = defs.map((def) => ({
    def,
    text: toJsonl(noisyRecords(problems, def, opts.seed, tick)),
  }));

  const source = {
    input: inputFile,
    input_sha256: hashFileSync(inputFile),
    templates: opts.templates === undefined ? null : path.resolve(opts.templates),
    templates_sha256:
      opts.templates === undefined ? null : hashFileSync(path.resolve(opts.templates)),
  };
  const files: NoisyFile[] = [];
  for (const { def, text } of sets) {
    const file = path.join(outDir, noisyFileName(def.name));
    const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
    writeFileAtomic(file, text);
    // Provenance beside each file; no timestamps, so reruns stay byte-identical.
    const manifest = {
      generator: '@exp/noise',
      version: NOISE_VERSION,
      node: process.version,
      noise_type: def.name,
      seed: opts.seed,
      ...source,
      file: path.basename(file),
      records: problems.length,
      sha256,
    };
    writeFileAtomic(manifestFileName(file), JSON.stringify(manifest, null, 2) + '\n');
    files.push({ type: def.name, path: file, records: problems.length, sha256 });
  }
  return { seed: opts.seed, files };
}
