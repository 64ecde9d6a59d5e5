import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveTask } from '../../src/task/builtin.js';
import { loadTaskFile } from '../../src/task/load.js';

const dir = mkdtempSync(path.join(tmpdir(), 'exp-task-'));
function taskFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const minimal = {
  name: 'my-cot',
  prompt: { template: 'cot' },
  generation: { maxNewTokens: 300 },
  extractors: ['strict'],
};

describe('loadTaskFile', () => {
  test('a minimal task gets the defaults', () => {
    expect(loadTaskFile(taskFile('ok.json', minimal))).toEqual({
      ...minimal,
      generation: { maxNewTokens: 300, doSample: false },
      stopStrings: [],
      stopAtEos: true,
      metric: 'pass@1',
    });
  });

  test('a --prompt override applies to a task file too', () => {
    const t = resolveTask({ file: taskFile('ok2.json', minimal), prompt: 'qa' });
    expect([t.name, t.prompt]).toEqual(['my-cot+qa', { template: 'qa' }]);
  });

  test.each([
    [
      'unknown extractor, named by its index',
      { ...minimal, extractors: ['strict', 'fuzzy'] },
      "extractors.1: unknown extractor 'fuzzy' (known: seed, strict, lm-eval-strict, lm-eval-flexible)",
    ],
    [
      'unknown template',
      { ...minimal, prompt: { template: 'fancy' } },
      "prompt.template: unknown prompt template 'fancy' (known: bare, qa, cot, kshot, sft)",
    ],
    [
      'a misspelt field',
      { ...minimal, generation: { maxNewTokens: 300, max_new_tokens: 5 } },
      'generation: Unrecognized key: "max_new_tokens"',
    ],
    [
      'a bad value',
      { ...minimal, generation: { maxNewTokens: 0 } },
      'generation.maxNewTokens: Too small: expected number to be >0',
    ],
    [
      'k-shot without a shot count',
      { ...minimal, prompt: { template: 'kshot' } },
      "prompt.shots: the 'kshot' template needs a number of shots",
    ],
    [
      'shots on a template that takes none',
      { ...minimal, prompt: { template: 'qa', shots: 3 } },
      "prompt.shots: the 'qa' template takes no shots",
    ],
    ['another metric', { ...minimal, metric: 'maj@8' }, 'metric: Invalid input: expected "pass@1"'],
  ])('%s', (_what, content, message) => {
    const file = taskFile('bad.json', content);
    expect(() => loadTaskFile(file)).toThrow(`${file}: ${message}`);
  });

  test('not JSON, or missing', () => {
    const file = taskFile('broken.json', '{ "name": ');
    expect(() => loadTaskFile(file)).toThrow(`${file}: not valid JSON: `);
    const missing = path.join(dir, 'missing.json');
    expect(() => loadTaskFile(missing)).toThrow(`${missing}: file not found`);
  });
});
