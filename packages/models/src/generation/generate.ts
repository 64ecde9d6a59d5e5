// The batched decoding loop: left padding, positions from the mask, logits processors, greedy or
// seeded sampling, per-row stop tokens, and a per-step callback. The decoder behind it
// (StepDecoder) owns the model session and the KV cache.
import type { StepDecoder } from '../runtime/step-decoders.js';
import type { ResolvedGeneration } from './options.js';
import { argmax, sample } from './sampling.js';
import {
  MaxNewTokensCriteria,
  StopTokenCriteria,
  checkStop,
  type FinishReason,
  type StoppingCriterion,
} from './stopping-criteria.js';

export interface GenerationResult {
  /** New tokens of the prompt (the stop token included when it stopped on one). */
  tokens: number[];
  finishReason: FinishReason;
}

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

export function validatePrompts(prompts: readonly (readonly number[])[], vocabSize: number): void {
  if (prompts.length === 0) throw new Error('generate: no prompts given');
  prompts.forEach((p, r) => {
    if (p.length === 0) throw new Error(`generate: prompt ${r} is empty`);
    for (const id of p) {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new Error(
          `generate: prompt ${r} has token id ${id}, expected an integer in [0, ${vocabSize})`,
        );
      }
    }
  });
}

export async function runGeneration(
  decoder: StepDecoder,
  prompts: readonly (readonly number[])[],
  g: ResolvedGeneration,
  vocabSize: number,
): Promise<GenerationResult[]> {
  validatePrompts(prompts, vocabSize);
  const batch = prompts.length;
  const padded = leftPad(prompts, g.padTokenId);
  const criteria: StoppingCriterion[] = [];
  if (g.stopTokenIds.length) criteria.push(new StopTokenCriteria(g.stopTokenIds));
  criteria.push(new MaxNewTokensCriteria(g.maxNewTokens));

  const history = prompts.map((p) => [...p]); // prompt + generated, for the processors
  const generated: number[][] = prompts.map(() => []);
  const finished: (FinishReason | null)[] = prompts.map(() => null);
  const positions = prompts.map((p) => p.length);
  // plain greedy needs no scores in JS: let the decoder return the argmax if it can
  const want = g.doSample || g.processors.length > 0 ? 'logits' : 'argmax';

  try {
    let out = await decoder.prefill(padded.ids, padded.mask, padded.positions, batch, want);
    for (let step = 0; ; step++) {
      const tokens: number[] = new Array<number>(batch);
      for (let r = 0; r < batch; r++) {
        if (finished[r]) {
          tokens[r] = g.padTokenId;
          continue;
        }
        let token: number;
        if (out.argmax) token = out.argmax[r]!;
        else {
          const scores = out.logits.subarray(r * vocabSize, (r + 1) * vocabSize);
          g.processors.process(history[r]!, scores);
          token = g.doSample ? sample(scores, g.rngs[r]!) : argmax(scores);
        }
        tokens[r] = token;
        history[r]!.push(token);
        generated[r]!.push(token);
        finished[r] = checkStop(criteria, generated[r]!);
      }
      g.onToken?.(
        step,
        tokens,
        finished.map((f) => f !== null),
      );
      if (finished.every((f) => f !== null)) break;
      if (g.signal?.aborted) {
        for (let r = 0; r < batch; r++) finished[r] ??= 'aborted';
        break;
      }
      out = await decoder.step(tokens, positions, want);
      for (let r = 0; r < batch; r++) positions[r]! += 1;
    }
  } finally {
    decoder.reset();
  }
  return generated.map((tokens, r) => ({ tokens, finishReason: finished[r]! }));
}
