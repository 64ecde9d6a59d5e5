import { describe, expect, test, beforeEach } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SampleLog, readSampleLog } from '../../src/samples/log.js';
import { SampleRecordSchema } from '../../src/samples/record.js';
import { SampleRecordSchema as ExportedSampleRecordSchema } from '../../src/index.js';
import { lines, sample } from './fixture.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'exp-samples-'));
  file = path.join(dir, 'samples', 'llama', 'clean.jsonl');
});

function writeFileAt(f: string, text: string | Buffer): void {
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
}

function openAndClose(f: string): SampleLog {
  const log = SampleLog.open(f);
  log.close();
  return log;
}

describe('SampleRecordSchema', () => {
  test('accepts the fixture and rejects flat fields that disagree with the maps', () => {
    expect(SampleRecordSchema.safeParse(sample(0)).success).toBe(true);
    const bad = SampleRecordSchema.safeParse({ ...sample(0), predicted: '7' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['predicted']);
    expect(bad.error?.issues[0].message).toBe('expected answers.seed ("42"), got "7"');
    const keys = SampleRecordSchema.safeParse({ ...sample(0), correct_by: { seed: true } });
    expect(keys.error?.issues[0].message).toBe(
      'expected the same extractors as answers (seed, strict), got seed',
    );
  });

  test('a run without the seed/strict extractors needs no agreement for them', () => {
    const rec = {
      ...sample(0),
      answers: { 'lm-eval-strict': '42' },
      correct_by: { 'lm-eval-strict': true },
    };
    expect(SampleRecordSchema.safeParse(rec).success).toBe(true);
  });
});

describe('SampleLog', () => {
  test('creates folder and file, appends whole lines, reopens with done by id in file order', () => {
    const log = SampleLog.open(file);
    expect(existsSync(file)).toBe(true);
    expect(log.done.size).toBe(0);
    log.append(sample(0));
    log.append(sample(1, { seedOk: false }));
    log.close();
    expect(readFileSync(file, 'utf8')).toBe(lines([sample(0), sample(1, { seedOk: false })]));
    const again = openAndClose(file);
    expect([...again.done.keys()]).toEqual(['gsm8k-test-0', 'gsm8k-test-1']);
    expect(again.done.get('gsm8k-test-1')).toEqual(sample(1, { seedOk: false }));
    expect(readSampleLog(file)).toEqual([sample(0), sample(1, { seedOk: false })]);
  });

  test('each line SampleLog writes parses with the exported SampleRecordSchema', () => {
    const log = SampleLog.open(file);
    log.append(sample(0));
    log.append(sample(1, { seedOk: false }));
    log.close();
    const written = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(written.map((l) => ExportedSampleRecordSchema.parse(JSON.parse(l)))).toEqual([
      sample(0),
      sample(1, { seedOk: false }),
    ]);
  });

  const committed = lines([sample(0), sample(1)]);
  const whole = JSON.stringify(sample(2));
  test.each([
    ['a partial JSON object', whole.slice(0, 40)],
    ['a whole record without its newline (the write never returned)', whole],
    ['NUL fill ending in a newline (delayed allocation after a crash)', '\0'.repeat(64) + '\n'],
    ['NUL fill without a newline', '\0'.repeat(64)],
    // '{"id":"' and the first of the two UTF-8 bytes of 'é'
    ['half a multi-byte character', Buffer.from('{"id":"\u00e9').subarray(0, 8)],
  ])('a torn tail (%s) is dropped and the file truncated to the last line', (_name, tail) => {
    const bytes = Buffer.concat([Buffer.from(committed), Buffer.from(tail)]);
    writeFileAt(file, bytes);
    expect(readSampleLog(file).map((r) => r.index)).toEqual([0, 1]);
    expect(readFileSync(file).equals(bytes)).toBe(true); // reading alone changes nothing
    const log = SampleLog.open(file);
    expect([...log.done.keys()]).toEqual(['gsm8k-test-0', 'gsm8k-test-1']);
    expect(readFileSync(file, 'utf8')).toBe(committed);
    log.append(sample(2));
    log.close();
    expect(readFileSync(file, 'utf8')).toBe(lines([sample(0), sample(1), sample(2)]));
  });

  test('a file that is only a torn line becomes empty', () => {
    writeFileAt(file, whole.slice(0, 10));
    expect(openAndClose(file).done.size).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  test('invalid JSON before the last line is an error naming file:line', () => {
    writeFileAt(file, lines([sample(0)]) + '{"id": oops\n' + lines([sample(2)]));
    expect(() => SampleLog.open(file)).toThrow(
      `${file}:2: invalid JSON (Unexpected token 'o', "{"id": oops" is not valid JSON); only the ` +
        'last line can be an interrupted write, so this line was damaged otherwise: fix or delete it',
    );
    expect(() => readSampleLog(file)).toThrow(`${file}:2: invalid JSON`);
  });

  test('a record that is valid JSON but not a sample is an error naming file:line and field', () => {
    const { new_tokens: _drop, ...noTokens } = sample(1);
    writeFileAt(file, lines([sample(0)]) + JSON.stringify(noTokens) + '\n');
    // The last line too: a complete JSON value cannot be a torn write, so it is not dropped.
    expect(() => SampleLog.open(file)).toThrow(
      `${file}:2: new_tokens: Invalid input: expected number, received undefined`,
    );
  });

  test('duplicate ids in a file are an error naming both lines', () => {
    writeFileAt(file, lines([sample(0), sample(1), sample(0)]));
    expect(() => SampleLog.open(file)).toThrow(`${file}:3: duplicate id "gsm8k-test-0" (line 1)`);
  });

  test('a line of another model in the log is an error', () => {
    writeFileAt(file, lines([sample(0), sample(1, { model: 'diffllama' })]));
    expect(() => readSampleLog(file)).toThrow(
      `${file}:2: model: expected "llama" as in the log's first line, got "diffllama"`,
    );
  });

  test('append refuses a duplicate id, a foreign record, an invalid record and a closed log', () => {
    const log = SampleLog.open(file);
    log.append(sample(0));
    expect(() => log.append(sample(0))).toThrow(
      `${file}: duplicate id "gsm8k-test-0": already logged`,
    );
    expect(() => log.append(sample(1, { dataset: 'inf' }))).toThrow(
      `${file}: cannot append: dataset: expected "clean" as in the log's first line, got "inf"`,
    );
    expect(() => log.append({ ...sample(1), ms: -1 })).toThrow(
      `${file}: cannot append: ms: Too small: expected number to be >=0`,
    );
    log.close();
    log.close(); // idempotent
    expect(() => log.append(sample(1))).toThrow(`${file}: append after close`);
    expect(readFileSync(file, 'utf8')).toBe(lines([sample(0)]));
  });

  test('resume: a rerun skips the done ids and the log ends consecutive and complete', () => {
    const items = Array.from({ length: 10 }, (_, i) => sample(i, { seedOk: i % 3 !== 0 }));
    const first = SampleLog.open(file);
    for (const rec of items.slice(0, 4)) first.append(rec);
    first.close();
    // The first run was killed while writing item 4.
    writeFileSync(file, readFileSync(file, 'utf8') + JSON.stringify(items[4]).slice(0, 25));
    const second = SampleLog.open(file);
    const todo = items.filter((r) => !second.done.has(r.id));
    expect(todo.map((r) => r.index)).toEqual([4, 5, 6, 7, 8, 9]);
    for (const rec of todo) second.append(rec);
    second.close();
    expect(readFileSync(file, 'utf8')).toBe(lines(items));
    expect(openAndClose(file).done.size).toBe(10);
  });

  test('readSampleLog of a missing file is an error', () => {
    rmSync(dir, { recursive: true, force: true });
    expect(() => readSampleLog(file)).toThrow(`${file}: file not found`);
  });
});
