import { z } from 'zod';
import { listOf } from '../errors.js';

export const MODELS = ['diffllama', 'llama'] as const;
export const DATASETS = ['clean', 'inf', 'rcs', 'sd', 'gsmplus-distraction'] as const;
export const MODES = ['quick', 'medium', 'full'] as const;

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
  models: listOf(MODELS).default([...MODELS]),
  datasets: listOf(DATASETS).default(['clean', 'inf', 'rcs', 'sd']),
  mode: z.enum(MODES).optional(),
  enableSft: z.boolean().default(false),
  sftSamples: z.number().int().positive().optional(),
  sftEpochs: z.number().int().positive().optional(),
  attentionSamples: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().default(42),
  setup: z.boolean().default(false),
  instructions: z.boolean().default(false),
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

export function planRun(o: RunOptions): RunPlan {
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
