import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import path from 'node:path';
import {
  DatasetNameSchema,
  dataDir,
  hashFileSync,
  toJsonl,
  writeFileAtomic,
  type Problem,
  DEFAULT_SEED,
} from '@exp/data';
import { z } from 'zod';
import { applyNoise, mixNoise } from './apply.js';
import { loadTemplateBank } from './banks/file.js';
import { builtinNoises, BUILTIN_NOISE_TYPES } from './builtin.js';
import { noiseCellName, type NoiseCell } from './cell.js';
import type { NoiseDefinition } from './definition.js';
import { NoiseError } from './errors.js';
import { loadNoiseInput, type NoiseInput } from './input.js';
import { NOISE_POSITIONS } from './insert.js';
import type { NoisyProblem } from './records.js';
import { getNoise, listNoise, MIX } from './registry.js';

/** Seed used when none is given (documented in the README; the original used no seed at all). */
export const DEFAULT_NOISE_SEED = DEFAULT_SEED;

/** Progress of the set being written: its dataset name (`inf`, `inf-k2-late`) and record counts. */
export interface NoiseCellProgress {
  dataset: string;
  type: string;
  done: number;
  total: number;
}

/** `done`/`total` count records over every set; `cell` is the set in progress. */
export type ProgressFn = (done: number, total: number, cell: NoiseCellProgress) => void;

/**
 * A list given as an array or comma-separated text (numbers too, for doses), trimmed, empties
 * dropped, each value once. `one` names an item in messages ("noise type").
 */
const listOf = <T extends z.ZodType>(item: T, one: string, numbers = false) =>
  z.preprocess(
    (v) =>
      typeof v === 'string' || (numbers && typeof v === 'number')
        ? String(v)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z
      .array(item, { error: `expected ${one}s, comma-separated` })
      .min(1, `expected at least one ${one}`)
      .superRefine((list, ctx) => {
        const dup = list.find((x, i) => list.indexOf(x) !== i);
        if (dup !== undefined)
          ctx.addIssue({ code: 'custom', message: `${one} '${String(dup)}' is listed twice` });
      }),
  );

