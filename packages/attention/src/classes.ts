// Token classes from character spans: NI from the recorded noise offsets, KMI from the classifier
// run on the clean question and mapped into the noisy one, special for template and zero-width
// tokens, OC for the rest of the question.
import {
  kmiSpans,
  mapSpansToNoisy,
  noiseChunks,
  toNoisyOffset,
  withoutNoise,
  type KmiClassifier,
} from './kmi.js';
import type { AttentionItem, CharSpan, TokenClass } from './types.js';

/** What classifyTokens needs of a tokenizer's encoding of `item.prompt`. */
export interface EncodingOffsets {
  offsets: readonly (readonly [number, number])[];
}

export interface TokenClasses {
  classes: TokenClass[];
  counts: Record<TokenClass, number>;
  /** Token index range [start, end) of the tokens overlapping the question. */
  question: [number, number];
  /** KMI character spans in prompt coordinates. */
  kmi: CharSpan[];
  /** Noise spans in prompt coordinates. */
  noise: CharSpan[];
}

const overlaps = (s: number, e: number, spans: readonly CharSpan[]): boolean =>
  spans.some((x) => x.start < e && s < x.end);

const shift = (spans: readonly CharSpan[], by: number): CharSpan[] =>
  spans.map((s) => ({ start: s.start + by, end: s.end + by }));

function checkItem(item: AttentionItem): void {
  const { prompt, question, questionStart: at } = item;
  if (prompt.slice(at, at + question.length) !== question) {
    throw new RangeError(`item ${item.id}: prompt does not hold question at questionStart ${at}`);
  }
  for (const s of item.noise) {
    if (!(s.start >= 0 && s.start < s.end && s.end <= question.length)) {
      throw new RangeError(
        `item ${item.id}: noise span [${s.start}, ${s.end}) is outside the question (length ${question.length})`,
      );
    }
  }
}

/**
 * The KMI spans of an item's question, offsets into `item.question`. The classifier runs on the
 * question with its noise removed (withoutNoise, as @exp/noise's stripNoise: the original question for insertion records, the
 * rewritten text for rewrites, which record no spans); the spans are then mapped into the noisy
 * question, so noise never gets KMI and clean and noisy items share the same KMI text.
 */
export function itemKmiSpans(item: AttentionItem, classifier: KmiClassifier = 'exp'): CharSpan[] {
  const clean = withoutNoise(item.question, item.noise);
  const spans = kmiSpans(clean, classifier).map(({ start, end }) => ({ start, end }));
  return mapSpansToNoisy(spans, noiseChunks(item.question, item.noise));
}

/**
 * One class per token of `encoding` (of `item.prompt`), by character overlap:
 * - special: zero-width tokens (BOS/EOS) and tokens with no character in the question (template);
 * - NI: tokens overlapping a noise span; then KMI: tokens overlapping a KMI span;
 * - OC: the other tokens overlapping the question.
 * A token that straddles the question's edge (" A" after "Question:") counts as question.
 */
export function classifyTokens(
  item: AttentionItem,
  encoding: EncodingOffsets,
  classifier: KmiClassifier = 'exp',
): TokenClasses {
  checkItem(item);
  const qs = item.questionStart;
  const qe = qs + item.question.length;
  const noise = shift(item.noise, qs);
  const kmi = shift(itemKmiSpans(item, classifier), qs);
  const counts: Record<TokenClass, number> = { KMI: 0, NI: 0, OC: 0, special: 0 };
  let first = -1;
  let last = -1;
  const classes = encoding.offsets.map(([s, e], i): TokenClass => {
    let c: TokenClass;
    if (e <= s || e <= qs || s >= qe) c = 'special';
    else {
      if (first < 0) first = i;
      last = i;
      c = overlaps(s, e, noise) ? 'NI' : overlaps(s, e, kmi) ? 'KMI' : 'OC';
    }
    counts[c]++;
    return c;
  });
  const question: [number, number] = first < 0 ? [0, 0] : [first, last + 1];
  return { classes, counts, question, kmi, noise };
}

