// Hashes of model files. Exports record the full sha256 of every file they write; loading
// compares sizes always and hashes in full only small files, because hashing a 1.5 GB model.onnx
// on every load costs seconds. Large files get a sampled hash instead: a mixed folder (a
// model.onnx from another export of the same architecture) has exactly the same size, but its
// weights differ everywhere, so 32 windows spread over the file catch it at a cost of 2 MiB read.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';

/** Files up to this size are hashed in full when a folder is checked. */
export const FULL_HASH_MAX_BYTES = 16 * 2 ** 20;
const SAMPLE_WINDOWS = 32;
const SAMPLE_WINDOW_BYTES = 64 * 1024;

/**
 * sha256 hex of a file, streamed, reporting the bytes hashed as it goes (export progress);
 * without progress, @exp/data's hashFile / hashFileSync do.
 */
export async function sha256File(file: string, onBytes: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) {
    hash.update(chunk as Buffer);
    onBytes((chunk as Buffer).byteLength);
  }
  return hash.digest('hex');
}

/**
 * sha256 over the size and SAMPLE_WINDOWS evenly spaced windows of the file (the whole file when
 * it is smaller than the windows together). Not a content hash: only for telling apart files
 * of the same size cheaply.
 */
export function sampleSha256File(file: string): string {
  const size = statSync(file).size;
  const hash = createHash('sha256').update(`${size}\0`);
  if (size <= SAMPLE_WINDOWS * SAMPLE_WINDOW_BYTES)
    return hash.update(readFileSync(file)).digest('hex');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_WINDOW_BYTES);
    const last = size - SAMPLE_WINDOW_BYTES;
    for (let i = 0; i < SAMPLE_WINDOWS; i++) {
      const at = Math.floor((i * last) / (SAMPLE_WINDOWS - 1));
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, at + got);
        if (n === 0) throw new Error(`${file}: shorter than its size while reading`);
        got += n;
      }
      hash.update(buf);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