const typeName = (allowMix: boolean) =>
  z.string().superRefine((t, ctx) => {
    const known = [...listNoise().map((d) => d.name), ...(allowMix ? [MIX] : [])];
    if (!known.includes(t)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown noise type '${t}' (known: ${known.join(', ')})`,
      });
    }
  });

const Count = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d+\s*$/u.test(v) ? Number(v) : v),
  z
    .number({ error: 'expected a positive integer' })
    .int('expected a positive integer')
    .min(1, 'expected a positive integer')
    .max(64, 'expected at most 64 sentences'),
);

const SeedSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/u.test(v) ? Number(v) : v),
  z
    .number({ error: 'expected an integer' })
    .refine((n) => Number.isSafeInteger(n), 'expected an integer'),
);

const PathSchema = z.string({ error: 'expected a path' }).min(1, 'expected a path');
const Position = z.enum(NOISE_POSITIONS, {
  error: `expected one of ${NOISE_POSITIONS.join(', ')}`,
});
const Slots = z.enum(['shared', 'independent'], { error: 'expected shared or independent' });

/** Options common to generate and sweep. */
const CommonShape = {
  input: PathSchema.optional(),
  name: DatasetNameSchema.optional(),
  out: PathSchema.optional(),
  seed: SeedSchema.default(DEFAULT_NOISE_SEED),
  types: listOf(typeName(true), 'noise type').default([...BUILTIN_NOISE_TYPES]),
  typesMix: listOf(typeName(false), 'noise type').default([...BUILTIN_NOISE_TYPES]),
  slots: Slots.default('shared'),
  templates: PathSchema.optional(),
  onProgress: z
    .custom<ProgressFn>((v) => typeof v === 'function', 'expected a function')
    .optional(),
};

/**
 * Options of generateNoisyDatasets (and of `exp noise generate`, which passes the same object):
 * - input: the set to noise (see loadNoiseInput); default the GSM8K test split.
 * - name: dataset name the outputs are filed under (default: from the input, see loadNoiseInput).
 * - out: output folder; default the project's data/.
 * - seed: integer (number or numeric string); default DEFAULT_NOISE_SEED.
 * - types: noise type names (registered ones and `mix`), as a list or comma-separated;
 *   default inf,rcs,sd.
 * - sentences: the dose K, distinct noise sentences per question (default 1).
 * - position: random | early | middle | late | before-question (default random; see slotFor).
 * - slots: shared (default: all types of a problem use the same random slots) | independent.
 * - typesMix: the types `mix` draws each sentence's type from (default inf,rcs,sd).
 * - templates: a template bank JSON in the original's format; inf/rcs/sd then follow the
 *   original protocol over its sentences (see loadTemplateBank).
 * - onProgress(done, total, cell): called as records are produced; done/total over every set,
 *   cell the set in progress with its own counts (a bar per noise type).
 */
export const NoiseGenerateOptionsSchema = z.strictObject({
  ...CommonShape,
  sentences: Count.default(1),
  position: Position.default('random'),
});
export type NoiseGenerateOptions = z.input<typeof NoiseGenerateOptionsSchema>;

/**
 * Options of sweepNoisyDatasets (`exp noise sweep`): those of generate, with lists of doses and
 * positions; one dataset per type x dose x position.
 */
export const NoiseSweepOptionsSchema = z.strictObject({
  ...CommonShape,
  sentences: listOf(Count, 'sentence count', true).default([1]),
  positions: listOf(Position, 'position').default(['random']),
});
export type NoiseSweepOptions = z.input<typeof NoiseSweepOptionsSchema>;

const NOISE_VERSION = '0.2.0';

/** `gsm8k_inf_test.jsonl` -> `gsm8k_inf_test.manifest.json`. */
export function manifestFileName(file: string): string {
  return file.replace(/\.jsonl$/, '') + '.manifest.json';
}

export interface NoisyFile {
  /** Noise type name ("inf", "mix"). */
  type: string;
  /** The cell's dataset name (`inf`, `inf-k2-late`), as `exp run --datasets` takes it. */
  dataset: string;
  /** Absolute path of the written JSONL file. */
  path: string;
  records: number;
  /** sha256 of the file's bytes (hex). */
  sha256: string;
}

export interface NoiseGenerateResult {
  seed: number;
  /** The input's dataset name (`gsm8k` for the GSM8K test split). */
  name: string;
  files: NoisyFile[];
}

/**
 * File name of a noisy set: `gsm8k_<cell>_test.jsonl` for the GSM8K test split (the original's
 * names), `<dataset>_<cell>.jsonl` for any other input.
 */
export function noisyFileName(
  cell: string,
  dataset?: { name: string; canonical: boolean },
): string {
  return !dataset || dataset.canonical
    ? `gsm8k_${cell}_test.jsonl`
    : `${dataset.name}_${cell}.jsonl`;
}

/** Validates options; a bad one throws a NoiseError naming it (`--seed: expected an integer`). */
function parseWith<S extends z.ZodType>(schema: S, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path.length ? String(issue.path[0]) : '';
  const name = key ? `--${key.replace(/[A-Z]/gu, (c) => `-${c.toLowerCase()}`)}` : 'options';
  // an item of a list option: name the item (unless the message does), not the whole list as typed
  const item = typeof issue.path[1] === 'number' && issue.input !== undefined;
  const named = item && issue.message.includes(`'${String(issue.input)}'`);
  const got = item && !named ? `, got ${JSON.stringify(issue.input)}` : '';
  throw new NoiseError(`${name}: ${issue.message}${got}`);
}

export function parseNoiseGenerateOptions(
  options: unknown,
): z.output<typeof NoiseGenerateOptionsSchema> {
  return parseWith(NoiseGenerateOptionsSchema, options);
}

export function parseNoiseSweepOptions(options: unknown): z.output<typeof NoiseSweepOptionsSchema> {
  return parseWith(NoiseSweepOptionsSchema, options);
}

/** Applies a noise type to every problem with one placement; records keep the input order. */
export function noisyRecords(
  problems: readonly Problem[],
  def: NoiseDefinition,
  seed: number,
  cell: Omit<NoiseCell, 'type'> = { sentences: 1, position: 'random', slots: 'shared' },
  onRecord?: () => void,
): NoisyProblem[] {
  return problems.map((p) => {
    const record = applyNoise(def, p, seed, cell);
    onRecord?.();
    return record;
  });
}

type Common = z.output<z.ZodObject<typeof CommonShape>>;

/** The definitions of a run: the template bank's for inf/rcs/sd when given, else the registry's. */
function definitions(opts: Common): (type: string) => NoiseDefinition {
  const bank =
    opts.templates === undefined ? undefined : loadTemplateBank(path.resolve(opts.templates));
  const fromBank = new Map(bank ? builtinNoises(bank).map((d) => [d.name, d]) : []);
  const one = (t: string): NoiseDefinition => fromBank.get(t) ?? getNoise(t);
  return (t) => (t === MIX ? mixNoise(opts.typesMix.map(one)) : one(t));
}

function checkPlacement(def: NoiseDefinition, cell: NoiseCell): void {
  const custom = cell.sentences !== 1 || cell.position !== 'random';
  if (!def.sentence && custom) {
    throw new NoiseError(
      `noise type '${def.name}' places its own noise (inject); --sentences and --position apply to sentence types only`,
    );
  }
}

/** Records computed between two turns of the event loop (so Ctrl-C is handled promptly). */
const CHUNK = 100;

/**
 * Refuses an output folder that cannot be one before any work: a file, a path under a file, or
 * a folder (or the nearest existing one above it) this process may not write in.
 */
function checkOutDir(dir: string, what: string): void {
  let existing = dir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) {
    existing = path.dirname(existing);
  }
  if (!statSync(existing).isDirectory()) {
    const is = existing === dir ? 'is a file' : `${existing} is a file`;
    throw new NoiseError(`${what} ${dir}: ${is}, expected a folder`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    const folder = existing === dir ? 'folder' : `folder ${existing}`;
    throw new NoiseError(`${what} ${dir}: ${folder} is not writable, expected a writable folder`);
  }
}

/** Writes one output; a failure names the output folder (not the temporary file). */
function writeOutput(file: string, text: string, what: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'is not writable'
        : code === 'ENOSPC'
          ? 'has no space left'
          : `cannot be written (${code ?? (e as Error).message.split('\n')[0]})`;
    throw new NoiseError(
      `${what} ${path.dirname(file)}: folder ${why} (writing ${path.basename(file)})`,
    );
  }
}

/**
 * Computes every cell's records, then writes each set and its manifest atomically. Nothing is
 * written before every record exists, so a failing (or interrupted) cell leaves no partial
 * design behind; the writes themselves run without a break, so a signal lands before or after.
 */
async function writeCells(
  opts: Common,
  input: NoiseInput,
  cells: { cell: NoiseCell; name: string }[],
): Promise<NoiseGenerateResult> {
  const defOf = definitions(opts);
  const defs = cells.map(({ cell }) => {
    const def = defOf(cell.type);
    checkPlacement(def, cell);
    return def;
  });
  const outDir = path.resolve(opts.out ?? dataDir());
  const what = opts.out === undefined ? 'data folder' : '--out';
  checkOutDir(outDir, what);
  const records = input.problems.length;
  const total = records * cells.length;
  let done = 0;
  const texts: string[] = [];
  for (const [i, { cell, name }] of cells.entries()) {
    let cellDone = 0;
    const report = (): void =>
      opts.onProgress?.(done, total, {
        dataset: name,
        type: cell.type,
        done: cellDone,
        total: records,
      });
    const tick = (): void => {
      done++;
      cellDone++;
      if (cellDone % 50 === 0 || cellDone === records) report();
    };
    report();
    const out: NoisyProblem[] = [];
    for (let at = 0; at < records; at += CHUNK) {
      const chunk = input.problems.slice(at, at + CHUNK);
      for (const r of noisyRecords(chunk, defs[i]!, opts.seed, cell, tick)) out.push(r);
      await yieldToEventLoop();
    }
    texts.push(toJsonl(out));
  }
  const templates = opts.templates === undefined ? null : path.resolve(opts.templates);
  const files: NoisyFile[] = [];
  cells.forEach(({ cell, name }, i) => {
    const text = texts[i]!;
    const file = path.join(outDir, noisyFileName(name, input));
    const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
    writeOutput(file, text, what);
    // Provenance beside each file; no timestamps, so reruns stay byte-identical.
    const manifest = {
      generator: '@exp/noise',
      version: NOISE_VERSION,
      node: process.version,
      dataset: name,
      noise_type: cell.type,
      ...(cell.type === MIX ? { types_mix: opts.typesMix } : {}),
      placement: { sentences: cell.sentences, position: cell.position, slots: cell.slots },
      seed: opts.seed,
      input_name: input.name,
      input: input.file,
      input_sha256: input.sha256,
      templates,
      templates_sha256: templates === null ? null : hashFileSync(templates),
      file: path.basename(file),
      records: input.problems.length,
      sha256,
    };
    writeOutput(manifestFileName(file), JSON.stringify(manifest, null, 2) + '\n', what);
    files.push({
      type: cell.type,
      dataset: name,
      path: file,
      records: input.problems.length,
      sha256,
    });
  });
  return { seed: opts.seed, name: input.name, files };
}

/** Placement of a cell as asked; slots only matter for random positions. */
function cellOf(
  opts: Common,
  type: string,
  sentences: number,
  position: NoiseCell['position'],
): NoiseCell {
  return {
    type,
    ...(type === MIX ? { typesMix: opts.typesMix } : {}),
    sentences,
    position,
    slots: position === 'random' ? opts.slots : 'shared',
  };
}

/**
 * Writes one noisy copy of the input per noise type and returns what it wrote: for the GSM8K test
 * split `<out>/gsm8k_<cell>_test.jsonl`, for another input `<out>/<name>_<cell>.jsonl`, where the
 * cell is the type alone for the default placement (`inf`) and `<type>-k<K>-<position>`
 * otherwise (see noiseCellName). Ids are kept from the input. Same options -> byte-identical
 * files.
 */
export async function generateNoisyDatasets(
  options: NoiseGenerateOptions = {},
): Promise<NoiseGenerateResult> {
  const opts = parseNoiseGenerateOptions(options);
  const input = loadNoiseInput(opts.input, opts.name);
  const cells = opts.types.map((t) => {
    const cell = cellOf(opts, t, opts.sentences, opts.position);
    return { cell, name: noiseCellName(cell) };
  });
  return writeCells(opts, input, cells);
}

/**
 * A dose x position design: one dataset per type x sentences x position, named explicitly
 * (`inf-k2-late`, also `inf-k1-random`) so that `exp run --datasets` takes them and a report can
 * draw accuracy against dose and position. Same files and manifests as generateNoisyDatasets.
 */
export async function sweepNoisyDatasets(
  options: NoiseSweepOptions = {},
): Promise<NoiseGenerateResult> {
  const opts = parseNoiseSweepOptions(options);
  const input = loadNoiseInput(opts.input, opts.name);
  const cells = opts.types.flatMap((t) =>
    opts.sentences.flatMap((k) =>
      opts.positions.map((p) => {
        const cell = cellOf(opts, t, k, p);
        return { cell, name: noiseCellName(cell, { explicit: true }) };
      }),
    ),
  );
  return writeCells(opts, input, cells);
}
