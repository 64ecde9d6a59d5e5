import { describe, expect, test } from '@jest/globals';
import { VERDICTS, verdict } from '../../src/stats/verdict.js';

describe('verdict (DiffLlama − Llama, positive = DiffLlama better / hurt less)', () => {
  test('significant: the sign decides', () => {
    expect(verdict({ estimate: 0.04, p: 0.01, mde: 0.02 })).toBe('helps');
    expect(verdict({ estimate: -0.04, p: 0.01, mde: 0.02 })).toBe('hurts');
    expect(verdict({ estimate: 0.04, p: 0.04, mde: 0.02 }, { alpha: 0.01 })).toBe(
      'no difference detected',
    );
  });
  test('not significant: inconclusive at this n when the MDE exceeds the observed effect', () => {
    // 3% vs 3.5% on 1,319 items: MDE 1.3 points, observed 0.5: cannot tell.
    expect(verdict({ estimate: 0.005, p: 0.4, mde: 0.0134 })).toBe('inconclusive');
    expect(verdict({ estimate: 0.02, p: 0.06, mde: 0.019 })).toBe('no difference detected');
    expect(verdict({ estimate: 0, p: 1, mde: null })).toBe('inconclusive');
    expect(verdict({ estimate: 0.01, p: null, mde: 0.001 })).toBe('inconclusive');
  });
  test('with a margin (smallest effect of interest) the MDE is judged against it', () => {
    expect(verdict({ estimate: 0.001, p: 0.8, mde: 0.0134 }, { margin: 0.02 })).toBe(
      'no difference detected',
    );
    expect(verdict({ estimate: 0.001, p: 0.8, mde: 0.0134 }, { margin: 0.01 })).toBe(
      'inconclusive',
    );
  });
  test('the four verdicts, and a bad estimate', () => {
    expect(VERDICTS).toEqual(['helps', 'hurts', 'no difference detected', 'inconclusive']);
    expect(() => verdict({ estimate: NaN, p: 0.5, mde: 0.1 })).toThrow(
      'verdict: estimate: expected a finite number, got NaN',
    );
  });
});
