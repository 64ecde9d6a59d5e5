import { createRng } from '@exp/data';
import { argmax, sample } from '../../src/generation/sampling.js';

it('argmax takes the first maximum', () => {
  expect(argmax(Float32Array.from([1, 3, 3, 2]))).toBe(1);
  expect(argmax(Float32Array.from([9, 1, 5, 5, 0]), 1, 3)).toBe(1);
});

it('sample follows the distribution and never picks a -Infinity token', () => {
  const scores = Float32Array.from([Math.log(0.7), Math.log(0.3), -Infinity]);
  const rng = createRng(123);
  const counts = [0, 0, 0];
  for (let i = 0; i < 20000; i++) counts[sample(scores, rng)]! += 1;
  expect(counts[2]).toBe(0);
  expect(Math.abs(counts[0]! / 20000 - 0.7)).toBeLessThan(0.015);
});
