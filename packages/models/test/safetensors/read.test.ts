import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildSafetensors,
  bytesOf,
  rawSafetensors,
  type RawEntry,
} from '../helpers/safetensors-bytes.js';
import { goldenDir } from '../helpers/shared.js';
import {
  readSafetensors,
  SafetensorsError,
  SafetensorsFile,
  withSafetensors,
} from '../../src/safetensors/read.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'exp-st-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(bytes: Uint8Array): string {
  const p = path.join(dir, `f${n++}.safetensors`);
  writeFileSync(p, bytes);
  return p;
}

const f32 = (...v: number[]) => bytesOf(Float32Array.from(v));
const good: RawEntry[] = [
  { name: 'w', dtype: 'F32', shape: [2, 2], data: f32(1, 2, 3, 4) },
  { name: 'h', dtype: 'F16', shape: [2], data: bytesOf(Uint16Array.from([0x3c00, 0xc000])) },
  {
    name: 'b',
    dtype: 'BF16',
    shape: [3],
    data: bytesOf(Uint16Array.from([0x3f80, 0x4040, 0xbf00])),
  },
  { name: 'i', dtype: 'I64', shape: [3], data: bytesOf(BigInt64Array.from([-1n, 0n, 2n ** 40n])) },
  { name: 'm', dtype: 'BOOL', shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) },
  { name: 's', dtype: 'F32', shape: [], data: f32(7.5) },
  { name: 'e', dtype: 'F32', shape: [0, 4], data: new Uint8Array(0) },
];

/** Expects open() to fail with a SafetensorsError whose message contains every part. */
function expectOpenError(p: string, ...parts: string[]) {
  let err: unknown;
  try {
    SafetensorsFile.open(p).close();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafetensorsError);
  for (const part of [p, ...parts]) expect((err as Error).message).toContain(part);
}

/** A header with one entry, and `size` bytes of data. */
function oneEntry(entry: Record<string, unknown>, size: number) {
  return file(rawSafetensors(JSON.stringify({ t: entry }), new Uint8Array(size)));
}

describe('SafetensorsFile: reading', () => {
  it('reads each dtype into the right typed array', () => {
    const p = file(buildSafetensors(good, { format: 'pt' }));
    withSafetensors(p, (f) => {
      expect(f.names).toEqual(['w', 'h', 'b', 'i', 'm', 's', 'e']);
      expect(f.metadata).toEqual({ format: 'pt' });
      const w = f.read('w');
      expect(w.shape).toEqual([2, 2]);
      expect(Array.from(w.data as Float32Array)).toEqual([1, 2, 3, 4]);
      expect(Array.from(f.readFloat32('h'))).toEqual([1, -2]);
      expect(Array.from(f.readFloat32('b'))).toEqual([1, 3, -0.5]);
      const i = f.read('i');
      expect(i.data).toBeInstanceOf(BigInt64Array);
      expect(Array.from(i.data as BigInt64Array)).toEqual([-1n, 0n, 2n ** 40n]);
      expect(Array.from(f.read('m').data as Uint8Array)).toEqual([1, 0, 0, 1]);
      expect(f.read('s').shape).toEqual([]);
      expect(Array.from(f.readFloat32('s'))).toEqual([7.5]);
      expect(f.readFloat32('e').length).toBe(0);
    });
  });

  it('reads the golden file (int64, bool, scalar tensors)', () => {
    const g = readSafetensors(path.join(goldenDir('tiny-llama'), 'golden.safetensors'));
    const ids = g.get('case_a.input_ids')!;
    expect(ids.dtype).toBe('I64');
    expect(ids.shape).toEqual([2, 16]);
    expect(
      Array.from(ids.data as BigInt64Array)
        .slice(0, 4)
        .map(Number),
    ).toEqual([360, 480, 161, 89]);
    const valid = g.get('case_b.logits_valid')!;
    expect(valid.dtype).toBe('BOOL');
    expect(Array.from(valid.data as Uint8Array).slice(16)).toEqual([
      0,
      0,
      0,
      0,
      0,
      ...Array(11).fill(1),
    ]);
    expect(g.get('train.loss')!.shape).toEqual([]);
  });

  it('rejects reads of a missing tensor, a non-float as float, and a bad BOOL', () => {
    const p = file(
      buildSafetensors([
        ...good,
        { name: 'bad', dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 2]) },
      ]),
    );
    withSafetensors(p, (f) => {
      expect(() => f.read('nope')).toThrow(`${p}: no tensor named 'nope'`);
      expect(() => f.readFloat32('i')).toThrow(`${p}: tensor 'i' has dtype I64, expected a float`);
      expect(() => f.read('bad')).toThrow(
        `${p}: tensor 'bad': BOOL element 1 is 2, expected 0 or 1`,
      );
    });
  });
});

