// Exact UTF-16 character offsets for tokens. @huggingface/tokenizers returns token strings but no
// offsets, so they are rebuilt here.
//
// Convention, transformers' (its fast tokenizers' `return_offsets_mapping`, in UTF-16 code units
// instead of Python's code points): a token spans every character it holds a byte of, whole.
// Where byte-level BPE splits a multi-byte UTF-8 character (" ÷" -> "ĠÃ" + "·"), each token
// holding part of it spans the whole character, so those tokens overlap on it ([2,4] and [3,4]
// in "12 ÷ 3"). Spans stay sorted by start and by end; everywhere else they are contiguous. The
// prefix-decoding path (SentencePiece byte fallback) gives each byte token of a character the
// whole character too, as the tokenizers library does.

/** [start, end) in UTF-16 code units of the input string. */
export type Span = [number, number];

/** How an added (special or user-added) token matched the raw text. */
export interface AddedTokenMatch {
  /** Whitespace before the token was stripped from the preceding text. */
  lstrip: boolean;
  /** Whitespace after the token was stripped from the following text. */
  rstrip: boolean;
}

/** The UTF-8 bytes of `text` with maps between byte and UTF-16 positions. */
export interface Utf8Index {
  bytes: Uint8Array;
  /** byte index -> UTF-16 index of the start of the character holding it; [bytes.length] = text.length. */
  byteToUtf16: Int32Array;
  /** byte index -> UTF-16 index just after the character holding it. */
  byteToUtf16End: Int32Array;
  /** UTF-16 index (at a character start) -> byte index; [text.length] = bytes.length. */
  utf16ToByte: Int32Array;
}

export function utf8Index(text: string): Utf8Index {
  const bytes = new TextEncoder().encode(text);
  const byteToUtf16 = new Int32Array(bytes.length + 1);
  const byteToUtf16End = new Int32Array(bytes.length);
  const utf16ToByte = new Int32Array(text.length + 1);
  let b = 0;
  for (let u = 0; u < text.length;) {
    const cp = text.codePointAt(u)!;
    // A lone surrogate is encoded as U+FFFD (3 bytes) by TextEncoder, like any BMP code point.
    const units = cp > 0xffff ? 2 : 1;
    const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < len; k++) {
      byteToUtf16[b + k] = u;
      byteToUtf16End[b + k] = u + units;
    }
    for (let k = 0; k < units; k++) utf16ToByte[u + k] = b;
    b += len;
    u += units;
  }
  byteToUtf16[bytes.length] = text.length;
  utf16ToByte[text.length] = bytes.length;
  return { bytes, byteToUtf16, byteToUtf16End, utf16ToByte };
}

const WHITESPACE = /\s/;

/**
 * Offsets for byte-level BPE tokens (GPT-2 / Llama-3): each token's bytes must continue the
 * input's UTF-8 at the current position, added tokens must appear literally (after whitespace
 * their `lstrip` removed). Returns `undefined` when the tokens do not line up with the raw text
 * (a normalizer or prefix space changed it); the caller then falls back to prefix decoding.
 */
export function byteLevelOffsets(
  text: string,
  tokens: readonly string[],
  addedTokens: ReadonlyMap<string, AddedTokenMatch>,
  tokenBytes: (token: string) => Uint8Array | undefined,
): Span[] | undefined {
  const { bytes, byteToUtf16, byteToUtf16End, utf16ToByte } = utf8Index(text);
  const spans: Span[] = [];
  let pos = 0;
  for (const token of tokens) {
    const added = addedTokens.get(token);
    if (added) {
      const start = byteToUtf16[pos]!;
      if (utf16ToByte[start] !== pos) return undefined; // previous token ended inside a character
      let at = start;
      while (at < text.length && !text.startsWith(token, at) && WHITESPACE.test(text[at]!)) at++;
      if (!text.startsWith(token, at) || (at > start && !added.lstrip)) return undefined;
      let end = at + token.length;
      // The library trimStart()s the text after an rstrip token: that whitespace is this token's.
      if (added.rstrip) while (end < text.length && WHITESPACE.test(text[end]!)) end++;
      spans.push([start, end]);
      pos = utf16ToByte[end]!;
      continue;
    }
    const tb = tokenBytes(token);
    if (!tb || tb.length === 0 || pos + tb.length > bytes.length) return undefined;
    for (let k = 0; k < tb.length; k++) if (bytes[pos + k] !== tb[k]) return undefined;
    // From the start of the character holding the first byte to the end of the one holding the
    // last: a character split between tokens is in each of their spans (transformers' offsets).
    spans.push([byteToUtf16[pos]!, byteToUtf16End[pos + tb.length - 1]!]);
    pos += tb.length;
  }
  return pos === bytes.length ? spans : undefined;
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Never end between the two halves of a surrogate pair.
  if (i > 0 && i < b.length && /[\uD800-\uDBFF]/.test(b[i - 1]!)) i--;
  return i;
}

/**
 * Offsets by decoding growing prefixes of `ids` (SentencePiece-style tokenizers, or any
 * tokenizer whose tokens do not map to raw bytes): token i ends where the decoded prefix
 * 0..i stops agreeing with the text. A token that leaves a character incomplete (the prefix
 * decodes to U+FFFD where the text has that character: a byte-fallback token) spans that whole
 * character, as in transformers. Exact whenever decoding reproduces the text; where a
 * normalizer changed the text the spans still stay sorted but may stop short of covering it.
 * Costs O(n^2) token decodes, fine for prompt-sized texts.
 */
export function prefixDecodeOffsets(
  text: string,
  ids: readonly number[],
  decodePrefix: (ids: number[]) => string,
): Span[] {
  const spans: Span[] = [];
  let prev = 0;
  for (let i = 0; i < ids.length; i++) {
    const decoded = decodePrefix(ids.slice(0, i + 1));
    const end = Math.max(prev, commonPrefixLength(decoded, text));
    const incomplete = end < text.length && decoded[end] === '\uFFFD' && text[end] !== '\uFFFD';
    spans.push([prev, incomplete ? end + (text.codePointAt(end)! > 0xffff ? 2 : 1) : end]);
    // The next token starts at the incomplete character, which it continues.
    prev = end;
  }
  return spans;
}
