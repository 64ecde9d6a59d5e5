// manifest.json of a run folder: one zod schema, which runExperiment's manifest satisfies when it
// writes it and readRunManifest parses it with. The top level is loose (a reader keeps the fields
// it does not know); nested objects declare what readers use. Fields that runs before
// per-attempt timings did not write are optional.
import path from 'node:path';
import { z } from 'zod';
import { formatIssue } from '@exp/data';
import { CI_METHODS } from '@exp/eval';
import { RunReadError } from './errors.js';
import { readManifest, writeRunManifest } from './folder.js';
import { MANIFEST } from './layout.js';

export const RUN_STATUSES = ['running', 'finished', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const Timings = z.record(z.string(), z.number());

/** One invocation of a run: when, how it ended, and its steps' times (ms). */
export const AttemptSchema = z.object({
  started: z.string(),
  finished: z.string().nullable(),
  status: z.string(),
  timings: Timings,
});
export type Attempt = z.infer<typeof AttemptSchema>;

/** A dataset file of the run. */
export const DataFileSchema = z.looseObject({
  path: z.string().min(1),
  sha256: z.string(),
  /** Seed the noisy set was generated with (null for sets without noise). */
  seed: z.number().int().nullable(),
});
export type DataFile = z.infer<typeof DataFileSchema>;

/** A model the run evaluated. */
export const RunModelSchema = z.object({
  dir: z.string(),
  modelType: z.string(),
  source: z.unknown(),
  sourceSha256: z.unknown(),
});

export const RunManifestSchema = z.looseObject({
  run: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  started: z.string(),
  finished: z.string().optional(),
  /** The error's first line, when the run failed. */
  error: z.string().optional(),
  resumed_at: z.array(z.string()).optional(),
  command: z.array(z.string()),
  /** The options that define what the run measures (RunOptions, task null when unset). */
  options: z.looseObject({
    models: z.array(z.string()).optional(),
    datasets: z.array(z.string()).optional(),
    ciMethod: z
      .enum(CI_METHODS, {
        error: (iss) =>
          `expected one of ${CI_METHODS.join(', ')}, got ${JSON.stringify(iss.input)}`,
      })
      .optional(),
  }),
  operational: z.looseObject({}).optional(),
  plan: z.object({ models: z.array(z.string()), datasets: z.array(z.string()) }),
  task: z.looseObject({ name: z.string(), extractors: z.array(z.string()) }).nullable(),
  versions: z.record(z.string(), z.string()),
  /** How the results table's intervals were computed; runs before it lack it. */
  ci_methods: z
    .object({
      level: z.number().gt(0).lt(1),
      ci: z.enum(CI_METHODS),
      diff_ci: z.literal('newcombe'),
      degradation_ci: z.literal('bootstrap'),
    })
    .optional(),
  seeds: z.looseObject({ run: z.number().int() }),
  data: z.record(z.string(), DataFileSchema),
  gsm8k: z.looseObject({}).optional(),
  models: z.record(z.string(), RunModelSchema),
  sft: z.looseObject({}).nullable().optional(),
  attempts: z.array(AttemptSchema).optional(),
  /** Each step's time summed over the attempts. */
  timings: Timings.optional(),
});
export type RunManifest = z.infer<typeof RunManifestSchema>;

function checked(dir: string, raw: unknown): RunManifest {
  const parsed = RunManifestSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new RunReadError(`${path.join(dir, MANIFEST)}: ${formatIssue(parsed.error.issues[0])}`);
}

/** A run folder's manifest, checked: a bad one fails with one line naming the file and field. */
export function readRunManifest(dir: string): RunManifest {
  return checked(dir, readManifest(dir));
}

/**
 * Changes a run's manifest in place: checked like readRunManifest, but `change` gets the object
 * as written, since parsing drops the nested fields the schema does not declare (the plan's
 * sizes, for one) and writing the parsed copy back would lose them.
 */
export function updateRunManifest(dir: string, change: (m: RunManifest) => void): void {
  const raw = readManifest(dir);
  checked(dir, raw);
  change(raw as RunManifest);
  writeRunManifest(dir, raw as RunManifest);
}
