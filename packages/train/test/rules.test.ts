import { OP_CASES } from './op-cases.js';
import { checkGradients } from './fd.js';
import { RULES } from '../src/index.js';

// float64 graphs with central differences (h = 1e-5): truncation and rounding errors are both
// ~1e-11, so 1e-7 leaves a wide margin while catching any wrong rule (errors of O(1)).
const TOL = 1e-7;
// The Cast and CastLike cases run through float32 (h = 1e-2): rounding errors ~6e-8 / 1e-2.
const TOL_F32 = 1e-4;

const measured: [string, number][] = [];
afterAll(() => console.log(measured.map(([n, e]) => `${n}: ${e.toExponential(1)}`).join('\n')));

describe('vector-Jacobian rules vs finite differences', () => {
  test.each(OP_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const { maxRelErr } = await checkGradients(c);
    measured.push([c.name, maxRelErr]);
    expect(maxRelErr).toBeLessThanOrEqual(c.name.startsWith('Cast') ? TOL_F32 : TOL);
  });

  test('every rule has a case', () => {
    const covered = OP_CASES.map((c) => c.name.split(' ')[0]);
    const missing = Object.keys(RULES).filter((op) => !covered.includes(op));
    expect(missing).toEqual([]);
  });
});
