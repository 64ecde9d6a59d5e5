// checkpoint-<step> resume state: written and read back exactly; a damaged or foreign one is
// refused with one message naming the file and what is wrong (never resumed with wrong state).
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adamwState } from '../src/optim/adamw.js';
import {
  checkSameRun,
  readOptimizerState,
  readTrainerState,
  writeTrainerState,
  type TrainerState,
} from '../src/checkpoint/trainer-state.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'trainer-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (o: Record<string, unknown> = {}) =>
  JSON.stringify({ seed: 42, epochs: 2, items: ['a', 'b', 'c'], tokens: 'f00', ...o });
const STATE: TrainerState = { step: 3, epoch: 1, batch: 2, run: run(), names: ['w', 'b'] };
const SIZES = new Map([
  ['w', 4],
  ['b', 2],
]);

function writeSample(): void {
  const moments = new Map(
    [...SIZES].map(([n, size], k) => {
      const s = adamwState(size);
      s.m.set(Array.from({ length: size }, (_, i) => k + i / 8));
      s.v.set(Array.from({ length: size }, (_, i) => k + i / 16));
      return [n, s];
    }),
  );
  writeTrainerState(dir, STATE, moments);
}

test('written and read back: position, options and both moments of every parameter', () => {
  writeSample();
  expect(readTrainerState(dir)).toEqual(STATE);
  const m = readOptimizerState(dir, STATE, SIZES);
  expect([...m.keys()]).toEqual(['w', 'b']);
  expect([...m.get('w')!.m]).toEqual([0, 0.125, 0.25, 0.375]);
  expect([...m.get('b')!.v]).toEqual([1, 1.0625]);
  expect(m.get('b')!.step).toBe(3);
});

test('a truncated optimizer.bin is refused with the sizes', () => {
  writeSample();
  truncateSync(path.join(dir, 'optimizer.bin'), 20);
  expect(() => readOptimizerState(dir, STATE, SIZES)).toThrow(
    `${dir}/optimizer.bin: 20 bytes, expected 48 (m and v of 2 parameters, 6 values in all, float32)`,
  );
});

test('a parameter the model lacks is refused', () => {
  writeSample();
  expect(() => readOptimizerState(dir, STATE, new Map([['w', 4]]))).toThrow(
    `${dir}/trainer_state.json: names parameter 'b', which the model does not have`,
  );
});

test.each([
  ['{bad', /trainer_state\.json: not valid JSON \(.+\)$/],
  ['{"step":-1,"epoch":0,"batch":0,"run":"{}","names":[]}', /trainer_state\.json: step: .*>=0/],
  ['{"step":1,"epoch":0,"batch":0,"run":"{}"}', /trainer_state\.json: names: .*expected array/],
  ['[]', /trainer_state\.json: the file: .*expected object/],
])('trainer_state.json %s is refused, naming the field', (text, message) => {
  writeFileSync(path.join(dir, 'trainer_state.json'), text);
  expect(() => readTrainerState(dir)).toThrow(message);
});

test.each([
  [run(), null],
  [run({ epochs: 1 }), 'epochs 2, now 1'],
  [run({ items: ['a', 'b'] }), 'items 3 problems, now 2 problems'],
  [run({ items: ['a', 'b', 'd'] }), 'items 3 problems, now other problems'],
  [
    run({ tokens: 'bad' }),
    'the items encode to other tokens: other data, format, loss-on or max-length',
  ],
  [run({ lr: 1e-4 }), 'lr unset, now 0.0001'],
])('a resume with options %s: %s', (now, diff) => {
  const check = () => checkSameRun(dir, STATE, now);
  if (diff === null) return expect(check).not.toThrow();
  expect(check).toThrow(
    `${dir}: written by a run with other options (${diff}), not resumable: pass the same options, or another --out`,
  );
});
