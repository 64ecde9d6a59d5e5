import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGsm8kFile, type Problem } from '@exp/data';
import { builtinTask } from '../../src/task/builtin.js';
import { drawLmEvalShots, drawShots } from '../../src/task/fewshot.js';
import { renderPrompts } from '../../src/task/prompt.js';
import type { Task } from '../../src/task/schema.js';
import { listPromptTemplates } from '../../src/task/templates.js';

/** One item's prompt (the first of a one-item set). */
const renderPrompt = (
  task: Task,
  problem: Problem,
  ctx: { fewshot?: readonly Problem[]; seed: number },
): string => renderPrompts(task, [problem], ctx)[0]!;

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

describe('k-shot (lm-eval layout), per-item sampler', () => {
  const task = { ...builtinTask('lm-eval'), prompt: { template: 'kshot', shots: 5 } };

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

  test('task.prompt.fewshotSeed overrides the run seed', () => {
    const fixed = { ...task, prompt: { ...task.prompt, fewshotSeed: 7 } };
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
    expect(() => renderPrompt(builtinTask('lm-eval'), item, { seed: 1 })).toThrow(
      "task 'lm-eval': the 'kshot' prompt needs solved examples (GSM8K train), none were given",
    );
  });

  test('0 shots is the qa prompt', () => {
    const zero = { ...task, prompt: { ...task.prompt, shots: 0 } };
    expect(renderPrompt(zero, item, { seed: 1 })).toBe('Question: How many eggs?\nAnswer:');
  });
});

const SHARED_DIR =
  process.env.EXP_SHARED_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared');
const GSM8K = path.join(SHARED_DIR, 'data/gsm8k');
/** The raw JSONL records, as lm-eval's HF dataset holds them (no exp parsing). */
const raw = (split: string): { question: string; answer: string }[] =>
  readFileSync(path.join(GSM8K, `${split}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { question: string; answer: string });
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/python-random.json', import.meta.url), 'utf8'),
) as { lm_eval_gsm8k: { seed: number; k: number; train_size: number; docs: number[][] } };

describe("lm-eval sampler: lm-evaluation-harness 0.4.x gsm8k's few-shot draw", () => {
  const task = builtinTask('lm-eval');
  const train = loadGsm8kFile(path.join(GSM8K, 'train.jsonl'), 'gsm8k-train');
  const testSet = loadGsm8kFile(path.join(GSM8K, 'test.jsonl'), 'gsm8k-test');
  const { docs } = fixture.lm_eval_gsm8k;

  test('the protocol records the sampler and lm-eval seed 1234', () => {
    expect(task.prompt).toEqual({
      template: 'kshot',
      shots: 5,
      fewshotSplit: 'train',
      fewshotSampler: 'lm-eval',
      fewshotSeed: 1234,
    });
    expect(train).toHaveLength(7473);
  });

  test('documents 0..29 get the train items CPython drew', () => {
    const shots = drawLmEvalShots(train, testSet.slice(0, 30), 5, 1234);
    expect(shots.map((s) => s.map((p) => p.id))).toEqual(
      docs.map((d) => d.map((i) => `gsm8k-train-${i}`)),
    );
    expect(docs[0]).toEqual([6374, 3610, 957, 61, 742]);
  });

  test("prompts of documents 0, 1, 2 and 29 equal lm-eval's byte for byte", () => {
    const trainRaw = raw('train');
    const testRaw = raw('test');
    // lm-eval gsm8k.yaml: doc_to_text "Question: {{question}}\nAnswer:", doc_to_target
    // "{{answer}}", target_delimiter " ", fewshot_delimiter "\n\n".
    const text = (d: { question: string }) => `Question: ${d.question}\nAnswer:`;
    const lmEval = (doc: number) =>
      docs[doc]!.map((i) => text(trainRaw[i]!) + ' ' + trainRaw[i]!.answer + '\n\n').join('') +
      text(testRaw[doc]!);
    const prompts = renderPrompts(task, testSet.slice(0, 30), { fewshot: train, seed: 42 });
    for (const doc of [0, 1, 2, 29]) expect(prompts[doc]).toBe(lmEval(doc));
    expect(prompts[0]!.startsWith(`Question: ${trainRaw[6374]!.question}\nAnswer: `)).toBe(true);
  });

  test("the run's seed does not matter, the few-shot seed does; --limit N is a prefix", () => {
    const set = testSet.slice(0, 10);
    const a = renderPrompts(task, set, { fewshot: train, seed: 1 });
    expect(renderPrompts(task, set, { fewshot: train, seed: 2 })).toEqual(a);
    expect(renderPrompts(task, set.slice(0, 3), { fewshot: train, seed: 1 })).toEqual(
      a.slice(0, 3),
    );
    const other = { ...task, prompt: { ...task.prompt, fewshotSeed: 7 } };
    const b = renderPrompts(other, set, { fewshot: train, seed: 1 });
    expect(b.filter((p, i) => p !== a[i])).toHaveLength(10);
    expect(drawLmEvalShots(train, set, 5, 7)[0]!.map((p) => p.id)).toEqual(
      // CPython: random.Random(7).sample(range(7473), 5)
      [2652, 1235, 3234, 5332, 395].map((i) => `gsm8k-train-${i}`),
    );
  });

  test('a noisy set aligned with the clean one gets the same shots per document', () => {
    const clean = testSet.slice(0, 5);
    const noisy = clean.map((p) => ({ ...p, question: `${p.question} The sky is blue.` }));
    const shots = (set: Problem[]) =>
      drawLmEvalShots(train, set, 5, 1234).map((s) => s.map((p) => p.id));
    expect(shots(noisy)).toEqual(shots(clean));
  });

  test('evaluating the few-shot split itself: k+1 drawn, the document dropped', () => {
    // CPython: r = random.Random(1234); [r.sample(range(7473), 6) for _ in range(2)]
    const SIX = [
      [6374, 3610, 957, 61, 742, 7462],
      [6610, 4769, 286, 5501, 5677, 687],
    ];
    const set = [train[6374]!, train[0]!];
    const shots = drawLmEvalShots(train, set, 5, 1234).map((s) => s.map((p) => p.id));
    expect(shots).toEqual(
      [SIX[0]!.filter((i) => i !== 6374), SIX[1]!.slice(0, 5)].map((d) =>
        d.map((i) => `gsm8k-train-${i}`),
      ),
    );
  });
});
