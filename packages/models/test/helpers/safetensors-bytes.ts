// Builds safetensors files byte by byte for tests, including deliberately malformed ones. (The
// package's writer belongs to another module; the reader tests must not depend on it.)
import { writeFileSync } from 'node:fs';

export interface RawEntry {
  name: string;
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A well-formed file: entries packed in order, header padded to 8 bytes. */
export function buildSafetensors(
  entries: RawEntry[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const e of entries) {
    header[e.name] = {
      dtype: e.dtype,
      shape: e.shape,
      data_offsets: [offset, offset + e.data.length],
    };
    offset += e.data.length;
  }
  const data = new Uint8Array(offset);
  offset = 0;
  for (const e of entries) {
    data.set(e.data, offset);
    offset += e.data.length;
  }
  return rawSafetensors(JSON.stringify(header), data);
}

/** Header text (padded with spaces to 8 bytes) + data, with an optional forged length field. */
export function rawSafetensors(
  headerJson: string,
  data: Uint8Array,
  forgedLength?: bigint,
): Uint8Array {
  let text = headerJson;
  while ((8 + Buffer.byteLength(text)) % 8) text += ' ';
  const header = Buffer.from(text, 'utf8');
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, forgedLength ?? BigInt(header.length), true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

export function writeSafetensors(
  file: string,
  entries: RawEntry[],
  metadata?: Record<string, string>,
) {
  writeFileSync(file, buildSafetensors(entries, metadata));
}
