import type { Problem } from '@exp/data';
import { TaskError } from './errors.js';
import { drawShots } from './fewshot.js';
import type { Task } from './schema.js';
import { getPromptTemplate } from './templates.js';

/**
 * The prompt text of one problem under a task. Deterministic per (seed, problem id): `fewshot`
 * is the pool k-shot templates draw from (GSM8K train), `seed` the run's seed, used unless the
 * task fixes `prompt.shotSeed`.
 */
export function renderPrompt(
  task: Task,
  problem: Problem,
  ctx: { fewshot?: readonly Problem[]; seed: number },
): string {
  const template = getPromptTemplate(task.prompt.template);
  const k = template.usesShots ? (task.prompt.shots ?? 0) : 0;
  if (k > 0 && !ctx.fewshot) {
    throw new TaskError(
      `task '${task.name}': the '${template.name}' prompt needs solved examples (GSM8K train), none were given`,
    );
  }
  const shots = k > 0 ? drawShots(ctx.fewshot!, problem, k, task.prompt.shotSeed ?? ctx.seed) : [];
  return template.render(problem, shots);
}
