import { z } from 'zod';
import { DatasetNameSchema, DEFAULT_SEED } from '@exp/data';
import { CI_METHODS, DEFAULT_BATCH_SIZE, FEWSHOT_SAMPLERS } from '@exp/eval';
import { DEFAULT_SAVE_TOTAL_LIMIT, SAVE_DTYPES } from '@exp/train';
import { UsageError, commaList, flagName } from './errors.js';
import { RESUME_ALONGSIDE } from './resume.js';

export const MODELS = ['diffllama', 'llama'] as const;
/** The built-in sets; any dataset imported into data/ (`exp data import`) is accepted too. */
export const DATASETS = ['clean', 'inf', 'rcs', 'sd', 'gsmplus-distraction'] as const;
export const MODES = ['quick', 'medium', 'full'] as const;
export const PROTOCOLS = ['seed', 'lm-eval'] as const;
export const DEVICES = ['cpu', 'cuda'] as const;

/** Model names: registry names or local paths (checked when the models are resolved). */
const ModelNameSchema = z.string().min(1);

const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"');

/**
 * `exp run`'s options, each with its --help text: the CLI declares its flags from this schema
 * (camelCase key -> --kebab-case flag; boolean, number or string from the field's type).
 */
export const RunOptionsSchema = z.object({
  quickTest: z
    .boolean()
    .default(false)
    .describe('20 eval samples, 50 SFT samples x 1 epoch, 5 attention samples'),
  maxSamples: z
    .number()
    .int()
    .min(-1, 'expected -1 (all) or a positive count')
    .refine((n) => n !== 0, 'expected -1 (all) or a positive count')
    .optional()
    .describe('Evaluation samples per dataset (-1 = all 1,319)'),
  skipDataGen: z.boolean().default(false).describe('Use the noisy datasets already in data/'),
  skipZeroShot: z.boolean().default(false).describe('Skip zero-shot evaluation'),
  skipSft: z.boolean().default(false).describe('Skip fine-tuning'),
  skipAttention: z.boolean().default(false).describe('Skip attention analysis'),
  // The likelihood flags are optional (unset = default), so that a run folder started before
  // them records none and still continues with the same options.
  skipLikelihood: z
    .boolean()
    .optional()
    .describe("Skip the gold solutions' likelihood (and its knockout)"),
  skipKnockout: z
    .boolean()
    .optional()
    .describe('Skip the likelihood with the noise spans knocked out'),
  knockoutLayers: z
    .boolean()
    .optional()
    .describe('Also knock the noise out from each layer L on (per-layer curve)'),
  knockoutGenerate: z
    .boolean()
    .optional()
    .describe('Also generate with the noise knocked out (zero-shot Pass@1)'),
  skipReport: z
    .boolean()
    .default(false)
    .describe('Do not write the report (run `exp report <run-dir>` later)'),
  models: commaList('model', ModelNameSchema)
    .default([...MODELS])
    .describe(`Models, comma-separated (${MODELS.join(',')})`),
  datasets: commaList('dataset', DatasetNameSchema)
    .default(['clean', 'inf', 'rcs', 'sd'])
    .describe(
      `Datasets, comma-separated (${DATASETS.join(',')}, noise cells such as inf-k2-late, imported sets)`,
    ),
  mode: z
    .enum(MODES)
    .optional()
    .describe(
      `Preset: ${MODES.join('|')} (quick: 20 eval, no SFT, 5 attention; medium: 100 eval, SFT 200x2, 10; full: all, SFT 500x2, 20)`,
    ),
  enableSft: z.boolean().default(false).describe('Run SFT even in quick mode'),
  sftSamples: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Training examples for SFT (default 500)'),
  sftEpochs: z.number().int().positive().optional().describe('SFT epochs (default 2)'),
  /** checkpoint-<step> folders kept per model (default 2; 0 keeps all): operational. */
  saveTotalLimit: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe(
      `SFT checkpoint-<step> folders kept per model, the newest (HF's save_total_limit; default ${DEFAULT_SAVE_TOTAL_LIMIT}; 0 keeps all)`,
    ),
  /** dtype of sft/<model>/final (default source): what post-SFT evaluation runs. */
  saveDtype: z
    .enum(SAVE_DTYPES)
    .optional()
    .describe(
      `dtype of sft/<model>/final, which post-SFT evaluation runs: ${SAVE_DTYPES.join('|')} (default source: the model's own, bf16 for the real ones; training runs in float32)`,
    ),
  attentionSamples: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Samples for attention analysis'),
  seed: z
    .number()
    .int()
    .nonnegative()
    .default(DEFAULT_SEED)
    .describe('Seed for every random choice (default 42)'),
  /** Interval of a single Pass@1 (default wilson); optional so that older runs resume as they were. */
  ciMethod: z
    .enum(CI_METHODS)
    .optional()
    .describe(
      `Interval of a single Pass@1: ${CI_METHODS.join('|')} (default wilson; paired differences use Newcombe's, degradation a bootstrap)`,
    ),
  setup: z.boolean().default(false).describe('Only set up the environment (as `exp setup`)'),
  instructions: z.boolean().default(false).describe('Print the usage guide and exit'),
  device: z
    .enum(DEVICES)
    .default('cpu')
    .describe(`Where models run: ${DEVICES.join('|')} (default cpu)`),
  threads: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('CPU threads per model (default: all cores)'),
  batchSize: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_BATCH_SIZE)
    .describe(
      `Rows generated at once (continuous batching; results do not depend on it; default ${DEFAULT_BATCH_SIZE})`,
    ),
  /** transformers 4's clean_up_tokenization_spaces on completions (default: transformers 5's decode). */
  decodeCleanup: z
    .boolean()
    .default(false)
    .describe(
      'Decode completions with transformers 4\'s clean_up_tokenization_spaces (" ." -> ".", "1 ,000" -> "1,000"), to reproduce older runs (default: as transformers 5, which leaves Llama 3 text as generated)',
    ),
  protocol: z
    .enum(PROTOCOLS)
    .optional()
    .describe(
      `Evaluation protocol: ${PROTOCOLS.join('|')} (seed = the original's, the default; lm-eval = lm-evaluation-harness gsm8k)`,
    ),
  prompt: z
    .string()
    .min(1)
    .optional()
    .describe("Prompt template overriding the protocol's: bare|qa|cot|kshot|sft"),
  task: z
    .string()
    .min(1)
    .optional()
    .describe('A task JSON file (same schema as the built-in protocols)'),
  /** The task's few-shot draw: sampler and seed (lm-eval's: 'lm-eval', 1234). */
  fewshotSampler: z
    .enum(FEWSHOT_SAMPLERS)
    .optional()
    .describe(
      "How k-shot prompts draw their examples: lm-eval (lm-evaluation-harness's draw, --protocol lm-eval's) | per-item (from the seed and the item's id)",
    ),
  fewshotSeed: z
    .number()
    .int('expected an integer')
    .optional()
    .describe(
      "Seed of the few-shot draw (default 1234, lm-eval's, with the lm-eval sampler; the run's --seed with per-item)",
    ),
  out: z.string().min(1).optional().describe('Folder of run folders (default results/)'),
  runId: RunIdSchema.optional().describe(
    'Name of the run folder; an existing one is continued, with the options it was started with',
  ),
  /** Continue this run with the options its manifest recorded (run-resume.ts). */
  resume: RunIdSchema.optional().describe(
    `Continue run ID with the options its manifest recorded; only ${RESUME_ALONGSIDE.filter(
      (k) => k !== 'verbose',
    )
      .map(flagName)
      .join(
        ', ',
      )} may be given alongside (they do not change results; --device may: it is refused)`,
  ),
});
export type RunOptions = z.infer<typeof RunOptionsSchema>;

