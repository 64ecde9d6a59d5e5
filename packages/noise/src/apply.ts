import { createRng, type Problem, type Rng } from '@exp/data';
import type { NoiseDefinition } from './definition.js';
import { NoiseError } from './errors.js';
import type { NoisyProblem } from './records.js';

/**
 * The random stream of one problem for one noise type: derived from (seed, type, problem id)
 * only, so a problem's noise does not depend on the other problems, their order, or `--types`.
 */
export function noiseRng(seed: number, type: string, problemId: string): Rng {
  return createRng(seed).fork(`noise:${type}`).fork(problemId);
}

/** `noise_type` written for a definition: its label, else its upper-cased name ("INF"). */
export function noiseLabel(def: NoiseDefinition): string {
  return def.label ?? def.name.toUpperCase();
}

/**
 * Applies a noise type to one problem and checks what it returned (custom types included): every
 * span must lie inside the question, hold exactly its text, and not overlap another.
 * Keys come out in a fixed order: id, question, answer, final, original_question, noise_type,
 * noise, seed.
 */
export function applyNoise(def: NoiseDefinition, problem: Problem, seed: number): NoisyProblem {
  const result = def.inject(problem, noiseRng(seed, def.name, problem.id));
  const where = `noise type '${def.name}', problem ${problem.id}`;
  if (typeof result?.question !== 'string' || !Array.isArray(result.noise)) {
    throw new NoiseError(`${where}: inject must return { question: string, noise: NoiseSpan[] }`);
  }
  const spans = [...result.noise].sort((a, b) => a.start - b.start);
  let prevEnd = 0;
  for (const s of spans) {
    const ok =
      Number.isInteger(s.start) &&
      Number.isInteger(s.end) &&
      s.start >= prevEnd &&
      s.end >= s.start &&
      result.question.slice(s.start, s.end) === s.text;
    if (!ok) {
      throw new NoiseError(
        `${where}: span ${JSON.stringify(s)} does not match question.slice(start, end) or overlaps another span`,
      );
    }
    prevEnd = s.end;
  }
  return {
    id: problem.id,
    question: result.question,
    answer: problem.answer,
    final: problem.final,
    original_question: problem.question,
    noise_type: noiseLabel(def),
    noise: result.noise.map((s) => ({ text: s.text, start: s.start, end: s.end })),
    seed,
  };
}
