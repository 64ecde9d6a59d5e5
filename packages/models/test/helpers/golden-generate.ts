// The golden 'generate' case as the runtime's inputs: the two left-padded prompts without their
// padding, the expected ids and the logits each token was chosen from.
import path from 'node:path';
import { readSafetensors } from '../../src/safetensors/read.js';
import { goldenDir, type GoldenModel } from './shared.js';

export interface GoldenGenerate {
  prompts: number[][];
  /** [row][step] */
  ids: number[][];
  /** [row][step] -> vocab-sized logits */
  stepLogits: Float32Array[][];
  vocab: number;
}

export function goldenGenerate(name: GoldenModel): GoldenGenerate {
  const g = readSafetensors(path.join(goldenDir(name), 'golden.safetensors'));
  const tensor = (n: string) => {
    const t = g.get(n);
    if (!t) throw new Error(`golden ${name} has no ${n}`);
    return t;
  };
  const ids = tensor('generate.input_ids');
  const mask = tensor('generate.attention_mask').data as BigInt64Array;
  const [rows, seq] = ids.shape as [number, number];
  const prompts = Array.from({ length: rows }, (_, r) => {
    const p: number[] = [];
    for (let i = 0; i < seq; i++) {
      if (mask[r * seq + i]) p.push(Number((ids.data as BigInt64Array)[r * seq + i]));
    }
    return p;
  });
  const gen = tensor('generate.generated_ids');
  const steps = gen.shape[1]!;
  const logits = tensor('generate.step_logits');
  const vocab = logits.shape[2]!;
  const ld = logits.data as Float32Array;
  return {
    prompts,
    ids: Array.from({ length: rows }, (_, r) =>
      Array.from({ length: steps }, (_, s) => Number((gen.data as BigInt64Array)[r * steps + s])),
    ),
    stepLogits: Array.from({ length: rows }, (_, r) =>
      Array.from({ length: steps }, (_, s) =>
        ld.subarray((r * steps + s) * vocab, (r * steps + s + 1) * vocab),
      ),
    ),
    vocab,
  };
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
