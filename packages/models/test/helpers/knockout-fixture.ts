// fixtures/knockout-logits.json (tools/crosscheck/knockout_fixture.py): transformers' logits with
// the equivalent 4D knockout mask, per case a few positions' log-sum-exp and picked logits.
import { readFileSync } from 'node:fs';

export interface PositionRow {
  row: number;
  pos: number;
  lse: number;
  picked?: number[];
}
export interface FixtureCase {
  model: string;
  from_layer: number;
  input_ids: number[][];
  attention_mask: number[][];
  spans: [number, number][][];
  picked_ids: number[];
  knockout: PositionRow[];
  plain: PositionRow[];
  max_abs_change: number;
}
export const knockoutFixture = JSON.parse(
  readFileSync(new URL('../fixtures/knockout-logits.json', import.meta.url), 'utf8'),
) as { cases: FixtureCase[] };

/** log Σ exp(row), max-shifted, in float64 (the reference the tests compare against). */
export function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (const x of row) max = Math.max(max, x);
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  return max + Math.log(sum);
}
