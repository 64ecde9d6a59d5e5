// Stopping rules: which criterion stops a row, stop strings that straddle tokens, the tail
// window that keeps each check cheap, and cutting a completion before its stop string.
import {
  MaxNewTokensCriteria,
  PerPromptMaxNewTokensCriteria,
  StopStringCriteria,
  StopTokenCriteria,
  checkStop,
  cutAtStopStrings,
} from '../../src/generation/stopping-criteria.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { bundledLlama3TokenizerDir } from '../../src/tokenizer/llama3.js';

/** ids -> fixed strings; records how many ids each decode call got. */
function fakeTokenizer(pieces: Record<number, string>) {
  const calls: number[] = [];
  return {
    calls,
    decode(ids: readonly number[]) {
      calls.push(ids.length);
      return ids.map((i) => pieces[i] ?? '?').join('');
    },
  };
}

it('built-in criteria stop on a stop token before the length limit, by name', () => {
  const c = [new StopTokenCriteria([2, 7]), new MaxNewTokensCriteria(3)];
  expect(checkStop(c, [5], 0)).toBeNull();
  expect(checkStop(c, [5, 7], 0)?.name).toBe('eos');
  expect(checkStop(c, [5, 6, 8], 0)).toMatchObject({ name: 'max_new_tokens', reason: 'length' });
  expect(checkStop(c, [5, 6, 2], 0)).toMatchObject({ name: 'eos', reason: 'stop' });
});

it('PerPromptMaxNewTokensCriteria stops prompt i after limits[i] tokens; checkStop passes i', () => {
  const c = new PerPromptMaxNewTokensCriteria([1, 3]);
  expect([c.done([5], 0), c.done([5], 1), c.done([5, 6, 7], 1)]).toEqual([true, false, true]);
  expect(c.done([5, 6, 7, 8], 2)).toBe(false); // no entry: the other rules decide
  const rules = [new StopTokenCriteria([2]), c];
  expect(checkStop(rules, [5, 6], 1)).toBeNull();
  expect(checkStop(rules, [5, 6, 9], 1)).toMatchObject({
    name: 'max_new_tokens',
    reason: 'length',
  });
  expect(checkStop(rules, [5], 0)).toBe(c);
  expect(() => new PerPromptMaxNewTokensCriteria([2, 0])).toThrow(
    'per-prompt maxNewTokens must be positive integers, got 0',
  );
});

describe('cutAtStopStrings', () => {
  it('cuts before the earliest stop string and says which', () => {
    expect(cutAtStopStrings('x = 4.\nQuestion: y</s>', ['</s>', 'Question:'])).toEqual({
      text: 'x = 4.\n',
      stop: 'Question:',
    });
    expect(cutAtStopStrings('no stop here', ['Q:'])).toEqual({ text: 'no stop here', stop: null });
  });

  it('prefers the longer string at the same place and ignores empty ones', () => {
    expect(cutAtStopStrings('a Question: b', ['Q', 'Question:', ''])).toEqual({
      text: 'a ',
      stop: 'Question:',
    });
    expect(cutAtStopStrings('abc', [''])).toEqual({ text: 'abc', stop: null });
  });
});

describe('StopStringCriteria', () => {
  it('stops once the text contains a stop string split over tokens', () => {
    const tok = fakeTokenizer({
      1: 'The answer',
      2: ' is 4.',
      3: '\nQu',
      4: 'estion',
      5: ':',
      6: ' x',
    });
    const c = new StopStringCriteria(['Question:'], tok);
    expect(c).toMatchObject({ name: 'stop_string', reason: 'stop' });
    expect([[1], [1, 2], [1, 2, 3], [1, 2, 3, 4]].map((g) => c.done(g))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(c.done([1, 2, 3, 4, 5])).toBe(true);
    expect(c.match([1, 2, 3, 4, 5, 6])).toBe('Question:');
  });

  it('decodes only a tail window, widened past tokens that decode to nothing', () => {
    const pieces: Record<number, string> = { 1: 'a', 2: '', 3: '#', 4: '#' };
    const tok = fakeTokenizer(pieces);
    const c = new StopStringCriteria(['###'], tok);
    const generated = Array.from({ length: 300 }, () => 1);
    expect(c.done(generated)).toBe(false);
    // the newest token alone, then a window of 1 + 3 - 1 + 3 slack tokens
    expect(Math.max(...tok.calls)).toBe(6);
    // '#', '#' and (after 20 empty tokens) '#' still meet in the window
    const split = [...generated, 3, 4, ...Array.from({ length: 20 }, () => 2), 3];
    tok.calls.length = 0;
    expect(c.done(split)).toBe(true);
    expect(Math.max(...tok.calls)).toBeLessThan(64);
  });

  it('refuses an empty stop string', () => {
    expect(() => new StopStringCriteria([''], fakeTokenizer({}))).toThrow(
      'stop strings must not be empty',
    );
  });

  it('works with the Llama-3 tokenizer, token by token', async () => {
    const tok = await loadTokenizer(bundledLlama3TokenizerDir());
    const ids = tok.encode('She has 4 apples.\n\nQuestion: How many', {
      addSpecialTokens: false,
    }).ids;
    const c = new StopStringCriteria(['Question:', '</s>'], tok);
    const firstStop = ids.findIndex((_, i) => c.done(ids.slice(0, i + 1)));
    expect(tok.decode(ids.slice(0, firstStop + 1)).endsWith('Question:')).toBe(true);
    expect(tok.decode(ids.slice(0, firstStop))).not.toContain('Question:');
  });
});
