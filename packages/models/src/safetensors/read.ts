// Safetensors reader, hand-written on purpose: the npm parsers we looked at either load the whole
// file into memory or trust the header (no bounds, overlap or size checks). Checkpoints are
// multi-GB and come from the internet, so this reader validates the header completely and reads
// each tensor with positioned reads on a file descriptor, never holding the file in memory.
//
// Format: u64 little-endian header length N, N bytes of JSON
// `{ "<name>": { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {str: str} }`,
// then the data section; offsets are relative to its start.
import { ExpError } from '@exp/data';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { bf16ToF32, f16ToF32 } from './half.js';

/** A safetensors file that is malformed or that we cannot read; the message names file and tensor. */
export class SafetensorsError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** Bytes per element of each supported safetensors dtype. */
export const SAFETENSORS_DTYPES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** A header larger than this is refused before it is read (the format's own reference limit). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offsets of the tensor's data in the file. */
  begin: number;
  end: number;
}

/** The typed array each dtype is read into (16-bit floats as raw bits). */
export interface TypedTensorData {
  F64: Float64Array;
  F32: Float32Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I64: BigInt64Array;
  I32: Int32Array;
  I16: Int16Array;
  I8: Int8Array;
  U64: BigUint64Array;
  U32: Uint32Array;
  U16: Uint16Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}
export type TensorData = TypedTensorData[SafetensorsDtype];

export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

const entrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});
const metadataSchema = z.record(z.string(), z.string());

// One readSync call is limited to 2 GiB - 1; larger tensors are read in chunks.
const READ_CHUNK = 1 << 30;

function isDtype(s: string): s is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, s);
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * An open safetensors file: the validated header plus positioned reads. Call `close()` when done
 * (or use `withSafetensors`).
 */
export class SafetensorsFile {
  readonly path: string;
  readonly metadata: Record<string, string>;
  readonly byteLength: number;
  private readonly fd: number;
  private readonly infos: Map<string, TensorInfo>;
  private closed = false;

  private constructor(
    path: string,
    fd: number,
    byteLength: number,
    infos: Map<string, TensorInfo>,
    metadata: Record<string, string>,
  ) {
    this.path = path;
    this.fd = fd;
    this.byteLength = byteLength;
    this.infos = infos;
    this.metadata = metadata;
  }

  /** Opens and validates a file; throws SafetensorsError naming the file and tensor on any defect. */
  static open(path: string): SafetensorsFile {
    if (os.endianness() !== 'LE')
      throw new SafetensorsError('safetensors needs a little-endian host');
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new SafetensorsError(`cannot open ${path}: ${(e as Error).message}`);
    }
    try {
      const { infos, metadata, size } = readHeader(path, fd);
      return new SafetensorsFile(path, fd, size, infos, metadata);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Tensor names in file order (sorted by data offset). */
  get names(): string[] {
    return [...this.infos.keys()];
  }

  has(name: string): boolean {
    return this.infos.has(name);
  }

  info(name: string): TensorInfo {
    const info = this.infos.get(name);
    if (!info) throw new SafetensorsError(`${this.path}: no tensor named '${name}'`);
    return info;
  }

  /** Raw bytes of one tensor (a fresh, 8-byte aligned buffer). */
  readBytes(name: string): Uint8Array {
    const info = this.info(name);
    if (this.closed) throw new SafetensorsError(`${this.path}: file already closed`);
    const n = info.end - info.begin;
    // A fresh ArrayBuffer is aligned for any typed-array view.
    const bytes = new Uint8Array(new ArrayBuffer(n));
    let done = 0;
    while (done < n) {
      const want = Math.min(READ_CHUNK, n - done);
      const got = readSync(this.fd, bytes, done, want, info.begin + done);
      if (got <= 0) {
        throw new SafetensorsError(`${this.path}: tensor '${name}': file ended while reading`);
      }
      done += got;
    }
    return bytes;
  }

  /** One tensor in its own dtype (F16/BF16 as raw Uint16Array bits, BOOL as Uint8Array 0/1). */
  read(name: string): RawTensor {
    const info = this.info(name);
    const bytes = this.readBytes(name);
    const buf = bytes.buffer;
    const n = numel(info.shape);
    let data: TensorData;
    switch (info.dtype) {
      case 'F64':
        data = new Float64Array(buf, 0, n);
        break;
      case 'F32':
        data = new Float32Array(buf, 0, n);
        break;
      case 'F16':
      case 'BF16':
      case 'U16':
        data = new Uint16Array(buf, 0, n);
        break;
      case 'I64':
        data = new BigInt64Array(buf, 0, n);
        break;
      case 'U64':
        data = new BigUint64Array(buf, 0, n);
        break;
      case 'I32':
        data = new Int32Array(buf, 0, n);
        break;
      case 'U32':
        data = new Uint32Array(buf, 0, n);
        break;
      case 'I16':
        data = new Int16Array(buf, 0, n);
        break;
      case 'I8':
        data = new Int8Array(buf, 0, n);
        break;
      case 'U8':
        data = bytes;
        break;
      case 'BOOL':
        for (let i = 0; i < n; i++) {
          if (bytes[i]! > 1) {
            throw new SafetensorsError(
              `${this.path}: tensor '${name}': BOOL element ${i} is ${bytes[i]}, expected 0 or 1`,
            );
          }
        }
        data = bytes;
        break;
    }
    return { dtype: info.dtype, shape: [...info.shape], data };
  }

  /** A floating tensor (F32, F16, BF16 or F64) as float32 values. */
  readFloat32(name: string): Float32Array {
    const t = this.read(name);
    switch (t.dtype) {
      case 'F32':
        return t.data as Float32Array;
      case 'BF16':
        return bf16ToF32(t.data as Uint16Array);
      case 'F16':
        return f16ToF32(t.data as Uint16Array);
      case 'F64':
        return Float32Array.from(t.data as Float64Array);
      default:
        throw new SafetensorsError(
          `${this.path}: tensor '${name}' has dtype ${t.dtype}, expected a float (F32, F16, BF16, F64)`,
        );
    }
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
  }
}

/** Opens `path`, runs `fn`, and closes the file whatever happens. */
export function withSafetensors<T>(path: string, fn: (file: SafetensorsFile) => T): T {
  const file = SafetensorsFile.open(path);
  try {
    return fn(file);
  } finally {
    file.close();
  }
}

/** Reads every tensor of a (small) file in its own dtype; for goldens and tests. */
export function readSafetensors(path: string): Map<string, RawTensor> {
  return withSafetensors(path, (f) => new Map(f.names.map((n) => [n, f.read(n)])));
}

function readExact(path: string, fd: number, length: number, position: number, what: string) {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, buf, done, Math.min(READ_CHUNK, length - done), position + done);
    if (got <= 0) throw new SafetensorsError(`${path}: file ended while reading the ${what}`);
    done += got;
  }
  return buf;
}

