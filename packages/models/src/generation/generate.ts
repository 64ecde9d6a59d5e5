// generate(): a static batch through the scheduler (all prompts start together, none joins
// later), with the per-step token callback of transformers' streamers. The scheduler prefills
// each prompt alone, so a left-padded batch is never formed (leftPad serves other runners).
import type { StepDecoder } from '../runtime/step-decoder.js';
import type { ResolvedGeneration } from './options.js';
import { schedule, type GenerationResult } from './scheduler.js';

export { validatePrompts, type GenerationResult } from './scheduler.js';

/** Left-padded batch: ids/mask/positions row-major [B, S]. */
export interface PaddedBatch {
  batch: number;
  seq: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
  /** clamp(cumsum(mask) - 1, 0), as HF and the golden data compute them. */
  positions: BigInt64Array;
}

export function leftPad(prompts: readonly (readonly number[])[], padTokenId: number): PaddedBatch {
  const batch = prompts.length;
  const seq = Math.max(...prompts.map((p) => p.length));
  const ids = new BigInt64Array(batch * seq).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(batch * seq);
  const positions = new BigInt64Array(batch * seq);
  prompts.forEach((p, b) => {
    const pad = seq - p.length;
    for (let i = 0; i < p.length; i++) {
      ids[b * seq + pad + i] = BigInt(p[i]!);
      mask[b * seq + pad + i] = 1n;
      positions[b * seq + pad + i] = BigInt(i);
    }
  });
  return { batch, seq, ids, mask, positions };
}

export async function runGeneration(
  decoder: StepDecoder,
  prompts: readonly (readonly number[])[],
  g: ResolvedGeneration,
  vocabSize: number,
): Promise<GenerationResult[]> {
  const results: (GenerationResult | undefined)[] = new Array(prompts.length);
  const finished = prompts.map(() => false);
  const onStep = g.onToken
    ? (step: number, chosen: readonly { index: number; token: number; done: boolean }[]) => {
        // rows that had already finished get the pad id, as in HF's batched generate
        const tokens = prompts.map(() => g.padTokenId);
        for (const c of chosen) {
          tokens[c.index] = c.token;
          finished[c.index] = c.done;
        }
        g.onToken!(step, tokens, [...finished]);
      }
    : undefined;
  const order = prompts.map((_, i) => i);
  for await (const { index, result } of schedule(decoder, prompts, g, vocabSize, {
    batchSize: prompts.length,
    order,
    onStep,
  })) {
    results[index] = result;
  }
  // an abort before a prompt's prefill leaves it without tokens
  return results.map((r) => r ?? { tokens: [], finishReason: 'aborted', stoppedBy: 'aborted' });
}
