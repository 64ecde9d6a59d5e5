// Safetensors writer, hand-written for the same reason as the reader: the format is tiny and we
// need streaming (a tensor may arrive in chunks, so a 500 MB embedding never sits in one buffer)
// and byte-for-byte the layout Hugging Face writes: u64 little-endian header length, compact
// JSON header (`__metadata__` first, tensors sorted by name, data offsets in that order), padded
// with spaces to an 8-byte boundary, then the raw little-endian data.
import { open, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import { f32ToBf16, f32ToF16 } from './half.js';
import { SafetensorsError } from './read.js';

export type WritableDtype = 'F32' | 'F16' | 'BF16' | 'I64';

/**
 * Values of one tensor (or one chunk of it), in row-major order: F32 -> Float32Array;
 * F16 / BF16 -> Uint16Array of raw bits, or Float32Array (rounded to nearest even here);
 * I64 -> BigInt64Array.
 */
export type TensorValues = Float32Array | Uint16Array | BigInt64Array;

export interface TensorToWrite {
  name: string;
  dtype: WritableDtype;
  shape: readonly number[];
  /** All values at once, or a function yielding them chunk by chunk (streamed to the file). */
  data: TensorValues | (() => Iterable<TensorValues>);
}

export interface WriteSafetensorsResult {
  /** Size of the whole file. */
  bytes: number;
  /** Length of the JSON header including its padding (the u64 at the start of the file). */
  headerBytes: number;
}

const BYTES: Record<WritableDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8 };

type Handle = Awaited<ReturnType<typeof open>>;

/** FileHandle.write may write less than asked; loop until every byte is out. */
async function writeAll(fh: Handle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

function checkTensor(file: string, t: TensorToWrite): number {
  const where = `${file}: tensor ${JSON.stringify(t.name)}`;
  if (!t.name || t.name === '__metadata__') throw new SafetensorsError(`${where}: invalid name`);
  if (!(t.dtype in BYTES)) {
    throw new SafetensorsError(
      `${where}: dtype ${t.dtype} not writable (expected F32, F16, BF16 or I64)`,
    );
  }
  let count = 1;
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsError(
        `${where}: shape [${t.shape.join(', ')}] must hold non-negative integers`,
      );
    }
    count *= d;
  }
  return count;
}

/** The bytes of one chunk in the tensor's dtype. */
function chunkBytes(where: string, dtype: WritableDtype, values: TensorValues): Uint8Array {
  // The typed array's tag, not instanceof: arrays may come from another realm (workers, vm).
  const tag = Object.prototype.toString.call(values).slice(8, -1);
  let out: ArrayBufferView;
  if (dtype === 'F32' && tag === 'Float32Array') out = values;
  else if ((dtype === 'F16' || dtype === 'BF16') && tag === 'Uint16Array') out = values;
  else if (dtype === 'F16' && tag === 'Float32Array') out = f32ToF16(values as Float32Array);
  else if (dtype === 'BF16' && tag === 'Float32Array') out = f32ToBf16(values as Float32Array);
  else if (dtype === 'I64' && tag === 'BigInt64Array') out = values;
  else throw new SafetensorsError(`${where}: a ${tag} cannot be written as ${dtype}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The JSON header, padded with spaces to a multiple of 8 bytes (as safetensors does). */
export function safetensorsHeader(
  tensors: readonly { name: string; dtype: string; shape: readonly number[]; bytes: number }[],
  metadata?: Record<string, string>,
): Buffer {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) {
    header.__metadata__ = Object.fromEntries(
      Object.keys(metadata)
        .sort()
        .map((k) => [k, metadata[k]]),
    );
  }
  let offset = 0;
  for (const t of sorted) {
    header[t.name] = {
      dtype: t.dtype,
      shape: [...t.shape],
      data_offsets: [offset, offset + t.bytes],
    };
    offset += t.bytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  return Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
}

/**
 * Writes a .safetensors file. Tensors are stored sorted by name; data given as a chunk
 * function is streamed. The file appears atomically (written to a temporary name, then
 * renamed), so a crash never leaves a truncated checkpoint behind.
 */
export async function writeSafetensors(
  file: string,
  tensors: readonly TensorToWrite[],
  metadata?: Record<string, string>,
): Promise<WriteSafetensorsResult> {
  if (os.endianness() !== 'LE')
    throw new SafetensorsError(`${file}: big-endian hosts are not supported`);
  const seen = new Set<string>();
  const entries = tensors.map((t) => {
    if (seen.has(t.name))
      throw new SafetensorsError(`${file}: tensor ${JSON.stringify(t.name)} given twice`);
    seen.add(t.name);
    return { ...t, bytes: checkTensor(file, t) * BYTES[t.dtype] };
  });
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string')
      throw new SafetensorsError(`${file}: metadata ${k} must be a string`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header = safetensorsHeader(entries, metadata);

  const tmp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const fh = await open(tmp, 'w');
  let total = 0;
  try {
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    await writeAll(fh, prefix);
    await writeAll(fh, header);
    total = 8 + header.length;
    for (const t of entries) {
      const where = `${file}: tensor ${JSON.stringify(t.name)}`;
      const chunks = typeof t.data === 'function' ? t.data() : [t.data];
      let written = 0;
      for (const chunk of chunks) {
        const bytes = chunkBytes(where, t.dtype, chunk);
        written += bytes.length;
        if (written > t.bytes) break;
        await writeAll(fh, bytes);
      }
      if (written !== t.bytes) {
        throw new SafetensorsError(
          `${where}: shape [${t.shape.join(', ')}] needs ${t.bytes} bytes of ${t.dtype}, the data gave ${written}${written > t.bytes ? '+' : ''}`,
        );
      }
      total += t.bytes;
    }
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await rename(tmp, file);
  return { bytes: total, headerBytes: header.length };
}
