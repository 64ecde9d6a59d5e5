// Model names -> where the model comes from, as data validated by one zod schema: the built-in
// entries below, entries added with registerModel, and JSON registry files
// (`{ "models": { "<name>": { "kind": "hub", "repo": "org/name", ... } } }`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ExpError, Registry, type RegistryMessages } from '@exp/data';
import { PRESET_NAMES } from '../init/presets.js';

/** Names double as folder names in the models cache: no separators, no leading dot. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const ModelSourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('hub'),
      repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected "org/name"'),
      /** Folder inside the repo holding the checkpoint, e.g. "checkpoint-64434". */
      subfolder: z.string().min(1).optional(),
      /** Branch, tag or commit; default "main". */
      revision: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('preset'),
      preset: z.enum(PRESET_NAMES),
      /** Initialisation seed; default DEFAULT_INIT_SEED (or resolveModel's seed). */
      seed: z.number().int().nonnegative().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('local'),
      /** A checkpoint folder or an exported folder; relative paths are relative to the registry file. */
      path: z.string().min(1),
    })
    .strict(),
]);
export type ModelSource = z.infer<typeof ModelSourceSchema>;

export const ModelRegistryFileSchema = z
  .object({
    models: z.record(
      z.string().regex(MODEL_NAME_PATTERN, 'model names are letters, digits, ".", "_" and "-"'),
      ModelSourceSchema,
    ),
  })
  .strict();
export type ModelRegistryFile = z.infer<typeof ModelRegistryFileSchema>;

export class ModelRegistryError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelRegistryError';
  }
}

/** The checkpoints of the experiment (the 375M models) and the seeded offline presets. */
export const BUILTIN_MODELS: Readonly<Record<string, ModelSource>> = {
  llama: { kind: 'hub', repo: 'reyllama/Llama_375M', subfolder: 'checkpoint-64434' },
  diffllama: { kind: 'hub', repo: 'reyllama/DiffLlama-375M', subfolder: 'checkpoint-64434' },
  'tiny-llama': { kind: 'preset', preset: 'tiny-llama' },
  'tiny-diffllama': { kind: 'preset', preset: 'tiny-diffllama' },
};

function issueLine(where: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === 'invalid_key') {
    // A bad model name: say which, with the name rule (zod nests it under "Invalid key").
    const name = String(issue.path.at(-1));
    const field = issue.path.slice(0, -1).join('.');
    return `${where}: field ${field}: name ${JSON.stringify(name)}: ${issue.issues[0]?.message ?? issue.message}`;
  }
  return `${where}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

const messages: RegistryMessages = {
  badName: (name) =>
    `model name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-" (it names a folder)`,
  taken: (name) => `model ${name} is already registered (pass replace to change it)`,
  unknown: (name, known) =>
    `unknown model ${JSON.stringify(name)}; known: ${known.join(', ')}; or pass the path of a checkpoint or exported folder`,
};

const registered = new Registry<ModelSource>({
  builtins: Object.entries(BUILTIN_MODELS),
  pattern: MODEL_NAME_PATTERN,
  error: ModelRegistryError,
  messages,
  check: (name, source) => {
    const r = ModelSourceSchema.safeParse(source);
    if (!r.success) throw new ModelRegistryError(issueLine(`model ${name}`, r.error));
    return r.data;
  },
});

/** Adds `name` to the registry; an existing name is an error unless `replace` is set. */
export function registerModel(
  name: string,
  source: ModelSource,
  opts: { replace?: boolean } = {},
): void {
  registered.register(name, source, opts);
}

/** The registered source of `name`, or undefined. */
export function getRegisteredModel(name: string): ModelSource | undefined {
  return registered.find(name);
}

/** Registered names, sorted. */
export function listModels(): string[] {
  return registered.names().sort();
}

/**
 * The error text for a name that is neither registered nor in `extra` (a registry file's
 * names) nor a folder: every known name, sorted, and the path alternative.
 */
export function unknownModel(name: string, extra: readonly string[] = []): string {
  return messages.unknown(name, [...new Set([...extra, ...listModels()])].sort());
}

/**
 * Reads and validates a JSON registry file; errors name the file and the field. Local paths are
 * made absolute against the file's folder. Nothing is registered: pass the result to
 * resolveModel's `registry`, or registerModel each entry.
 */
export function loadRegistryFile(file: string): Record<string, ModelSource> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelRegistryError(`cannot read registry ${file}: ${(e as Error).message}`);
  }
  const r = ModelRegistryFileSchema.safeParse(json);
  if (!r.success) throw new ModelRegistryError(issueLine(file, r.error));
  const out: Record<string, ModelSource> = {};
  for (const [name, source] of Object.entries(r.data.models)) {
    out[name] =
      source.kind === 'local'
        ? { ...source, path: path.resolve(path.dirname(path.resolve(file)), source.path) }
        : source;
  }
  return out;
}