function readHeader(path: string, fd: number) {
  const size = fstatSync(fd).size;
  if (size < 8) {
    throw new SafetensorsError(
      `${path}: file is ${size} bytes, too short for a safetensors header`,
    );
  }
  const lenBig = readExact(path, fd, 8, 0, 'header length').readBigUInt64LE(0);
  // A JSONL, ONNX or other file read as safetensors shows here: its first 8 bytes are no length.
  if (8n + lenBig > BigInt(size)) {
    throw new SafetensorsError(
      `${path}: not a safetensors file (header length ${lenBig} is larger than the file, ${size} bytes)`,
    );
  }
  if (lenBig > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      `${path}: not a safetensors file (header length ${lenBig} exceeds the limit of ${MAX_HEADER_BYTES} bytes)`,
    );
  }
  const headerLen = Number(lenBig);
  let json: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      readExact(path, fd, headerLen, 8, 'header'),
    );
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(
      `${path}: not a safetensors file, or a corrupted one (invalid JSON header: ${(e as Error).message})`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError(
      `${path}: not a safetensors file, or a corrupted one (the JSON header is not an object)`,
    );
  }
  const dataStart = 8 + headerLen;
  const dataLen = size - dataStart;
  let metadata: Record<string, string> = {};
  const infos: TensorInfo[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      const m = metadataSchema.safeParse(raw);
      if (!m.success) {
        throw new SafetensorsError(
          `${path}: corrupted header: __metadata__ must map strings to strings`,
        );
      }
      metadata = m.data;
      continue;
    }
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || '(entry)';
      throw new SafetensorsError(
        `${path}: corrupted header: tensor '${name}': field ${field}: ${issue.message}`,
      );
    }
    const { dtype, shape, data_offsets: offs } = parsed.data;
    if (!isDtype(dtype)) {
      throw new SafetensorsError(
        `${path}: tensor '${name}': unsupported dtype '${dtype}' (supported: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`,
      );
    }
    const [begin, end] = offs;
    if (begin > end) {
      throw new SafetensorsError(
        `${path}: tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`,
      );
    }
    if (end > dataLen) {
      throw new SafetensorsError(
        `${path}: truncated file: tensor '${name}': data_offsets [${begin}, ${end}] run past the data section (${dataLen} bytes; the file has ${size}, the header needs at least ${dataStart + end})`,
      );
    }
    const count = numel(shape);
    const expected = count * SAFETENSORS_DTYPES[dtype];
    if (!Number.isSafeInteger(expected) || expected !== end - begin) {
      throw new SafetensorsError(
        `${path}: tensor '${name}': shape [${shape.join(', ')}] of ${dtype} needs ${expected} bytes, data_offsets give ${end - begin}`,
      );
    }
    infos.push({ name, dtype, shape, begin: dataStart + begin, end: dataStart + end });
  }
  // Sorted by offset, any overlap shows between neighbours. Empty tensors occupy no bytes.
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let prev: TensorInfo | undefined;
  for (const info of infos) {
    if (info.end === info.begin) continue;
    if (prev && info.begin < prev.end) {
      throw new SafetensorsError(
        `${path}: tensors '${prev.name}' and '${info.name}' overlap in the data section`,
      );
    }
    prev = info;
  }
  return { infos: new Map(infos.map((i) => [i.name, i])), metadata, size };
}
