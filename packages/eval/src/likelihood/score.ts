// Teacher-forced scoring of "prompt + ' ' + gold solution" texts: one forward pass per text
// (rows of similar length batched with left padding), reduced to log-probabilities in
// onnxruntime by CausalLM.score (or, as the reference, in JS from forward()'s logits).
import type { CausalLM, HfTokenizer, Knockout } from '@exp/models';
import { TaskError } from '../task/errors.js';
import { logSumExp, teacherForcedLogprobs } from './logprobs.js';
import type { FormatScore } from './record.js';

/** Where the final answer starts in a GSM8K solution: after its last `#### `. */
export const FINAL_MARKER = '#### ';

/** One text to score: the model reads `prompt + ' ' + solution`. */
export interface ScoreText {
  prompt: string;
  /** The gold worked solution, ending in `#### {answer}`. */
  solution: string;
  /** Number strings whose first token's log-probability at the answer position is wanted. */
  numbers?: readonly string[];
  /**
   * Attention knockout: [start, end) character spans of `prompt` (the noise) whose tokens the
   * rest of the text may not attend to (from ScoreOptions.knockoutFromLayer on). A token is
   * knocked out when its character span overlaps one of them, as @exp/attention's
   * noiseTokenSpans places spans. An empty list knocks nothing out.
   */
  knockout?: readonly (readonly [number, number])[];
}

/** A text as token ids and the token ranges the scores cover. */
export interface EncodedText {
  ids: number[];
  /** First solution token: the first whose character span starts at or after the prompt's end. */
  solutionStart: number;
  /** One past the last solution token (template tokens after the text are not scored). */
  solutionEnd: number;
  /** The answer position: the first token that reaches past the last `#### `. */
  finalStart: number;
  /** The final answer as written after `#### `. */
  gold: string;
  /** Token [start, end) spans of ScoreText.knockout (merged runs of overlapping tokens). */
  knockout: [number, number][];
  /** Tokens cut from the left to fit the model's context (0: none). */
  cut: number;
}

/**
 * The text cut from the left to its last `context` tokens, as lm-eval's loglikelihood requests
 * are (the positions move, the solution stays whole); one that needs no cut is returned as is.
 * A solution that leaves no prompt token in the context is an error.
 */
export function fitContext(e: EncodedText, context: number | null): EncodedText {
  if (context === null || e.ids.length <= context) return e;
  const cut = e.ids.length - context;
  if (e.solutionStart - cut < 1) {
    throw new TaskError(
      `likelihood: a solution takes ${e.solutionEnd - e.solutionStart} tokens, leaving no room for its prompt in the model's context of ${context} positions`,
    );
  }
  return {
    ...e,
    ids: e.ids.slice(cut),
    solutionStart: e.solutionStart - cut,
    solutionEnd: e.solutionEnd - cut,
    finalStart: e.finalStart - cut,
    knockout: e.knockout
      .map(([a, b]): [number, number] => [Math.max(a - cut, 0), b - cut])
      .filter(([a, b]) => b > a),
    cut,
  };
}

/** Whether a problem's answer is a worked solution ending in `#### {answer}` (one to score). */
export function hasWorkedSolution(answer: string): boolean {
  const hash = answer.lastIndexOf(FINAL_MARKER);
  return hash >= 0 && answer.slice(hash + FINAL_MARKER.length).trim() !== '';
}

/** The tokens whose character span overlaps one of `spans`, as [start, end) runs. */
export function tokenSpans(
  offsets: readonly (readonly [number, number])[],
  spans: readonly (readonly [number, number])[],
): [number, number][] {
  const out: [number, number][] = [];
  offsets.forEach(([s, e], i) => {
    if (e <= s || !spans.some(([a, b]) => a < e && s < b)) return;
    const last = out.at(-1);
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  });
  return out;
}

/**
 * Tokenises `prompt + ' ' + solution` as SFT does (@exp/train's encodeSftExample: BOS where the
 * tokenizer adds it, the solution boundary by character offset, so BPE merges across the join
 * do not move it), without the EOS SFT appends: the score is the solution's text.
 */
