// Teacher-forced scoring of "prompt + ' ' + gold solution" texts: one forward pass per text
// (rows of similar length batched with left padding), reduced position by position.
import type { CausalLM, HfTokenizer } from '@exp/models';
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
  return { ids: enc.ids, solutionStart, solutionEnd, finalStart, gold };
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
  const encoded = texts.map((t) => encodeScoreText(tok, t));
  const context = lm.config.maxPositionEmbeddings;
  const long = context === null ? -1 : encoded.findIndex((e) => e.ids.length > context);
  if (long >= 0) {
    throw new TaskError(
      `likelihood: a prompt and its solution take ${encoded[long]!.ids.length} tokens, more than the model's context of ${context} positions`,
    );
  }
  const wanted = texts.map((t) => (t.numbers ?? []).map((n) => [n, firstTokenOf(tok, n)] as const));
  const order = encoded
    .map((_, i) => i)
    .sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length || a - b);
  const scores = new Array<FormatScore>(texts.length);
  const ms = new Array<number>(texts.length).fill(0);
  const vocab = lm.config.vocabSize;
  for (let at = 0; at < order.length;) {
    // Longest row last in length order: a batch grows while rows x its length fit the budget.
    let end = at + 1;
    while (end < order.length && (end + 1 - at) * encoded[order[end]!]!.ids.length <= budget) end++;
    const rows = order.slice(at, end);
    const seq = encoded[rows.at(-1)!]!.ids.length;
    const pad = (i: number) => seq - encoded[i]!.ids.length;
    const t0 = performance.now();
    const { logits } = await lm.forward({
      inputIds: rows.map((i) => [
        ...new Array<number>(pad(i)).fill(encoded[i]!.ids[0]!),
        ...encoded[i]!.ids,
      ]),
      attentionMask: rows.map((i) => [
        ...new Array<number>(pad(i)).fill(0),
        ...encoded[i]!.ids.map(() => 1),
      ]),
    });
    rows.forEach((i, r) => {
      const e = encoded[i]!;
      const p = pad(i);
      const ids = [...new Array<number>(p).fill(0), ...e.ids];
      const offset = r * seq * vocab;
      const lps = teacherForcedLogprobs(
        logits.data,
        offset,
        vocab,
        ids,
        p + e.solutionStart,
        p + e.solutionEnd,
      );
      const total = sum(lps);
      const n = e.solutionEnd - e.solutionStart;
      const answerAt = offset + (p + e.finalStart - 1) * vocab;
      const lse = logSumExp(logits.data, answerAt, vocab);
      const numbers: FormatScore['numbers'] = {};
      const goldId = e.ids[e.finalStart]!;
      numbers[e.gold] = [goldId, logits.data[answerAt + goldId]! - lse];
      for (const [number, id] of wanted[i]!) {
        numbers[number] ??= [id, logits.data[answerAt + id]! - lse];
      }
      scores[i] = {
        prompt_tokens: e.solutionStart,
        solution_tokens: n,
        sum: total,
        mean: total / n,
        final_tokens: e.solutionEnd - e.finalStart,
        final_sum: sum(lps, e.finalStart - e.solutionStart),
        numbers,
      };
    });
    const share = (performance.now() - t0) / rows.length;
    for (const i of rows) ms[i] = share;
    at = end;
  }
  return { scores, golds: encoded.map((e) => e.gold), ms };
}
