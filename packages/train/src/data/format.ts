// SFT text formats (templates as data) and the tokenisation of one problem into input ids and
// labels. A format is a prompt and a completion; the loss boundary is the character where they
// join, so it never depends on re-tokenising the prompt alone (BPE merges across the join).
import { ExpError } from '@exp/data';
import type { Problem } from '@exp/data';
import type { HfTokenizer } from '@exp/models';
import { IGNORE_INDEX } from '../loss.js';

/** One SFT text format: the model sees `prompt(p) + completion(p)` then the EOS id. */
export interface SftFormat {
  readonly name: string;
  readonly description: string;
  readonly prompt: (p: Problem) => string;
  /** Starts with the separator (" "), so the prompt equals the evaluation prompt of that name. */
  readonly completion: (p: Problem) => string;
}

/**
 * The named formats. `sft` is the original project's `Question: {q}\n\nAnswer: {solution}<eos>`;
 * `qa` trains on the evaluation prompt `Question: {q}\nAnswer:` (fixes the original's mismatch
 * between training and evaluation prompts). Names match @exp/eval's prompt templates.
 */
export const SFT_FORMATS = {
  sft: {
    name: 'sft',
    description: "Question: {q}\\n\\nAnswer: {solution}<eos> (the original project's format)",
    prompt: (p) => `Question: ${p.question}\n\nAnswer:`,
    completion: (p) => ` ${p.answer}`,
  },
  qa: {
    name: 'qa',
    description: 'Question: {q}\\nAnswer: {solution}<eos> (the qa evaluation prompt)',
    prompt: (p) => `Question: ${p.question}\nAnswer:`,
    completion: (p) => ` ${p.answer}`,
  },
} as const satisfies Record<string, SftFormat>;
export type SftFormatName = keyof typeof SFT_FORMATS;

/** Which tokens carry loss: the completion only, or every token (the original's choice). */
export type LossOn = 'completion' | 'all';

export interface SftEncodeOptions {
  /** A format name or a custom format; default 'sft'. */
  format?: SftFormatName | SftFormat;
  /** Default 'completion': prompt tokens get label -100. */
  lossOn?: LossOn;
  /** Keep at most this many tokens (the start); longer items are truncated and counted. */
  maxLength?: number;
}

/** One tokenised item. `labels[i]` is `inputIds[i]` or -100; the loss shifts them itself. */
export interface SftExample {
  id: string;
  inputIds: number[];
  labels: number[];
  /** Index of the first completion token (= number of prompt tokens, BOS included). */
  completionStart: number;
  /** Whether maxLength cut tokens off (the EOS among them). */
  truncated: boolean;
}

/** The result of encoding a list: examples in input order, and how many were truncated. */
export interface SftEncoded {
  examples: SftExample[];
  truncated: number;
}

export class SftDataError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'SftDataError';
  }
}

export function resolveSftFormat(format: SftFormatName | SftFormat = 'sft'): SftFormat {
  if (typeof format !== 'string') return format;
  const f = (SFT_FORMATS as Record<string, SftFormat>)[format];
  if (!f) {
    throw new SftDataError(
      `unknown SFT format '${format}' (known: ${Object.keys(SFT_FORMATS).join(', ')})`,
    );
  }
  return f;
}

/** The id appended after each completion: the tokenizer's eos token, else its first eos id. */
export function sftEosId(tok: HfTokenizer): number {
  const id = tok.specials.eos?.id ?? [...tok.eosTokenIds][0];
  if (id === undefined) throw new SftDataError(`${tok.dir}: the tokenizer names no eos token`);
  return id;
}

/** The id padding uses: the tokenizer's pad id (which falls back to eos); masked anyway. */
export function sftPadId(tok: HfTokenizer): number {
  return tok.padTokenId ?? sftEosId(tok);
}

/**
 * Tokenises one problem: BOS only if the tokenizer adds it, EOS appended as an id. The first
 * completion token is the first whose character span starts at or after the prompt's end.
 */
export function encodeSftExample(
  tok: HfTokenizer,
  problem: Problem,
  opts: SftEncodeOptions = {},
): SftExample {
  const format = resolveSftFormat(opts.format);
  const lossOn = opts.lossOn ?? 'completion';
  if (lossOn !== 'completion' && lossOn !== 'all') {
    throw new SftDataError(`lossOn: expected 'completion' or 'all', got ${String(lossOn)}`);
  }
  const max = opts.maxLength;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
    throw new SftDataError(`maxLength: expected a positive integer, got ${max}`);
  }
  const prompt = format.prompt(problem);
  const text = prompt + format.completion(problem);
  const enc = tok.encode(text, { addSpecialTokens: true });
  const eos = sftEosId(tok);
  const ids = [...enc.ids];
  // A template that already ends in EOS (zero-width at the end) must not get a second one.
  const last = enc.offsets.at(-1);
  if (!(ids.at(-1) === eos && last && last[0] === text.length && last[1] === text.length)) {
    ids.push(eos);
  }
  const found = enc.offsets.findIndex(([start]) => start >= prompt.length);
  const completionStart = found === -1 ? enc.ids.length : found;
  const labels = ids.map((id, i) => (lossOn === 'all' || i >= completionStart ? id : IGNORE_INDEX));
  const truncated = max !== undefined && ids.length > max;
  return {
    id: problem.id,
    inputIds: truncated ? ids.slice(0, max) : ids,
    labels: truncated ? labels.slice(0, max) : labels,
    completionStart,
    truncated,
  };
}

/** Encodes every problem (input order kept) and counts the truncated ones. */
export function encodeSftDataset(
  tok: HfTokenizer,
  problems: readonly Problem[],
  opts: SftEncodeOptions = {},
): SftEncoded {
  const examples = problems.map((p) => encodeSftExample(tok, p, opts));
  return { examples, truncated: examples.filter((e) => e.truncated).length };
}
