import { TaskError } from './errors.js';
import { LM_EVAL_FEWSHOT_SEED } from './fewshot.js';
import { loadTaskFile } from './load.js';
import { TaskSchema, type FewshotSampler, type Task, type TaskInput } from './schema.js';
import { getPromptTemplate } from './templates.js';

/** The built-in protocols. */
export const PROTOCOLS = ['seed', 'lm-eval'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const BUILTIN: Record<Protocol, TaskInput> = {
  // The original project's protocol, the default for comparability with it.
  seed: {
    name: 'seed',
    protocol: 'seed',
    description: 'the original project: bare question, greedy, repetition penalty 1.1, 512 tokens',
    prompt: { template: 'bare' },
    generation: { maxNewTokens: 512, repetitionPenalty: 1.1, doSample: false },
    stopStrings: [],
    stopAtEos: true,
    extractors: ['seed', 'strict'],
    metric: 'pass@1',
  },
  // lm-evaluation-harness's gsm8k (version 3), with its few-shot draw (sampler and seed).
  'lm-eval': {
    name: 'lm-eval',
    protocol: 'lm-eval',
    description: 'lm-evaluation-harness gsm8k: 5-shot Question/Answer, greedy, 256 tokens',
    prompt: {
      template: 'kshot',
      shots: 5,
      fewshotSplit: 'train',
      fewshotSampler: 'lm-eval',
      fewshotSeed: LM_EVAL_FEWSHOT_SEED,
    },
    generation: { maxNewTokens: 256, repetitionPenalty: 1, doSample: false },
    stopStrings: ['Question:', '</s>', '<|im_end|>'],
    stopAtEos: true,
    extractors: ['lm-eval-strict', 'lm-eval-flexible', 'strict', 'seed'],
    metric: 'pass@1',
  },
};

/** lm-eval's usual shot count, for a k-shot prompt put on a task that had none. */
const DEFAULT_SHOTS = 5;

function checkProtocol(name: string): Protocol {
  if (!(PROTOCOLS as readonly string[]).includes(name)) {
    throw new TaskError(`unknown protocol '${name}' (known: ${PROTOCOLS.join(', ')})`);
  }
  return name as Protocol;
}

/**
 * `task` with another prompt template (`--prompt`); everything else is kept. The name records
 * the change (`seed+cot`), so results of different prompts are never mistaken for each other.
 */
export function withPrompt(task: Task, template: string): Task {
  if (template === task.prompt.template) return task;
  const usesShots = getPromptTemplate(template).usesShots;
  const { fewshotSampler, fewshotSeed } = task.prompt;
  return TaskSchema.parse({
    ...task,
    name: `${task.name}+${template}`,
    prompt: usesShots
      ? {
          template,
          shots: task.prompt.shots ?? DEFAULT_SHOTS,
          fewshotSplit: 'train',
          ...(fewshotSampler !== undefined ? { fewshotSampler } : {}),
          ...(fewshotSeed !== undefined ? { fewshotSeed } : {}),
        }
      : { template },
  });
}

/** How a run overrides a task's shot draw (`--fewshot-sampler`, `--fewshot-seed`). */
export interface FewshotOverrides {
  sampler?: FewshotSampler;
  seed?: number;
}

/**
 * `task` with another shot sampler or seed; refused on a prompt without shots, where they would
 * silently do nothing. The resolved task (recorded in the run manifest) shows them.
 */
export function withFewshot(task: Task, o: FewshotOverrides): Task {
  if (o.sampler === undefined && o.seed === undefined) return task;
  const template = getPromptTemplate(task.prompt.template);
  if (!template.usesShots || !task.prompt.shots) {
    const what = o.sampler !== undefined ? 'a few-shot sampler' : 'a few-shot seed';
    throw new TaskError(
      `task '${task.name}': the '${template.name}' prompt has no shots, so ${what} does nothing (use a k-shot prompt, e.g. --protocol lm-eval or --prompt kshot)`,
    );
  }
  return TaskSchema.parse({
    ...task,
    prompt: {
      ...task.prompt,
      ...(o.sampler !== undefined ? { fewshotSampler: o.sampler } : {}),
      ...(o.seed !== undefined ? { fewshotSeed: o.seed } : {}),
    },
  });
}

/** A built-in protocol as a validated task, optionally with another prompt template. */
export function builtinTask(protocol: Protocol, overrides: { prompt?: string } = {}): Task {
  const task = TaskSchema.parse(BUILTIN[checkProtocol(protocol)]);
  return overrides.prompt ? withPrompt(task, overrides.prompt) : task;
}

/**
 * The task of a run from the CLI's --protocol (default 'seed'), --task FILE and --prompt. A
 * task file replaces the protocol, so giving both is refused rather than guessed at.
 */
export function resolveTask(
  opts: { protocol?: string; file?: string; prompt?: string } & { fewshot?: FewshotOverrides },
): Task {
  if (opts.file && opts.protocol) {
    throw new TaskError('give a protocol or a task file, not both');
  }
  if (opts.prompt) getPromptTemplate(opts.prompt); // unknown names fail with the known ones
  let task: Task;
  if (opts.file) {
    task = loadTaskFile(opts.file);
    if (opts.prompt) task = withPrompt(task, opts.prompt);
  } else {
    task = builtinTask(checkProtocol(opts.protocol ?? 'seed'), { prompt: opts.prompt });
  }
  return withFewshot(task, opts.fewshot ?? {});
}