/** What a run will do, after modes and --quick-test are applied (the original's presets). */
export interface RunPlan {
  models: string[];
  datasets: string[];
  evalSamples: number; // -1 = all
  sft: { enabled: boolean; samples: number; epochs: number };
  attentionSamples: number;
  steps: {
    dataGen: boolean;
    zeroShot: boolean;
    sft: boolean;
    attention: boolean;
    likelihood: boolean;
    /** Likelihood with the noise knocked out in every layer (needs `likelihood`). */
    knockout: boolean;
    /** Also from layer L on for every L (the per-layer curve). */
    knockoutLayers: boolean;
    /** Zero-shot generation with the noise knocked out. */
    knockoutGenerate: boolean;
  };
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
  const off = o.skipLikelihood ? '--skip-likelihood' : o.skipKnockout ? '--skip-knockout' : null;
  if (o.knockoutLayers && off) {
    throw new UsageError(`--knockout-layers and ${off} contradict each other; pass one`);
  }
  const noGenerate = off ?? (o.skipZeroShot ? '--skip-zero-shot' : null);
  if (o.knockoutGenerate && noGenerate) {
    throw new UsageError(
      `--knockout-generate and ${noGenerate} contradict each other (it compares zero-shot Pass@1 with the noise knocked out); pass one`,
    );
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
      likelihood: !o.skipLikelihood,
      knockout: !o.skipLikelihood && !o.skipKnockout,
      knockoutLayers: o.knockoutLayers === true,
      knockoutGenerate: o.knockoutGenerate === true,
    },
    seed: o.seed,
  };
}
