import { z } from 'zod';
import { DatasetNameSchema } from '@exp/data';
import { CI_METHODS, DEFAULT_BATCH_SIZE, FEWSHOT_SAMPLERS } from '@exp/eval';
import { commaList } from '../errors.js';
import { UsageError } from '../io.js';

export const MODELS = ['diffllama', 'llama'] as const;
/** The built-in sets; any dataset imported into data/ (`exp data import`) is accepted too. */
export const DATASETS = ['clean', 'inf', 'rcs', 'sd', 'gsmplus-distraction'] as const;
export const MODES = ['quick', 'medium', 'full'] as const;
export const PROTOCOLS = ['seed', 'lm-eval'] as const;
export const DEVICES = ['cpu', 'cuda'] as const;
/** @exp/train's SAVE_DTYPES, as a literal tuple for zod. */
export const SAVE_DTYPE_CHOICES = ['source', 'float32', 'bfloat16', 'float16'] as const;

/** Model names: registry names or local paths (checked when the models are resolved). */
const ModelNameSchema = z.string().min(1);

const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"');

export const RunOptionsSchema = z.object({
  quickTest: z.boolean().default(false),
  maxSamples: z
    .number()
    .int()
    .min(-1, 'expected -1 (all) or a positive count')
    .refine((n) => n !== 0, 'expected -1 (all) or a positive count')
    .optional(),
  skipDataGen: z.boolean().default(false),
  skipZeroShot: z.boolean().default(false),
  skipSft: z.boolean().default(false),
  skipAttention: z.boolean().default(false),
  skipReport: z.boolean().default(false),
  models: commaList('model', ModelNameSchema).default([...MODELS]),
  datasets: commaList('dataset', DatasetNameSchema).default(['clean', 'inf', 'rcs', 'sd']),
  mode: z.enum(MODES).optional(),
  enableSft: z.boolean().default(false),
  sftSamples: z.number().int().positive().optional(),
  sftEpochs: z.number().int().positive().optional(),
  /** checkpoint-<step> folders kept per model (default 2; 0 keeps all): operational. */
  saveTotalLimit: z.number().int().nonnegative().optional(),
  /** dtype of sft/<model>/final (default source): what post-SFT evaluation runs. */
  saveDtype: z.enum(SAVE_DTYPE_CHOICES).optional(),
  attentionSamples: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().default(42),
  /** Interval of a single Pass@1 (default wilson); optional so that older runs resume as they were. */
  ciMethod: z.enum(CI_METHODS).optional(),
  setup: z.boolean().default(false),
  instructions: z.boolean().default(false),
  device: z.enum(DEVICES).default('cpu'),
  threads: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().default(DEFAULT_BATCH_SIZE),
  /** transformers 4's clean_up_tokenization_spaces on completions (default: transformers 5's decode). */
  decodeCleanup: z.boolean().default(false),
  protocol: z.enum(PROTOCOLS).optional(),
  prompt: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  /** The task's few-shot draw: sampler and seed (lm-eval's: 'lm-eval', 1234). */
  fewshotSampler: z.enum(FEWSHOT_SAMPLERS).optional(),
  fewshotSeed: z.number().int('expected an integer').optional(),
  out: z.string().min(1).optional(),
  runId: RunIdSchema.optional(),
  /** Continue this run with the options its manifest recorded (run-resume.ts). */
  resume: RunIdSchema.optional(),
});
export type RunOptions = z.infer<typeof RunOptionsSchema>;

/** What a run will do, after modes and --quick-test are applied (the original's presets). */
export interface RunPlan {
  models: string[];
  datasets: string[];
  evalSamples: number; // -1 = all
  sft: { enabled: boolean; samples: number; epochs: number };
  attentionSamples: number;
  steps: { dataGen: boolean; zeroShot: boolean; sft: boolean; attention: boolean };
  seed: number;
}

const MODE_PRESETS = {
  quick: { evalSamples: 20, sft: false, sftSamples: 0, sftEpochs: 0, attentionSamples: 5 },
  medium: { evalSamples: 100, sft: true, sftSamples: 200, sftEpochs: 2, attentionSamples: 10 },
  full: { evalSamples: -1, sft: true, sftSamples: 500, sftEpochs: 2, attentionSamples: 20 },
} as const;

/** Flags that say opposite things are refused rather than one silently winning. */
function refuseContradictions(o: RunOptions): void {
  if (o.quickTest && o.mode) {
    throw new UsageError(
      `--quick-test and --mode ${o.mode} contradict each other (--quick-test is its own preset); pass one`,
    );
  }
  if (o.enableSft && o.skipSft) {
    throw new UsageError('--enable-sft and --skip-sft contradict each other; pass one');
  }
}

export function planRun(o: RunOptions): RunPlan {
  refuseContradictions(o);
  const base = o.quickTest
    ? { evalSamples: 20, sft: true, sftSamples: 50, sftEpochs: 1, attentionSamples: 5 }
    : o.mode
      ? MODE_PRESETS[o.mode]
      : { evalSamples: -1, sft: true, sftSamples: 500, sftEpochs: 2, attentionSamples: 20 };
  const sftEnabled = (base.sft || o.enableSft) && !o.skipSft;
  return {
    models: o.models,
    datasets: o.datasets,
    evalSamples: o.maxSamples ?? base.evalSamples,
    sft: {
      enabled: sftEnabled,
      samples: o.sftSamples ?? (base.sftSamples || 500),
      epochs: o.sftEpochs ?? (base.sftEpochs || 2),
    },
    attentionSamples: o.attentionSamples ?? base.attentionSamples,
    steps: {
      dataGen: !o.skipDataGen,
      zeroShot: !o.skipZeroShot,
      sft: sftEnabled,
      attention: !o.skipAttention,
    },
    seed: o.seed,
  };
}
