import { formatIssue } from '@exp/data';
import { builtinTask, resolveTask, withFewshot } from '../../src/task/builtin.js';
import { TaskSchema } from '../../src/task/schema.js';

describe('built-in protocols', () => {
  test('seed: the original protocol', () => {
    expect(builtinTask('seed')).toEqual({
      name: 'seed',
      protocol: 'seed',
      description:
        'the original project: bare question, greedy, repetition penalty 1.1, 512 tokens',
      prompt: { template: 'bare' },
      generation: { maxNewTokens: 512, repetitionPenalty: 1.1, doSample: false },
      stopStrings: [],
      stopAtEos: true,
      extractors: ['seed', 'strict'],
      metric: 'pass@1',
    });
  });

  test("lm-eval: lm-evaluation-harness's gsm8k", () => {
    expect(builtinTask('lm-eval')).toEqual({
      name: 'lm-eval',
      protocol: 'lm-eval',
      description: 'lm-evaluation-harness gsm8k: 5-shot Question/Answer, greedy, 256 tokens',
      prompt: {
        template: 'kshot',
        shots: 5,
        fewshotSplit: 'train',
        fewshotSampler: 'lm-eval',
        fewshotSeed: 1234,
      },
      generation: { maxNewTokens: 256, repetitionPenalty: 1, doSample: false },
      stopStrings: ['Question:', '</s>', '<|im_end|>'],
      stopAtEos: true,
      extractors: ['lm-eval-strict', 'lm-eval-flexible', 'strict', 'seed'],
      metric: 'pass@1',
    });
  });

  test('a prompt override keeps the rest and names the change', () => {
    const t = builtinTask('seed', { prompt: 'cot' });
    expect(t.name).toBe('seed+cot');
    expect(t.prompt).toEqual({ template: 'cot' });
    expect(t.generation.repetitionPenalty).toBe(1.1);
    expect(builtinTask('seed', { prompt: 'kshot' }).prompt).toEqual({
      template: 'kshot',
      shots: 5,
      fewshotSplit: 'train',
    });
    expect(builtinTask('lm-eval', { prompt: 'qa' }).prompt).toEqual({ template: 'qa' });

    expect(builtinTask('lm-eval', { prompt: 'kshot' }).name).toBe('lm-eval');
  });
});

describe('resolveTask (--protocol, --prompt, --task)', () => {
  test('defaults to seed', () => {
    expect(resolveTask({})).toEqual(builtinTask('seed'));
    expect(resolveTask({ protocol: 'lm-eval', prompt: 'sft' }).name).toBe('lm-eval+sft');
  });

  test('unknown names list the known ones', () => {
    expect(() => resolveTask({ protocol: 'helm' })).toThrow(
      "unknown protocol 'helm' (known: seed, lm-eval)",
    );
    expect(() => resolveTask({ prompt: 'fancy' })).toThrow(
      "unknown prompt template 'fancy' (known: bare, qa, cot, kshot, sft)",
    );
  });

  test('--fewshot-sampler / --fewshot-seed set the task (recorded with it)', () => {
    expect(resolveTask({ protocol: 'lm-eval', fewshot: { seed: 7 } }).prompt).toEqual({
      template: 'kshot',
      shots: 5,
      fewshotSplit: 'train',
      fewshotSampler: 'lm-eval',
      fewshotSeed: 7,
    });
    expect(
      resolveTask({ prompt: 'kshot', fewshot: { sampler: 'lm-eval', seed: 0 } }).prompt,
    ).toEqual({
      template: 'kshot',
      shots: 5,
      fewshotSplit: 'train',
      fewshotSampler: 'lm-eval',
      fewshotSeed: 0,
    });
    expect(resolveTask({ protocol: 'lm-eval', fewshot: {} })).toEqual(builtinTask('lm-eval'));
    expect(() => resolveTask({ fewshot: { seed: 3 } })).toThrow(
      "task 'seed': the 'bare' prompt has no shots, so a few-shot seed does nothing (use a k-shot prompt, e.g. --protocol lm-eval or --prompt kshot)",
    );
    expect(() => withFewshot(builtinTask('seed'), { sampler: 'per-item' })).toThrow(
      "task 'seed': the 'bare' prompt has no shots, so a few-shot sampler does nothing",
    );
  });

  test('the task schema checks the sampler and refuses shot settings without shots', () => {
    const bad = TaskSchema.safeParse({
      ...builtinTask('lm-eval'),
      prompt: { template: 'kshot', shots: 5, fewshotSampler: 'random' },
    });
    expect(bad.success ? [] : bad.error.issues.map(formatIssue)).toEqual([
      'prompt.fewshotSampler: Invalid option: expected one of "lm-eval"|"per-item"',
    ]);
    const none = TaskSchema.safeParse({
      ...builtinTask('seed'),
      prompt: { template: 'qa', fewshotSeed: 0 },
    });
    expect(none.success ? [] : none.error.issues.map(formatIssue)).toEqual([
      "prompt.fewshotSeed: the 'qa' template takes no shots",
    ]);
  });

  test('a protocol and a task file together are refused', () => {
    expect(() => resolveTask({ protocol: 'seed', file: 'x.json' })).toThrow(
      'give a protocol or a task file, not both',
    );
  });
});
