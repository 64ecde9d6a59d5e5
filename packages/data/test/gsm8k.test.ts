import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataError } from '../src/errors.js';
import {
  GSM8K_FILES,
  checkGsm8kCopy,
  gsm8kFile,
  loadGsm8k,
  loadGsm8kFile,
  setDataWarningHandler,
  unofficialGsm8kMessage,
} from '../src/gsm8k.js';
import { hashFileSync } from '../src/hash.js';
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

describe('a GSM8K copy with other bytes than the official files', () => {
  const crlfCopy = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gsm8k-crlf-'));
    const text = readFileSync(path.join(GSM8K_DIR, 'test.jsonl'), 'utf8');
    writeFileSync(path.join(dir, 'test.jsonl'), text.replace(/\n/g, '\r\n'));
    return dir;
  };

  test('checkGsm8kCopy compares its sha256 with the official one', () => {
    expect(checkGsm8kCopy('test', GSM8K_DIR)).toMatchObject({
      official: true,
      sha256: GSM8K_FILES.test.sha256,
    });
    const dir = crlfCopy();
    const c = checkGsm8kCopy('test', dir);
    expect(c).toEqual({
      split: 'test',
      file: path.join(dir, 'test.jsonl'),
      sha256: hashFileSync(path.join(dir, 'test.jsonl')),
      officialSha256: GSM8K_FILES.test.sha256,
      official: false,
    });
    expect(() => checkGsm8kCopy('train', dir)).toThrow(
      `${path.join(dir, 'train.jsonl')}: GSM8K train split not found`,
    );
  });

  test('is loaded as it is; the warning handler gets one line per file and process', () => {
    const dir = crlfCopy();
    const file = path.join(dir, 'test.jsonl');
    expect(loadGsm8k('test', { dir })).toHaveLength(1319); // no handler: nothing checked
    const seen: string[] = [];
    const before = setDataWarningHandler((m) => seen.push(m));
    try {
      loadGsm8k('test', { dir });
      gsm8kFile('test', dir);
      loadGsm8k('test', { dir: GSM8K_DIR });
    } finally {
      setDataWarningHandler(before);
    }
    expect(seen).toEqual([unofficialGsm8kMessage(checkGsm8kCopy('test', dir))]);
    expect(seen[0]).toContain(file);
    expect(seen[0]).toContain(hashFileSync(file));
    expect(seen[0]).toContain(GSM8K_FILES.test.sha256);
  });
});