describe('SafetensorsFile: malformed files', () => {
  it('rejects a file too short for the length field', () => {
    expectOpenError(file(new Uint8Array(5)), 'file is 5 bytes, too short');
  });

  it('rejects a file whose first 8 bytes are no header length (JSONL, ONNX...)', () => {
    expectOpenError(
      file(rawSafetensors('{}', new Uint8Array(0), 200_000_000n)),
      'not a safetensors file (header length 200000000 is larger than the file, 16 bytes)',
    );
    expectOpenError(
      file(new TextEncoder().encode('{"question": "How many?", "answer": "4"}\n')),
      'not a safetensors file (header length',
      'is larger than the file, 41 bytes)',
    );
  });

  it('rejects a header length over the limit before reading it', () => {
    // a sparse file larger than the header length, so only the limit applies
    const p = file(rawSafetensors('{}', new Uint8Array(0), 200_000_000n));
    truncateSync(p, 300_000_000);
    expectOpenError(
      p,
      'not a safetensors file (header length 200000000 exceeds the limit of 100000000 bytes)',
    );
  });

  it('rejects a header length running past the end of the file', () => {
    expectOpenError(
      file(rawSafetensors('{}', new Uint8Array(0), 4096n)),
      'not a safetensors file (header length 4096 is larger than the file',
    );
  });

  it('rejects a header that is not JSON, or not an object', () => {
    expectOpenError(
      file(rawSafetensors('{"a": [1,', new Uint8Array(0))),
      'not a safetensors file, or a corrupted one (invalid JSON header: ',
    );
    expectOpenError(
      file(rawSafetensors('[1, 2]', new Uint8Array(0))),
      '(the JSON header is not an object)',
    );
  });

  it('rejects entries with missing or mistyped fields', () => {
    expectOpenError(
      oneEntry({ dtype: 'F32', data_offsets: [0, 4] }, 4),
      "tensor 't'",
      'field shape',
    );
    expectOpenError(
      oneEntry({ dtype: 'F32', shape: [-1], data_offsets: [0, 4] }, 4),
      "tensor 't'",
      'field shape.0',
    );
    expectOpenError(
      oneEntry({ dtype: 'F32', shape: [1], data_offsets: [0] }, 4),
      "tensor 't'",
      'field data_offsets',
    );
    expectOpenError(
      file(rawSafetensors('{"__metadata__": {"a": 1}}', new Uint8Array(0))),
      '__metadata__ must map strings to strings',
    );
  });

  it('rejects unknown dtypes', () => {
    expectOpenError(
      oneEntry({ dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] }, 4),
      "tensor 't'",
      "unsupported dtype 'F8_E4M3'",
    );
  });

  it('rejects offsets outside the data section or reversed', () => {
    expectOpenError(
      oneEntry({ dtype: 'F32', shape: [2], data_offsets: [0, 8] }, 4),
      "tensor 't'",
      'truncated file: tensor',
      'run past the data section (4 bytes;',
    );
    expectOpenError(
      oneEntry({ dtype: 'F32', shape: [1], data_offsets: [8, 4] }, 8),
      "tensor 't'",
      'end before they begin',
    );
  });

  it('rejects a size that does not match shape x dtype', () => {
    expectOpenError(
      oneEntry({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] }, 24),
      "tensor 't'",
      'shape [2, 3] of F32 needs 24 bytes, data_offsets give 20',
    );
  });

  it('rejects overlapping tensors', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expectOpenError(
      file(rawSafetensors(JSON.stringify(header), new Uint8Array(12))),
      "tensors 'a' and 'b' overlap",
    );
  });

  it('names the file when it cannot be opened', () => {
    expectOpenError(path.join(dir, 'missing.safetensors'), 'cannot open');
  });
});
