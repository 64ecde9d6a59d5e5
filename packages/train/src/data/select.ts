// Which problems SFT trains on: the first N (the original's choice) or a seeded sample. Any
// Problem[] is accepted, so noisy variants (from @exp/noise) go through the same path.
import { firstN, sampleN, type Problem } from '@exp/data';
import { SftDataError } from './format.js';

export interface SftSelectOptions {
  /** How many; -1 or undefined means all. */
  n?: number;
  /** Given: a seeded sample (`sampleN`, original order kept); absent: the first n. */
  seed?: number | string;
}

/** The training problems; throws on duplicate ids, since batching counts items by id. */
export function selectSftProblems(
  problems: readonly Problem[],
  opts: SftSelectOptions = {},
): Problem[] {
  const seen = new Set<string>();
  for (const p of problems) {
    if (seen.has(p.id)) throw new SftDataError(`selectSftProblems: duplicate problem id '${p.id}'`);
    seen.add(p.id);
  }
  return opts.seed === undefined ? firstN(problems, opts.n) : sampleN(problems, opts.n, opts.seed);
}