/**
 * The noise as token spans [start, end) of `encoding` (of `item.prompt`): the runs of tokens
 * that classifyTokens calls NI (zero-width tokens excluded), in order, one per run. These are the
 * spans of @exp/models' attention knockout (`Knockout.spans` of the item's row): blocking them
 * keeps every query outside the noise from attending to it. [] for clean items.
 */
export function noiseTokenSpans(
  item: AttentionItem,
  encoding: EncodingOffsets,
): [number, number][] {
  checkItem(item);
  const noise = shift(item.noise, item.questionStart);
  const spans: [number, number][] = [];
  encoding.offsets.forEach(([s, e], i) => {
    if (e <= s || !overlaps(s, e, noise)) return;
    const last = spans.at(-1);
    if (last && last[1] === i) last[1] = i + 1;
    else spans.push([i, i + 1]);
  });
  return spans;
}

/** Index of the token holding prompt character `pos`, or -1. */
function tokenAt(offsets: EncodingOffsets['offsets'], pos: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [s, e] = offsets[mid]!;
    if (s > pos) hi = mid - 1;
    else if (e <= pos)
      lo = mid + 1; // zero-width tokens at or before pos go here too
    else return mid;
  }
  return -1;
}

/** One analysed prompt: the item, its encoding and its classes. */
export interface ClassifiedPrompt {
  item: AttentionItem;
  encoding: EncodingOffsets;
  classes: TokenClasses;
}

/**
 * Pairs [clean token, noisy token] of the same KMI text: each clean KMI token's first KMI
 * character is mapped through the noisy item's noise chunks, and the noisy token holding it is
 * its partner when that token is KMI. Both items must be the same problem.
 */
/**
 * Offsets of `a` mapped into `b` when the two differ only in whitespace (an imported benchmark's
 * clean question against its noisy one with the noise removed: "lollypop." vs "lollypop ."), else
 * null. Identical texts map each offset to itself.
 */
export function whitespaceAlignment(a: string, b: string): Int32Array | null {
  const map = new Int32Array(a.length + 1);
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[j]) {
      map[i] = j++;
      continue;
    }
    const ws = /\s/u;
    if (ws.test(a[i]!)) {
      map[i] = j; // whitespace only in a
      continue;
    }
    while (j < b.length && ws.test(b[j]!)) j++; // whitespace only in b
    if (a[i] !== b[j]) return null;
    map[i] = j++;
  }
  while (j < b.length && /\s/u.test(b[j]!)) j++;
  if (j !== b.length) return null;
  map[a.length] = j;
  return map;
}

export function alignKmiTokens(
  clean: ClassifiedPrompt,
  noisy: ClassifiedPrompt,
): [number, number][] {
  const toStripped = whitespaceAlignment(
    clean.item.question,
    withoutNoise(noisy.item.question, noisy.item.noise),
  );
  if (!toStripped) {
    throw new RangeError(
      `items ${clean.item.id} / ${noisy.item.id}: the noisy question without its noise is not the clean question`,
    );
  }
  const chunks = noiseChunks(noisy.item.question, noisy.item.noise);
  const pairs: [number, number][] = [];
  const used = new Set<number>();
  clean.classes.classes.forEach((c, i) => {
    if (c !== 'KMI') return;
    const [s, e] = clean.encoding.offsets[i]!;
    const span = clean.classes.kmi.find((k) => k.start < e && s < k.end)!;
    const firstChar = toStripped[Math.max(s, span.start) - clean.item.questionStart]!;
    const at = toNoisyOffset(firstChar, chunks) + noisy.item.questionStart;
    const j = tokenAt(noisy.encoding.offsets, at);
    if (j >= 0 && noisy.classes.classes[j] === 'KMI' && !used.has(j)) {
      used.add(j);
      pairs.push([i, j]);
    }
  });
  return pairs;
}
