// Length-windowed batch order and right padding to the longest item of a batch.
import { loadGsm8kFile } from '@exp/data';
import { bundledLlama3TokenizerDir, loadTokenizer } from '@exp/models';
import { fileURLToPath } from 'node:url';
import {
  batchPlan,
  encodeSftDataset,
  padBatch,
  sftBatches,
  type SftExample,
} from '../src/index.js';

const SHARED =
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url));

let examples: SftExample[];
beforeAll(async () => {
  const tok = await loadTokenizer(bundledLlama3TokenizerDir());
  const train = loadGsm8kFile(`${SHARED}/data/gsm8k/train.jsonl`, 'gsm8k-train');
  examples = encodeSftDataset(tok, train.slice(0, 500)).examples;
});

const lengths = () => examples.map((e) => e.inputIds.length);
const ten = () => lengths().slice(0, 10);

describe('batchPlan', () => {
  test('exact order of the first ten items (batch 2, window 4, seed 42)', () => {
    expect(batchPlan(ten(), { batchSize: 2, window: 4, seed: 42, epoch: 0 })).toEqual([
      [1, 4],
      [2, 7],
      [3, 8],
      [5, 9],
      [0, 6],
    ]);
    expect(batchPlan(ten(), { batchSize: 2, window: 4, seed: 42, epoch: 1 })).toEqual([
      [2, 3],
      [4, 6],
      [7, 9],
      [1, 0],
      [5, 8],
    ]);
    expect(batchPlan(ten(), { batchSize: 2, window: 4, seed: 7, epoch: 0 })).toEqual([
      [4, 2],
      [0, 6],
      [3, 5],
      [7, 9],
      [1, 8],
    ]);
  });

  test('every item exactly once per epoch; same seed same order, another seed another', () => {
    const opts = { batchSize: 4, window: 64, seed: 42 };
    const plans = [0, 1, 2].map((epoch) => batchPlan(lengths(), { ...opts, epoch }));
    for (const plan of plans) {
      expect(plan.flat().sort((a, b) => a - b)).toEqual(examples.map((_, i) => i));
      expect(plan).toHaveLength(125);
      expect(plan.every((b) => b.length === 4)).toBe(true);
    }
    expect(batchPlan(lengths(), { ...opts, epoch: 0 })).toEqual(plans[0]);
    expect(plans[1]).not.toEqual(plans[0]);
    expect(batchPlan(lengths(), { ...opts, seed: 43, epoch: 0 })).not.toEqual(plans[0]);
  });

  test('within a window items are sorted by length; only the last window has a short batch', () => {
    const plan = batchPlan(lengths(), { batchSize: 3, window: 498, seed: 1, epoch: 0 });
    expect(plan.map((b) => b.length).sort()).toEqual([2, ...Array<number>(166).fill(3)]);
    const big = plan.filter((b) => b.length === 3).map((b) => b.map((i) => lengths()[i]!));
    // One window of 498: batches are consecutive runs of the sorted lengths.
    big.sort((a, b) => a[0]! - b[0]! || a[2]! - b[2]!);
    const flat = big.flat();
    expect(flat.every((l, i) => i === 0 || l >= flat[i - 1]!)).toBe(true);
  });

  test('clear errors', () => {
    expect(() => batchPlan(ten(), { batchSize: 2, window: 5, seed: 1, epoch: 0 })).toThrow(
      'window: expected a positive multiple of batchSize (2), got 5',
    );
    expect(() => batchPlan(ten(), { batchSize: 0, seed: 1, epoch: 0 })).toThrow(
      'batchSize: expected a positive integer, got 0',
    );
  });
});

describe('padBatch', () => {
  test('right padding to the longest item: pad id, mask 0, label -100', () => {
    const b = padBatch([examples[0]!, examples[1]!], 128001);
    expect(b.ids).toEqual(['gsm8k-train-0', 'gsm8k-train-1']);
    expect(b.dims).toEqual([2, 89]);
    const row = (a: BigInt64Array, r: number) => Array.from(a.slice(r * 89, r * 89 + 89), Number);
    expect(row(b.inputIds, 0)).toEqual(examples[0]!.inputIds);
    expect(row(b.inputIds, 1)).toEqual([...examples[1]!.inputIds, 128001]);
    expect(row(b.attentionMask, 0)).toEqual(Array<number>(89).fill(1));
    expect(row(b.attentionMask, 1)).toEqual([...Array<number>(88).fill(1), 0]);
    expect(row(b.labels, 1)).toEqual([...examples[1]!.labels, -100]);
    expect(b.labelTokens).toBe(89 - 41 + (88 - 33));
  });

  test('sftBatches: shapes follow each batch, never a fixed 1,024', () => {
    const batches = sftBatches(examples, {
      batchSize: 8,
      window: 64,
      seed: 42,
      epoch: 0,
      padId: 0,
    });
    expect(batches).toHaveLength(63);
    for (const b of batches) {
      const longest = Math.max(
        ...b.ids.map((id) => examples[Number(id.split('-')[2])]!.inputIds.length),
      );
      expect(b.dims).toEqual([b.ids.length, longest]);
      expect(b.inputIds).toHaveLength(b.ids.length * longest);
    }
    expect(new Set(batches.flatMap((b) => b.ids)).size).toBe(500);
    expect(() => padBatch([], 0)).toThrow('padBatch: the batch is empty');
  });
});
