// Choosing the next token from processed scores: greedy argmax or seeded multinomial sampling.
import { softmax } from './logits-process.js';
import type { Rng } from '@exp/data';

/** Index of the largest score (the first one on ties, like torch.argmax on CPU). */
export function argmax(scores: Float32Array, offset = 0, length = scores.length - offset): number {
  let best = -Infinity;
  let index = 0;
  for (let i = 0; i < length; i++) {
    const s = scores[offset + i]!;
    if (s > best) {
      best = s;
      index = i;
    }
  }
  return index;
}

/** One draw from softmax(scores) (torch.multinomial(probs, 1) with our own generator). */
export function sample(scores: Float32Array, rng: Rng): number {
  const probs = softmax(scores);
  const u = rng.next();
  let cum = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (p === 0) continue;
    last = i;
    cum += p;
    if (u < cum) return i;
  }
  return last; // u beyond the float64 total: take the last token with mass
}
