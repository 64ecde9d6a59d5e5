import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSafetensors, SafetensorsError } from '../../src/safetensors/read.js';
import { writeSafetensors } from '../../src/safetensors/write.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-st-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function header(file: string): { length: number; json: string } {
  const buf = readFileSync(file);
  const length = Number(buf.readBigUInt64LE(0));
  return { length, json: buf.subarray(8, 8 + length).toString('utf8') };
}

describe('writeSafetensors', () => {
  test('sorted, space-padded header; values round-trip through the reader', async () => {
    const file = path.join(tmp, 'a.safetensors');
    const res = await writeSafetensors(
      file,
      [
        { name: 'z.bias', dtype: 'F32', shape: [3], data: new Float32Array([1, -2, 3.5]) },
        { name: 'a.ids', dtype: 'I64', shape: [2], data: new BigInt64Array([7n, -1n]) },
        { name: 'm.half', dtype: 'F16', shape: [2], data: new Float32Array([1.5, -0.099975586]) },
        { name: 'm.bf', dtype: 'BF16', shape: [1, 2], data: new Uint16Array([0x3f80, 0xc000]) },
      ],
      { format: 'pt' },
    );
    const h = header(file);
    expect(h.length % 8).toBe(0);
    const json =
      '{"__metadata__":{"format":"pt"},' +
      '"a.ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},' +
      '"m.bf":{"dtype":"BF16","shape":[1,2],"data_offsets":[16,20]},' +
      '"m.half":{"dtype":"F16","shape":[2],"data_offsets":[20,24]},' +
      '"z.bias":{"dtype":"F32","shape":[3],"data_offsets":[24,36]}}';
    expect(h.length).toBe(json.length + ((8 - (json.length % 8)) % 8));
    expect(h.json).toBe(json.padEnd(h.length, ' '));
    expect(res).toEqual({ bytes: 8 + h.length + 36, headerBytes: h.length });
    const back = readSafetensors(file);
    expect([...back.keys()]).toEqual(['a.ids', 'm.bf', 'm.half', 'z.bias']);
    expect(back.get('z.bias')!.data).toEqual(new Float32Array([1, -2, 3.5]));
    expect(back.get('a.ids')!.data).toEqual(new BigInt64Array([7n, -1n]));
    expect(back.get('m.half')!.data).toEqual(new Uint16Array([0x3e00, 0xae66])); // f16 bits
    expect(back.get('m.bf')!.data).toEqual(new Uint16Array([0x3f80, 0xc000]));
  });

  test('streams chunked data and matches the all-at-once file byte for byte', async () => {
    const values = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i));
    const whole = path.join(tmp, 'whole.safetensors');
    const chunked = path.join(tmp, 'chunked.safetensors');
    await writeSafetensors(whole, [{ name: 'w', dtype: 'F32', shape: [100, 100], data: values }]);
    await writeSafetensors(chunked, [
      {
        name: 'w',
        dtype: 'F32',
        shape: [100, 100],
        data: function* () {
          for (let i = 0; i < values.length; i += 3000) yield values.subarray(i, i + 3000);
        },
      },
    ]);
    expect(readFileSync(chunked).equals(readFileSync(whole))).toBe(true);
    expect(header(whole).json.trimEnd()).toBe(
      '{"w":{"dtype":"F32","shape":[100,100],"data_offsets":[0,40000]}}',
    );
  });

  test('refuses data that does not fill the shape, and leaves no file behind', async () => {
    const file = path.join(tmp, 'bad.safetensors');
    await expect(
      writeSafetensors(file, [
        { name: 'w', dtype: 'F32', shape: [2, 3], data: new Float32Array(5) },
      ]),
    ).rejects.toThrow(`${file}: tensor "w": shape [2, 3] needs 24 bytes of F32, the data gave 20`);
    await expect(
      writeSafetensors(file, [{ name: 'w', dtype: 'I64', shape: [1], data: new Float32Array(1) }]),
    ).rejects.toThrow(SafetensorsError);
    await expect(
      writeSafetensors(file, [
        { name: 'w', dtype: 'F32', shape: [1], data: new Float32Array(1) },
        { name: 'w', dtype: 'F32', shape: [1], data: new Float32Array(1) },
      ]),
    ).rejects.toThrow('tensor "w" given twice');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.startsWith('bad'))).toEqual([]);
  });
});
