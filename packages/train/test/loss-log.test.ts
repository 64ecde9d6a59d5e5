// loss.jsonl's one reader: what the SFT loop writes (a NaN loss included) reads back, a bad line
// fails in one line naming file:line and field, a folder without the file has no records.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSftLosses, SFT_LOSS_FILE, SftLossRecordSchema } from '../src/index.js';

const folder = () => mkdtempSync(path.join(os.tmpdir(), 'exp-loss-log-'));

test('reads the lines as the loop writes them; a step without label tokens (NaN) reads as null', () => {
  const dir = folder();
  // as trainSft appends them: JSON.stringify of each record, NaN written as null
  const records = [
    { step: 1, loss: 2.5, lr: 1e-3 },
    { step: 2, loss: NaN, lr: 5e-4 },
  ];
  writeFileSync(
    path.join(dir, SFT_LOSS_FILE),
    records.map((r) => JSON.stringify(r) + '\n').join(''),
  );
  expect(readSftLosses(dir)).toEqual([
    { step: 1, loss: 2.5, lr: 1e-3 },
    { step: 2, loss: null, lr: 5e-4 },
  ]);
  expect(SftLossRecordSchema.parse(JSON.parse(JSON.stringify(records[1])))).toEqual({
    step: 2,
    loss: null,
    lr: 5e-4,
  });
});

test('a bad line names file:line and field; no file, no records', () => {
  const dir = folder();
  const file = path.join(dir, SFT_LOSS_FILE);
  writeFileSync(file, '{"step":1,"loss":2,"lr":0}\n{"step":2,"loss":"x","lr":0}\n');
  expect(() => readSftLosses(dir)).toThrow(
    `${file}:2: loss: Invalid input: expected number, received string`,
  );
  expect(readSftLosses(folder())).toEqual([]);
});
