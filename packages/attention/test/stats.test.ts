// mean, population std and the seeded percentile bootstrap (its quantile: @exp/data's tests).
import { createRng } from '@exp/data';
import { bootstrapCi, mean, populationStd, summarize } from '../src/stats.js';

it('mean and population std (divisor n)', () => {
  expect(mean([1, 2, 3, 4])).toBe(2.5);
  expect(populationStd([1, 2, 3, 4])).toBe(Math.sqrt(1.25));
  expect(() => mean([])).toThrow('mean: no values');
});

it('the bootstrap interval is seeded: same seed, same interval', () => {
  expect(bootstrapCi([1, 2, 3, 4, 10], createRng(7))).toEqual([1.8, 7]);
  expect(bootstrapCi([1, 2, 3, 4, 10], createRng(7))).toEqual(
    bootstrapCi([1, 2, 3, 4, 10], createRng(7)),
  );
  expect(bootstrapCi([0.5, 0.5, 0.5], createRng(1))).toEqual([0.5, 0.5]);
});

it('summarize: mean, std, 95% interval and n; null without values', () => {
  expect(summarize([0.2, 0.4, 0.9], createRng('x'))).toEqual({
    mean: 0.5,
    std: 0.2943920288775949,
    ci_low: 0.20000000000000004,
    ci_high: 0.9,
    n: 3,
  });
  expect(summarize([], createRng(1))).toBeNull();
});
