// generate(): a static batch through the scheduler (all prompts start together, none joins
// later), with the per-step token callback of transformers' streamers. The scheduler prefills
// each prompt alone, so a left-padded batch is never formed.
import type { StepDecoder } from '../runtime/step-decoder.js';
import type { ResolvedGeneration } from './options.js';
import { schedule, type GenerationResult, type StepReport } from './scheduler.js';

export async function runGeneration(
  decoder: StepDecoder,
  prompts: readonly (readonly number[])[],
  g: ResolvedGeneration,
  vocabSize: number,
): Promise<GenerationResult[]> {
  const results: (GenerationResult | undefined)[] = new Array(prompts.length);
  const finished = prompts.map(() => false);
  const onStep: StepReport | undefined = g.onToken
    ? (step, chosen) => {
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
