import { z } from 'zod';
import { hasExtractor, unknownExtractor } from '../extract/registry.js';
import { getPromptTemplate, hasPromptTemplate, unknownTemplate } from './templates.js';

/** How k-shot prompts draw their examples (PromptSchema.fewshotSampler). */
export const FEWSHOT_SAMPLERS = ['lm-eval', 'per-item'] as const;
export type FewshotSampler = (typeof FEWSHOT_SAMPLERS)[number];

/**
 * A task as data, in the manner of lm-evaluation-harness's YAML tasks: what to prompt with, how
 * to generate, where to stop, how to read and score the answer. Built-in protocols and users'
 * JSON task files share this schema; the resolved task is recorded in the run manifest.
 * Objects are strict so that a misspelt field in a task file is an error, not silently ignored.
 */
export const PromptSchema = z.strictObject({
  /** A registered prompt template: bare, qa, cot, kshot, sft, or a user's. */
  template: z.string().superRefine((name, ctx) => {
    if (!hasPromptTemplate(name)) ctx.addIssue({ code: 'custom', message: unknownTemplate(name) });
  }),
  /** Solved examples before the question (templates that take them, e.g. kshot). */
  shots: z.number().int().nonnegative().optional(),
  /** Where the shots come from: GSM8K train, as in lm-eval. */
  fewshotSplit: z.literal('train').optional(),
  /**
   * How shots are drawn: 'lm-eval' as lm-evaluation-harness does (one Python Random per set,
   * advanced item by item in order), 'per-item' (default) from (seed, item id) alone.
   */
  fewshotSampler: z.enum(FEWSHOT_SAMPLERS).optional(),
  /** Seed of the shot draw; default 1234 (lm-eval's) with 'lm-eval', the run's seed with 'per-item'. */
  fewshotSeed: z.number().int().optional(),
});

export const GenerationSchema = z.strictObject({
  maxNewTokens: z.number().int().positive(),
  /** HF's repetition_penalty; 1 (or absent) is none. */
  repetitionPenalty: z.number().positive().optional(),
  /** Greedy by default: Pass@1 of the greedy completion is what GSM8K reports. */
  doSample: z.boolean().default(false),
  temperature: z.number().positive().optional(),
  topK: z.number().int().positive().optional(),
  topP: z.number().gt(0).lte(1).optional(),
});

export const TaskSchema = z
  .strictObject({
    name: z.string().min(1),
    /** The built-in protocol this task derives from ('seed', 'lm-eval'), if any. */
    protocol: z.string().min(1).optional(),
    description: z.string().optional(),
    /** Dataset names the task is meant for (clean, inf, ...); the run's selection otherwise. */
    datasets: z.array(z.string().min(1)).min(1).optional(),
    prompt: PromptSchema,
    generation: GenerationSchema,
    /** Generation stops when the decoded text contains one; the completion is cut before it. */
    stopStrings: z.array(z.string().min(1)).default([]),
    /** Whether the tokenizer's EOS tokens (e.g. <|eot_id|>) stop generation. */
    stopAtEos: z.boolean().default(true),
    /** Registered extractors, each scored; the results tables show them side by side. */
    extractors: z
      .array(
        z.string().superRefine((name, ctx) => {
          if (!hasExtractor(name)) {
            ctx.addIssue({ code: 'custom', message: unknownExtractor(name) });
          }
        }),
      )
      .min(1),
    metric: z.literal('pass@1').default('pass@1'),
  })
  .superRefine((task, ctx) => {
    if (!hasPromptTemplate(task.prompt.template)) return; // already reported
    const usesShots = getPromptTemplate(task.prompt.template).usesShots;
    if (usesShots && task.prompt.shots === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['prompt', 'shots'],
        message: `the '${task.prompt.template}' template needs a number of shots`,
      });
    }
    if (!usesShots) {
      for (const key of ['shots', 'fewshotSampler', 'fewshotSeed'] as const) {
        if (key === 'shots' ? !task.prompt.shots : task.prompt[key] === undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: ['prompt', key],
          message: `the '${task.prompt.template}' template takes no shots`,
        });
      }
    }
  });

/** A validated task (defaults filled in). */
export type Task = z.infer<typeof TaskSchema>;
/** What a task file or object may omit (defaults: doSample false, stopStrings [], ...). */
export type TaskInput = z.input<typeof TaskSchema>;