export function encodeScoreText(tok: HfTokenizer, t: ScoreText): EncodedText {
  const hash = t.solution.lastIndexOf(FINAL_MARKER);
  const gold = hash < 0 ? '' : t.solution.slice(hash + FINAL_MARKER.length).trim();
  if (gold === '') {
    throw new TaskError(
      `likelihood: the gold solution has no final answer after '${FINAL_MARKER}': ${JSON.stringify(t.solution.slice(-60))}`,
    );
  }
  const text = `${t.prompt} ${t.solution}`;
  const enc = tok.encode(text);
  const finalChar = t.prompt.length + 1 + hash + FINAL_MARKER.length;
  const solutionStart = enc.offsets.findIndex(
    ([start, end]) => start >= t.prompt.length && end > start,
  );
  const finalStart = enc.offsets.findIndex(([, end]) => end > finalChar);
  let solutionEnd = enc.ids.length;
  while (solutionEnd > 0 && enc.offsets[solutionEnd - 1]![1] === enc.offsets[solutionEnd - 1]![0]) {
    solutionEnd--;
  }
  if (solutionStart < 1 || finalStart < solutionStart || finalStart >= solutionEnd) {
    throw new TaskError(
      `likelihood: cannot place the solution's tokens in ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
  const spans = t.knockout ?? [];
  if (spans.some(([a, b]) => !(0 <= a && a < b && b <= t.prompt.length))) {
    throw new TaskError(
      `likelihood: a knockout span lies outside the prompt (${t.prompt.length} characters): ${JSON.stringify(spans)}`,
    );
  }
  return {
    ids: enc.ids,
    solutionStart,
    solutionEnd,
    finalStart,
    gold,
    knockout: tokenSpans(enc.offsets, spans),
    cut: 0,
  };
}

/** The first token of `number` written on its own (the continuation after `#### `). */
export function firstTokenOf(tok: HfTokenizer, number: string): number {
  const id = tok.encode(number, { addSpecialTokens: false }).ids[0];
  if (id === undefined)
    throw new TaskError(`likelihood: ${JSON.stringify(number)} encodes to no token`);
  return id;
}

/** Default token budget of one forward batch (rows x padded length): ~0.5 GB of logits at 128,256. */
export const DEFAULT_BATCH_TOKENS = 1024;

export interface ScoreOptions {
  /** At most this many tokens (rows x longest row) per forward pass; a longer text runs alone. */
  batchTokens?: number;
  /**
   * Where the logits are reduced: 'onnx' (default) runs CausalLM.score, whose graph reduces
   * them and runs the LM head on the solution positions only; 'js' is the earlier path, kept as
   * the reference: forward() ships [B, S, V] logits to JS, reduced in float64.
   */
  reduce?: 'onnx' | 'js';
  /**
   * With it, every forward pass carries the texts' knockout spans (ScoreText.knockout), applied
   * from this layer on (0: every layer); the model needs an export with the knockout inputs.
   */
  knockoutFromLayer?: number;
}

/** One row's reduction: the solution tokens' log-probabilities, and log p(id) at the answer. */
interface RowLogprobs {
  lps: Float64Array;
  /** log p of the answer position's id in this slot of Batch.answerIds. */
  answer: (slot: number) => number;
}

/** The rows of one batch, left-padded to `seq`. */
interface Batch {
  rows: EncodedText[];
  seq: number;
  /** Per row, the ids scored at its answer position: the gold's first token, then `wanted`. */
  answerIds: number[][];
  /** First knocked-out layer; undefined: no knockout input. */
  knockoutFromLayer?: number;
}

const padOf = (b: Batch, e: EncodedText) => b.seq - e.ids.length;
const paddedIds = (b: Batch) =>
  b.rows.map((e) => [...new Array<number>(padOf(b, e)).fill(e.ids[0]!), ...e.ids]);
const paddedMask = (b: Batch) =>
  b.rows.map((e) => [...new Array<number>(padOf(b, e)).fill(0), ...e.ids.map(() => 1)]);
/** The rows' knockout spans as columns of the padded batch. */
const paddedKnockout = (b: Batch): Knockout | undefined =>
  b.knockoutFromLayer === undefined
    ? undefined
    : {
        fromLayer: b.knockoutFromLayer,
        spans: b.rows.map((e) =>
          e.knockout.map(([s, t]) => [s + padOf(b, e), t + padOf(b, e)] as const),
        ),
      };

/** forward() and a float64 log-sum-exp per position in JS (the reference path). */
async function reduceInJs(lm: CausalLM, b: Batch): Promise<RowLogprobs[]> {
  const knockout = paddedKnockout(b);
  const { logits } = await lm.forward({
    inputIds: paddedIds(b),
    attentionMask: paddedMask(b),
    ...(knockout ? { knockout } : {}),
  });
  const vocab = lm.config.vocabSize;
  return b.rows.map((e, r) => {
    const p = padOf(b, e);
    const ids = [...new Array<number>(p).fill(0), ...e.ids];
    const offset = r * b.seq * vocab;
    const lps = teacherForcedLogprobs(
      logits.data,
      offset,
      vocab,
      ids,
      p + e.solutionStart,
      p + e.solutionEnd,
    );
    const answerAt = offset + (p + e.finalStart - 1) * vocab;
    const lse = logSumExp(logits.data, answerAt, vocab);
    return { lps, answer: (slot) => logits.data[answerAt + b.answerIds[r]![slot]!]! - lse };
  });
}

/** CausalLM.score: reduced in onnxruntime, the LM head run on the solution positions only. */
async function reduceInOnnx(lm: CausalLM, b: Batch): Promise<RowLogprobs[]> {
  const targets = b.rows.map((e) => {
    const p = padOf(b, e);
    const row = new Array<number>(b.seq).fill(-1);
    // position t - 1 predicts the token at t
    for (let t = e.solutionStart; t < e.solutionEnd; t++) row[p + t - 1] = e.ids[t]!;
    return row;
  });
  const extraIds = b.rows.map((e, r) => ({
    row: r,
    position: padOf(b, e) + e.finalStart - 1,
    ids: b.answerIds[r]!,
  }));
  const knockout = paddedKnockout(b);
  const out = await lm.score({
    inputIds: paddedIds(b),
    attentionMask: paddedMask(b),
    targets,
    extraIds,
    ...(knockout ? { knockout } : {}),
  });
  return b.rows.map((e, r) => {
    const from = r * b.seq + padOf(b, e) + e.solutionStart - 1;
    const lps = Float64Array.from(
      out.targetLogprobs.data.subarray(from, from + e.solutionEnd - e.solutionStart),
    );
    return { lps, answer: (slot) => out.extraLogprobs[r]![slot]! };
  });
}

function sum(xs: Float64Array, from = 0): number {
  let s = 0;
  for (let i = from; i < xs.length; i++) s += xs[i]!;
  return s;
}

/**
 * Scores texts in order of length, batched by `batchTokens`: per text, the summed and mean
 * log-probability of the solution tokens, of the final answer tokens, and of each number's first
 * token at the answer position. Returns the scores in input order and each text's share of
 * forward time in ms.
 */
export async function scoreTexts(
  lm: CausalLM,
  tok: HfTokenizer,
  texts: readonly ScoreText[],
  opts: ScoreOptions = {},
): Promise<{ scores: FormatScore[]; golds: string[]; ms: number[] }> {
  const budget = opts.batchTokens ?? DEFAULT_BATCH_TOKENS;
  const context = lm.config.maxPositionEmbeddings;
  const encoded = texts.map((t) => fitContext(encodeScoreText(tok, t), context));
  const wanted = texts.map((t) => (t.numbers ?? []).map((n) => [n, firstTokenOf(tok, n)] as const));
  const order = encoded
    .map((_, i) => i)
    .sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length || a - b);
  const scores = new Array<FormatScore>(texts.length);
  const ms = new Array<number>(texts.length).fill(0);
  const reduce = opts.reduce === 'js' ? reduceInJs : reduceInOnnx;
  for (let at = 0; at < order.length;) {
    // Longest row last in length order: a batch grows while rows x its length fit the budget.
    let end = at + 1;
    while (end < order.length && (end + 1 - at) * encoded[order[end]!]!.ids.length <= budget) end++;
    const rows = order.slice(at, end);
    const batch: Batch = {
      rows: rows.map((i) => encoded[i]!),
      seq: encoded[rows.at(-1)!]!.ids.length,
      answerIds: rows.map((i) => [
        encoded[i]!.ids[encoded[i]!.finalStart]!,
        ...wanted[i]!.map(([, id]) => id),
      ]),
      knockoutFromLayer: opts.knockoutFromLayer,
    };
    const t0 = performance.now();
    const reduced = await reduce(lm, batch);
    rows.forEach((i, r) => {
      const e = encoded[i]!;
      const { lps, answer } = reduced[r]!;
      const total = sum(lps);
      const n = e.solutionEnd - e.solutionStart;
      const numbers: FormatScore['numbers'] = {};
      numbers[e.gold] = [batch.answerIds[r]![0]!, answer(0)];
      wanted[i]!.forEach(([number, id], j) => (numbers[number] ??= [id, answer(j + 1)]));
      scores[i] = {
        prompt_tokens: e.solutionStart,
        solution_tokens: n,
        sum: total,
        mean: total / n,
        final_tokens: e.solutionEnd - e.finalStart,
        final_sum: sum(lps, e.finalStart - e.solutionStart),
        numbers,
        ...(e.cut > 0 ? { truncated_tokens: e.cut } : {}),
      };
    });
    const share = (performance.now() - t0) / rows.length;
    for (const i of rows) ms[i] = share;
    at = end;
  }
  return { scores, golds: encoded.map((e) => e.gold), ms };
}
