// The decoding loop behind generate() and generateStream(): keeps up to `batchSize` rows busy;
// a row that stops leaves its slot to the next prompt, prefilled (packed with the other prompts
// joining in that step, right-padded: bitwise as alone) before it joins the next step. Each row is processed with its own history, its
// prompt's generator and the stopping rules, so its tokens do not depend on its neighbours.
import type { StepDecoder, StepOutput, Want } from '../runtime/step-decoder.js';
import type { ResolvedGeneration } from './options.js';
import { argmax, sample } from './sampling.js';
import { StopStringCriteria, checkStop, type FinishReason } from './stopping-criteria.js';

export interface GenerationResult {
  /** New tokens of the prompt (the stop token included when it stopped on one). */
  tokens: number[];
  finishReason: FinishReason;
  /** Name of the criterion that stopped it: 'eos' | 'max_new_tokens' | 'stop_string' | 'aborted' | a user's. */
  stoppedBy: string;
  /** The matched stop string when stoppedBy is 'stop_string'. */
  stopString?: string;
}

export interface Finished {
  /** Position of the prompt in the caller's list. */
  index: number;
  result: GenerationResult;
}

/** Per step: the token each running row chose (`done`: it stopped on it). */
export type StepReport = (step: number, chosen: readonly ChosenToken[]) => void;
export interface ChosenToken {
  index: number;
  token: number;
  done: boolean;
}

export interface ScheduleOptions {
  batchSize: number;
  /** Prompt indices in the order they take free slots. */
  order: readonly number[];
  /**
   * Free rows are refilled once at least this many are free (or no row runs, or fewer prompts
   * are left): the joining prompts then share one packed prefill, fewer calls for a few steps of
   * idle rows. Results do not depend on it. Default 1.
   */
  prefillGroup?: number;
  onStep?: StepReport;
  onProgress?: (p: { generatedTokens: number; finished: number; total: number }) => void;
}

interface Row {
  index: number;
  history: number[];
  generated: number[];
  /** The distinct ids of history, in first-seen order (kept for the penalised argmax only). */
  seen: Set<number>;
  seenIds: number[];
}

/**
 * The repetition penalty when greedy decoding needs nothing else from the scores (the only
 * processor, no sampling, no onStepLogits): the decoder can then apply it in its graph and return
 * the argmax alone. Null otherwise.
 */
function graphPenalty(g: ResolvedGeneration): number | null {
  const [only, ...rest] = g.processors.processors;
  if (g.doSample || g.onStepLogits || rest.length) return null;
  return only?.repetitionPenalty ?? null;
}

