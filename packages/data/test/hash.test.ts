import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GSM8K_FILES, loadGsm8k } from '../src/gsm8k.js';
import {
  canonicalJson,
  datasetFingerprint,
  hashFile,
  hashFileSync,
  sha256Hex,
} from '../src/hash.js';
import { GSM8K_DIR } from './shared.js';

describe('hashFile', () => {
  test('matches the published sha256 of the GSM8K files', async () => {
    const file = path.join(GSM8K_DIR, 'train.jsonl');
    expect(await hashFile(file)).toBe(GSM8K_FILES.train.sha256);
    expect(hashFileSync(path.join(GSM8K_DIR, 'test.jsonl'))).toBe(GSM8K_FILES.test.sha256);
  });

  test('known vector and a missing file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hash-')), 'abc.txt');
    writeFileSync(file, 'abc');
    expect(await hashFile(file)).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex('abc')).toBe(await hashFile(file));
    await expect(hashFile(`${file}.nope`)).rejects.toThrow(`${file}.nope: file not found`);
  });
});

describe('datasetFingerprint', () => {
  test('depends on content and order, not on key order', () => {
    const problems = loadGsm8k('test', { dir: GSM8K_DIR }).slice(0, 20);
    const fp = datasetFingerprint(problems);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    const reordered = problems.map(({ final, answer, question, id }) => ({
      final,
      answer,
      question,
      id,
    }));
    expect(datasetFingerprint(reordered)).toBe(fp);
    expect(datasetFingerprint([...problems].reverse())).not.toBe(fp);
    expect(
      datasetFingerprint(problems.map((p, i) => (i === 7 ? { ...p, final: '0' } : p))),
    ).not.toBe(fp);
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 0, y: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":1,"z":0}]},"b":1}',
    );
    // Canonical JSON lines: the fingerprint is the sha256 of that text.
    expect(datasetFingerprint([{ b: 1, a: 2 }, { c: 3 }])).toBe(
      sha256Hex('{"a":2,"b":1}\n{"c":3}\n'),
    );
  });
});
