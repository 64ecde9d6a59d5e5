// GPT-2 byte-level alphabet: every byte 0..255 is written as one printable code point, so a
// byte-level BPE token string maps back to the exact bytes it stands for. Llama-3 uses this
// table unchanged (it is `bytes_to_unicode` of openai/gpt-2 `encoder.py`).

/** byte -> the code point that represents it in token strings. */
export const BYTE_TO_UNICODE: readonly string[] = (() => {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array(256);
  for (const b of printable) table[b] = String.fromCharCode(b);
  // Bytes outside the printable ranges are shifted above 255, in byte order.
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  }
  return table;
})();

const UNICODE_TO_BYTE: ReadonlyMap<string, number> = new Map(
  BYTE_TO_UNICODE.map((ch, byte) => [ch, byte]),
);

/**
 * The bytes a byte-level token string stands for, or `undefined` when the string holds a code
 * point outside the alphabet (then it is not a byte-level token, e.g. an added token).
 */
export function byteLevelTokenBytes(token: string): Uint8Array | undefined {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const byte = UNICODE_TO_BYTE.get(token[i]!);
    if (byte === undefined) return undefined;
    out[i] = byte;
  }
  return out;
}
