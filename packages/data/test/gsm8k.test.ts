import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataError } from '../src/errors.js';
import { loadGsm8k, loadGsm8kFile } from '../src/gsm8k.js';
import { GSM8K_DIR } from './shared.js';

describe('loadGsm8k', () => {
  test('reads the shared test and train splits with exact counts', () => {
    const test = loadGsm8k('test', { dir: GSM8K_DIR });
    expect(test).toHaveLength(1319);
    expect(test[0].id).toBe('gsm8k-test-0');
    expect(test[0].final).toBe('18');
    expect(test[0].question.startsWith('Janet’s ducks lay 16 eggs per day.')).toBe(true);
    expect(loadGsm8k('train', { dir: GSM8K_DIR })).toHaveLength(7473);
  });

  test('every gold answer parses to a canonical number', () => {
    for (const p of loadGsm8k('test', { dir: GSM8K_DIR })) {
      expect(p.final).toMatch(/^-?\d+(\.\d*[1-9])?$/);
    }
  });

  test('EXP_GSM8K_DIR is honoured', () => {
    const before = process.env.EXP_GSM8K_DIR;
    process.env.EXP_GSM8K_DIR = GSM8K_DIR;
    try {
      expect(loadGsm8k('test')).toHaveLength(1319);
    } finally {
      if (before === undefined) delete process.env.EXP_GSM8K_DIR;
      else process.env.EXP_GSM8K_DIR = before;
    }
  });

  test('a bad line names file, line and field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gsm8k-'));
    const file = path.join(dir, 'test.jsonl');
    writeFileSync(
      file,
      '{"question":"q1","answer":"#### 1"}\n{"question":"q2","answer":"x"}\n{"question":"q3"}\n',
    );
    expect(() => loadGsm8kFile(file, 't')).toThrow(
      new DataError(`${file}:2: answer: expected a worked solution ending in "#### <number>"`),
    );
    writeFileSync(file, '{"question":"q1","answer":"#### 1"}\n{"question":1,"answer":"#### 1"}\n');
    expect(() => loadGsm8kFile(file, 't')).toThrow(
      `${file}:2: question: Invalid input: expected string, received number`,
    );
    writeFileSync(file, '{"question":"q1",\n');
    expect(() => loadGsm8kFile(file, 't')).toThrow(`${file}:1: invalid JSON`);
  });

  test('a missing split says how to get it', () => {
    expect(() => loadGsm8k('test', { dir: '/nonexistent-dir' })).toThrow(
      /exp data pull|EXP_GSM8K_DIR/,
    );
  });
});

test('CRLF line ends and a UTF-8 byte order mark are accepted', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gsm8k-'));
  const file = path.join(dir, 'test.jsonl');
  writeFileSync(
    file,
    '\uFEFF{"question":"q1","answer":"#### 1,000"}\r\n{"question":"q2","answer":"#### -3"}\r\n',
  );
  expect(loadGsm8kFile(file, 't').map((p) => p.final)).toEqual(['1000', '-3']);
});
