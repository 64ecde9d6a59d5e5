import type { Problem } from '@exp/data';
import { builtinTask } from '../../src/task/builtin.js';
import { drawShots } from '../../src/task/fewshot.js';
import { renderPrompt } from '../../src/task/prompt.js';
import { listPromptTemplates } from '../../src/task/templates.js';

const item: Problem = {
  id: 'gsm8k-test-0',
  question: 'How many eggs?',
  answer: '#### 9',
  final: '9',
};
const pool: Problem[] = Array.from({ length: 40 }, (_, i) => ({
  id: `gsm8k-train-${i}`,
  question: `Train question ${i}?`,
  answer: `Work ${i}.\n#### ${i}`,
  final: String(i),
}));

describe('prompt templates', () => {
  test('built-ins', () => {
    expect(listPromptTemplates()).toEqual(['bare', 'qa', 'cot', 'kshot', 'sft']);
  });

  test.each([
    ['bare', 'How many eggs?'],
    ['qa', 'Question: How many eggs?\nAnswer:'],
    ['cot', "Question: How many eggs?\nAnswer: Let's think step by step."],
    ['sft', 'Question: How many eggs?\n\nAnswer:'],
  ])('%s', (template, expected) => {
    expect(renderPrompt(builtinTask('seed', { prompt: template }), item, { seed: 1 })).toBe(
      expected,
    );
  });
});

describe('k-shot (lm-eval layout)', () => {
  const task = builtinTask('lm-eval');

  test('5 solved examples "Question: q\\nAnswer: solution" joined by blank lines, then the item', () => {
    const prompt = renderPrompt(task, item, { fewshot: pool, seed: 1 });
    const shots = drawShots(pool, item, 5, 1);
    const expected = [
      ...shots.map((s) => `Question: ${s.question}\nAnswer: ${s.answer}`),
      'Question: How many eggs?\nAnswer:',
    ].join('\n\n');
    expect(prompt).toBe(expected);
    expect(prompt.split('Question:').length).toBe(7); // 5 shots + the item (+ the empty head)
    expect(new Set(shots.map((s) => s.id)).size).toBe(5);
  });

  test('deterministic per (seed, problem id); another seed or id draws others', () => {
    const a = drawShots(pool, item, 5, 1).map((s) => s.id);
    expect(drawShots(pool, item, 5, 1).map((s) => s.id)).toEqual(a);
    expect(drawShots(pool, item, 5, 2).map((s) => s.id)).not.toEqual(a);
    expect(drawShots(pool, { ...item, id: 'gsm8k-test-1' }, 5, 1).map((s) => s.id)).not.toEqual(a);
    // A noisy variant keeps the id and so gets the same shots.
    const noisy = {
      ...item,
      question: 'How many eggs? The cat is 3.',
      original_question: item.question,
    };
    expect(drawShots(pool, noisy, 5, 1).map((s) => s.id)).toEqual(a);
  });

  test('task.prompt.shotSeed overrides the run seed', () => {
    const fixed = { ...task, prompt: { ...task.prompt, shotSeed: 7 } };
    expect(renderPrompt(fixed, item, { fewshot: pool, seed: 1 })).toBe(
      renderPrompt(fixed, item, { fewshot: pool, seed: 99 }),
    );
  });

  test("never the evaluated item (same question text), nor a noisy item's original", () => {
    const self = pool[3];
    for (let seed = 0; seed < 50; seed++) {
      expect(drawShots(pool, self, 5, seed).map((s) => s.question)).not.toContain(self.question);
    }
    const noisy = {
      ...self,
      question: `${self.question} Noise.`,
      original_question: self.question,
    };
    for (let seed = 0; seed < 50; seed++) {
      expect(drawShots(pool, noisy, 5, seed).map((s) => s.id)).not.toContain(self.id);
    }
  });

  test('too few eligible examples, or none given, is an error', () => {
    expect(() => drawShots(pool.slice(0, 3), item, 5, 1)).toThrow(
      'gsm8k-test-0: 5 shots requested but only 3 solved examples are eligible',
    );
    expect(() => renderPrompt(task, item, { seed: 1 })).toThrow(
      "task 'lm-eval': the 'kshot' prompt needs solved examples (GSM8K train), none were given",
    );
  });

  test('0 shots is the qa prompt', () => {
    const zero = { ...task, prompt: { ...task.prompt, shots: 0 } };
    expect(renderPrompt(zero, item, { seed: 1 })).toBe('Question: How many eggs?\nAnswer:');
  });
});
