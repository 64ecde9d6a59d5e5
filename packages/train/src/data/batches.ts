// The order of batches in one epoch. Padding to the longest item wastes less when a batch holds
// items of similar length, but sorting the whole set would make every epoch the same and put
// all long items together; so items are shuffled, cut into windows, sorted within a window.
import { createRng, type Rng } from '@exp/data';
import { SftDataError } from './format.js';

export interface BatchPlanOptions {
  batchSize: number;
  /** Items sorted by length together; a multiple of batchSize (default 16 * batchSize). */
  window?: number;
  seed: number | string;
  /** 0-based; each epoch draws its own order from the seed. */
  epoch: number;
}

/** Fisher-Yates with the seeded stream (in place). */
function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * Batches of item indices for one epoch: shuffle the items (rng fork `epoch-<e>/items`), cut into
 * windows of `window` items, sort each window by length (stable, ascending), cut it into batches
 * of batchSize, then shuffle the batch order (fork `epoch-<e>/batches`). Every item appears
 * exactly once; only the last window can leave a short batch.
 */
export function batchPlan(lengths: readonly number[], opts: BatchPlanOptions): number[][] {
  const { batchSize, epoch } = opts;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new SftDataError(`batchSize: expected a positive integer, got ${batchSize}`);
  }
  const window = opts.window ?? 16 * batchSize;
  if (!(Number.isInteger(window) && window > 0 && window % batchSize === 0)) {
    throw new SftDataError(
      `window: expected a positive multiple of batchSize (${batchSize}), got ${window}`,
    );
  }
  if (!(Number.isInteger(epoch) && epoch >= 0)) {
    throw new SftDataError(`epoch: expected an integer >= 0, got ${epoch}`);
  }
  const rng = createRng(opts.seed).fork(`epoch-${epoch}`);
  const order = shuffle(
    rng.fork('items'),
    Array.from(lengths, (_, i) => i),
  );
  const batches: number[][] = [];
  for (let w = 0; w < order.length; w += window) {
    // Array.prototype.sort is stable, so equal lengths keep their shuffled order.
    const win = order.slice(w, w + window).sort((a, b) => lengths[a]! - lengths[b]!);
    for (let b = 0; b < win.length; b += batchSize) batches.push(win.slice(b, b + batchSize));
  }
  return shuffle(rng.fork('batches'), batches);
}
