import { createRng, type Problem } from '@exp/data';
import { TaskError } from './errors.js';
import { PythonRandom } from './python-random.js';

/** The question texts an item must not be shown as a solved example: its own and its original. */
function excludedQuestions(problem: Problem): Set<string> {
  const out = new Set([problem.question.trim()]);
  // Noisy records keep the clean question (original_question); it must not leak in as a shot either.
  const original = (problem as { original_question?: unknown }).original_question;
  if (typeof original === 'string') out.add(original.trim());
  return out;
}

/**
 * `k` distinct solved examples for `problem`, drawn from `pool` by a stream derived from
 * (seed, problem id) only: the same item gets the same shots in every run, batch and order,
 * and a noisy variant (which keeps its clean item's id) gets the same shots as the clean item,
 * so the clean/noisy comparison is paired on the prompt too. Never the item itself: examples
 * whose question text equals the item's (or its original's) are excluded.
 */
export function drawShots(
  pool: readonly Problem[],
  problem: Problem,
  k: number,
  seed: number,
): Problem[] {
  if (k === 0) return [];
  const excluded = excludedQuestions(problem);
  const eligible = pool.filter((p) => !excluded.has(p.question.trim())).length;
  if (eligible < k) {
    throw new TaskError(
      `${problem.id}: ${k} shots requested but only ${eligible} solved examples are eligible`,
    );
  }
  const rng = createRng(seed).fork(`fewshot/${problem.id}`);
  const chosen = new Set<number>();
  const shots: Problem[] = [];
  // Rejection sampling: k is tiny next to the pool, so redraws are rare.
  while (shots.length < k) {
    const i = rng.int(pool.length);
    if (chosen.has(i) || excluded.has(pool[i].question.trim())) continue;
    chosen.add(i);
    shots.push(pool[i]);
  }
  return shots;
}

/** lm-eval's default few-shot seed (its --fewshot_random_seed / fewshot_seed). */
export const LM_EVAL_FEWSHOT_SEED = 1234;

/**
 * The shots of every item of a set as lm-evaluation-harness 0.4.x draws them: one
 * `random.Random(seed)` per task and run, `rnd.sample(fewshot_docs, k)` once per document in
 * evaluation order (its --limit N is our first N items). When the set is the few-shot split
 * itself (its items are pool items), lm-eval draws k+1 and drops the document: so do we. Every
 * item's shots depend on its position, so a resumed run draws for the whole set again.
 */
export function drawLmEvalShots(
  pool: readonly Problem[],
  items: readonly Problem[],
  k: number,
  seed: number,
): Problem[][] {
  if (k === 0) return items.map(() => []);
  const poolIds = new Set(pool.map((p) => p.id));
  const sameSplit = items.some((p) => poolIds.has(p.id));
  const draw = sameSplit ? k + 1 : k;
  if (pool.length < draw) {
    throw new TaskError(
      `${draw} shots requested (lm-eval sampler) but only ${pool.length} solved examples were given`,
    );
  }
  const rnd = new PythonRandom(seed);
  return items.map((item) => {
    const shots = rnd.sample(pool, draw);
    return sameSplit ? shots.filter((s) => s.id !== item.id).slice(0, k) : shots;
  });
}