function see(row: Row, id: number): void {
  if (row.seen.has(id)) return;
  row.seen.add(id);
  row.seenIds.push(id);
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

/** Padded tokens one packed prefill may hold (bounds its activations; one prompt always fits). */
export const MAX_PACKED_PREFILL_TOKENS = 4096;

/** How many of the next pending prompts (at most `free`) one packed prefill takes. */
function packFits(
  free: number,
  pending: readonly number[],
  prompts: readonly (readonly number[])[],
): number {
  let longest = 0;
  let n = 0;
  while (n < free && n < pending.length) {
    const l = Math.max(longest, prompts[pending[n]!]!.length);
    if (n > 0 && (n + 1) * l > MAX_PACKED_PREFILL_TOKENS) break;
    longest = l;
    n++;
  }
  return n;
}

export async function* schedule(
  decoder: StepDecoder,
  prompts: readonly (readonly number[])[],
  g: ResolvedGeneration,
  vocabSize: number,
  opts: ScheduleOptions,
): AsyncGenerator<Finished> {
  validatePrompts(prompts, vocabSize);
  // plain greedy needs no scores in JS: let the decoder return the argmax if it can
  // and greedy with only the repetition penalty: the argmax after the penalty, in the graph
  const plain = g.doSample || g.processors.length > 0 || g.onStepLogits ? 'logits' : 'argmax';
  const penalty = decoder.hasPenalizedArgmax ? graphPenalty(g) : null;
  const want = (ids: () => number[][]): Want =>
    penalty === null ? plain : { penalty, ids: ids() };
  const pending = [...opts.order];
  let slots: (Row | null)[] = new Array<Row | null>(Math.min(opts.batchSize, pending.length));
  slots.fill(null);
  let generatedTokens = 0;
  let finishedRows = 0;
  const done: Finished[] = [];
  let chosen: ChosenToken[] = [];

  /** Picks row's next token from output row r; true when the row stopped on it. */
  const advance = (row: Row, out: StepOutput, r: number): boolean => {
    let token: number;
    if (out.argmax) token = out.argmax[r]!;
    else {
      const scores = out.logits.subarray(r * vocabSize, (r + 1) * vocabSize);
      g.onStepLogits?.(row.index, row.generated.length, scores);
      g.processors.process(row.history, scores);
      token = g.doSample ? sample(scores, g.rngs[row.index]!) : argmax(scores);
    }
    row.history.push(token);
    row.generated.push(token);
    if (penalty !== null) see(row, token);
    generatedTokens++;
    const by = checkStop(g.criteria, row.generated, row.index);
    chosen.push({ index: row.index, token, done: by !== null });
    if (!by) return false;
    const result: GenerationResult = {
      tokens: row.generated,
      finishReason: by.reason,
      stoppedBy: by.name,
    };
    if (by instanceof StopStringCriteria) result.stopString = by.match(row.generated)!;
    done.push({ index: row.index, result });
    finishedRows++;
    return true;
  };

  const knockout = g.knockout ?? null;
  if (knockout && !decoder.hasKnockout) {
    throw new Error(
      `generate: knockout needs a decoder with knockout inputs (the ${decoder.path} decoder has none: ` +
        'load the model with { knockout: true }, or export model.onnx with knockout for the present path)',
    );
  }
  decoder.begin(slots.length, knockout?.fromLayer ?? 0);
  try {
    for (let step = 0; ; step++) {
      chosen = [];
      if (step > 0) {
        const out = await decoder.step(
          slots.map((row) => row?.generated.at(-1) ?? 0),
          want(() => slots.map((row) => row?.seenIds ?? [])),
        );
        slots.forEach((row, s) => {
          if (row && advance(row, out, s)) {
            decoder.free(s);
            slots[s] = null;
          }
        });
      }
      // free slots take the next prompts, prefilled together (packed, bitwise as if alone); one
      // that stops on its first token frees its slot again for the next round
      const group = opts.prefillGroup ?? 1;
      for (;;) {
        const free = slots.flatMap((r, s) => (r ? [] : [s]));
        if (!free.length || !pending.length || g.signal?.aborted) break;
        const running = slots.length - free.length;
        if (running > 0 && free.length < Math.min(group, pending.length)) break;
        const take = packFits(free.length, pending, prompts);
        const indices = pending.splice(0, take);
        const rows = indices.map((index): Row => {
          const row: Row = {
            index,
            history: [...prompts[index]!],
            generated: [],
            seen: new Set(),
            seenIds: [],
          };
          if (penalty !== null) for (const id of row.history) see(row, id);
          return row;
        });
        const at = free.slice(0, take);
        const out = await decoder.prefillMany(
          at,
          indices.map((i) => prompts[i]!),
          want(() => rows.map((r) => r.seenIds)),
          knockout ? indices.map((i) => knockout.blocked[i]) : undefined,
        );
        rows.forEach((row, r) => {
          if (!advance(row, out, r)) slots[at[r]!] = row;
          else decoder.free(at[r]!);
        });
      }
      opts.onStep?.(step, chosen);
      opts.onProgress?.({ generatedTokens, finished: finishedRows, total: prompts.length });
      yield* done.splice(0);
      const running = slots.filter((r): r is Row => r !== null);
      if (!running.length && (!pending.length || g.signal?.aborted)) break;
      if (g.signal?.aborted) {
        for (const row of running) {
          const result = { tokens: row.generated, finishReason: 'aborted', stoppedBy: 'aborted' };
          yield { index: row.index, result } as Finished;
        }
        break;
      }
      // nothing left to join: drop the empty rows so that steps stop computing them
      if (!pending.length && running.length < slots.length) {
        const keep = slots.flatMap((r, s) => (r ? [s] : []));
        decoder.keep(keep);
        slots = running;
      }
    }
  } finally {
    decoder.reset();
  }
}
