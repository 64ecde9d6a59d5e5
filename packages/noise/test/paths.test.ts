// Input and output paths that cannot work fail before any work, in one line naming the path and
// what was expected; progress reports each noisy set with its own counts.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { generateNoisyDatasets, NoiseError, type NoiseCellProgress } from '../src/index.js';
import { tmpDir } from './shared.js';

const MINI = [
  {
    question: 'Tom has 3 apples and buys 2 more. How many apples does he have?',
    answer: '3 + 2 = 5\n#### 5',
  },
  { question: 'A box holds 4 pens. How many pens are in 3 boxes?', answer: '4 * 3 = 12\n#### 12' },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

describe('bad input and output paths', () => {
  const dir = tmpDir('paths');
  const input = path.join(dir, 'mini.jsonl');
  writeFileSync(input, `${MINI}\n`);

  it.each([
    ['a folder', (f: string) => mkdirSync(f), 'is a folder, expected a JSONL file'],
    [
      'binary data',
      (f: string) => writeFileSync(f, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x0a])),
      'binary data (not UTF-8 text), expected a JSONL file (one JSON object per line)',
    ],
    [
      'NUL bytes',
      (f: string) => writeFileSync(f, '{"a":1}\u0000\n'),
      'binary data (NUL bytes), expected a JSONL file (one JSON object per line)',
    ],
  ])('--input %s', async (what, make, message) => {
    const file = path.join(dir, `in-${what.replace(/ /g, '-')}.jsonl`);
    make(file);
    const out = tmpDir('paths-out');
    const p = generateNoisyDatasets({ input: file, out });
    await expect(p).rejects.toThrow(new NoiseError(`${file}: ${message}`));
    expect(readdirSync(out)).toEqual([]);
  });

  it('--out a file, or a path under one', async () => {
    const file = path.join(dir, 'taken.txt');
    writeFileSync(file, 'x\n');
    await expect(generateNoisyDatasets({ input, out: file })).rejects.toThrow(
      new NoiseError(`--out ${file}: is a file, expected a folder`),
    );
    const under = path.join(file, 'sets');
    await expect(generateNoisyDatasets({ input, out: under })).rejects.toThrow(
      new NoiseError(`--out ${under}: ${file} is a file, expected a folder`),
    );
    expect(existsSync(under)).toBe(false);
  });

  it('reports progress per noisy set, each with its own counts', async () => {
    const seen: [number, number, NoiseCellProgress][] = [];
    await generateNoisyDatasets({
      input,
      out: tmpDir('paths-progress'),
      types: 'inf,sd',
      onProgress: (done, total, cell) => seen.push([done, total, { ...cell }]),
    });
    expect(seen).toEqual([
      [0, 4, { dataset: 'inf', type: 'inf', done: 0, total: 2 }],
      [2, 4, { dataset: 'inf', type: 'inf', done: 2, total: 2 }],
      [2, 4, { dataset: 'sd', type: 'sd', done: 0, total: 2 }],
      [4, 4, { dataset: 'sd', type: 'sd', done: 2, total: 2 }],
    ]);
  });
});
