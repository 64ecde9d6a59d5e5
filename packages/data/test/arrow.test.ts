import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Bool, Utf8, tableFromIPC } from 'apache-arrow';
import {
  readArrow,
  readArrowProblems,
  recordsFromArrow,
  recordsToArrow,
  writeArrow,
} from '../src/arrow.js';
import { loadGsm8k } from '../src/gsm8k.js';
import { GSM8K_DIR } from './shared.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'arrow-'));

describe('arrow', () => {
  test('GSM8K test problems round-trip exactly through an IPC file with plain Utf8 columns', () => {
    const problems = loadGsm8k('test', { dir: GSM8K_DIR });
    const file = path.join(tmp(), 'test.arrow');
    writeArrow(file, problems);
    const bytes = readFileSync(file);
    // IPC file format: "ARROW1" magic at both ends (the stream format has none).
    expect(bytes.subarray(0, 6).toString()).toBe('ARROW1');
    expect(bytes.subarray(-6).toString()).toBe('ARROW1');
    const table = tableFromIPC(bytes);
    expect(table.numRows).toBe(1319);
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['id', 'Utf8'],
      ['question', 'Utf8'],
      ['answer', 'Utf8'],
      ['final', 'Utf8'],
    ]);
    for (const f of table.schema.fields) expect(f.type).toBeInstanceOf(Utf8);
    const back = readArrowProblems(file);
    expect(back).toEqual(problems);
    expect(JSON.stringify(back)).toBe(JSON.stringify(problems)); // key order too
  });

  test('flat scalars, nulls, missing keys and nested values round-trip exactly', () => {
    const records = [
      { id: 'a', n: 1.5, ok: true, note: null, spans: [{ start: 0, end: 4, text: 'Her ' }] },
      { id: 'b', n: -0, ok: false, note: null, spans: [], extra: 'only here' },
      { id: 'c', n: Number.NaN, ok: null, note: null, spans: null, mixed: 3 },
      {
        id: 'd',
        n: 2 ** 53 - 1,
        ok: true,
        note: null,
        mixed: 'three',
        deep: { a: [1, { b: null }] },
      },
      { id: '', n: -Infinity, ok: true, note: null, spans: [{ start: 1, end: 2, text: '✓ é 😀' }] },
    ];
    const bytes = recordsToArrow(records);
    const table = tableFromIPC(bytes);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, f.type]));
    expect(String(types.n)).toBe('Float64');
    expect(types.ok).toBeInstanceOf(Bool);
    expect(types.note).toBeInstanceOf(Utf8);
    expect(types.spans).toBeInstanceOf(Utf8);
    expect(table.schema.fields.find((f) => f.name === 'spans')!.metadata.get('exp.encoding')).toBe(
      'json',
    );
    expect(table.schema.metadata.get('exp.note')).toMatch(/exp\.encoding=json hold JSON text/);
    const back = recordsFromArrow(bytes);
    expect(back).toEqual(records);
    expect(Object.is(back[1].n, -0)).toBe(true);
    expect(Object.hasOwn(back[0], 'extra')).toBe(false);
    expect(Object.hasOwn(back[3], 'spans')).toBe(false);
    expect(back[2].spans).toBeNull();
  });

  test('empty list and a file that is not Arrow', () => {
    expect(recordsFromArrow(recordsToArrow([]))).toEqual([]);
    expect(recordsFromArrow(recordsToArrow([{}, {}]))).toEqual([{}, {}]);
    const file = path.join(tmp(), 'x.arrow');
    expect(() => readArrow(file)).toThrow(`${file}: file not found`);
    expect(() => recordsFromArrow(new TextEncoder().encode('{"a":1}\n'), 'x.arrow')).toThrow(
      /^x\.arrow: not an Arrow IPC file/,
    );
    writeArrow(file, [{ id: 'p', question: 'q?', answer: '' }]);
    expect(() => readArrowProblems(file)).toThrow(
      `${file}: row 0: final: Invalid input: expected string, received undefined`,
    );
  });
});
