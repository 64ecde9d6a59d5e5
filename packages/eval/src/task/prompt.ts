import type { Problem } from '@exp/data';
import { TaskError } from './errors.js';
import { LM_EVAL_FEWSHOT_SEED, drawLmEvalShots, drawShots } from './fewshot.js';
import type { FewshotSampler, Task } from './schema.js';
import { getPromptTemplate } from './templates.js';

/** The shot draw a task asks for: its sampler, and the seed it resolves to for a run. */
export function fewshotDraw(
  task: Task,
  runSeed: number,
): { sampler: FewshotSampler; seed: number } {
  const sampler = task.prompt.fewshotSampler ?? 'per-item';
  const fallback = sampler === 'lm-eval' ? LM_EVAL_FEWSHOT_SEED : runSeed;
  return { sampler, seed: task.prompt.fewshotSeed ?? fallback };
}

/**
 * The prompt texts of a set's items (in evaluation order) under a task. `fewshot` is the pool
 * k-shot templates draw from (GSM8K train), `seed` the run's seed. With the 'lm-eval' sampler an
 * item's shots depend on its position in `items`, so pass the whole set (the first N items for
 * --max-samples N), never a subset; with 'per-item' they depend on (seed, item id) only.
 */
export function renderPrompts(
  task: Task,
  items: readonly Problem[],
  ctx: { fewshot?: readonly Problem[]; seed: number },
): string[] {
  const template = getPromptTemplate(task.prompt.template);
  const k = template.usesShots ? (task.prompt.shots ?? 0) : 0;
  if (k > 0 && !ctx.fewshot) {
    throw new TaskError(
      `task '${task.name}': the '${template.name}' prompt needs solved examples (GSM8K train), none were given`,
    );
  }
  if (k === 0) return items.map((p) => template.render(p, []));
  const { sampler, seed } = fewshotDraw(task, ctx.seed);
  if (sampler === 'lm-eval') {
    const shots = drawLmEvalShots(ctx.fewshot!, items, k, seed);
    return items.map((p, i) => template.render(p, shots[i]!));
  }
  return items.map((p) => template.render(p, drawShots(ctx.fewshot!, p, k, seed)));
}
