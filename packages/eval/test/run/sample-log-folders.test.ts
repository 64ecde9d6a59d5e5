// sampleLogFolders: the evaluations a run folder logged, read back from sampleLogPath's layout.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { sampleLogFolders, sampleLogPath } from '../../src/run/run-evaluation.js';

describe('sampleLogFolders', () => {
  test('zero-shot first, then samples_<evalType>/ by name; files and other folders ignored', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-eval-folders-'));
    for (const t of ['post_sft', 'zero_shot', 'alpha']) {
      const file = sampleLogPath(dir, 'm', 'clean', t);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, '');
    }
    writeFileSync(path.join(dir, 'samples_notes'), 'a file, not a folder');
    mkdirSync(path.join(dir, 'sft'));
    expect(sampleLogPath(dir, 'm', 'clean', 'post_sft')).toBe(
      path.join(dir, 'samples_post_sft', 'm', 'clean.jsonl'),
    );
    expect(sampleLogFolders(dir)).toEqual([
      { folder: 'samples', evalType: 'zero_shot' },
      { folder: 'samples_alpha', evalType: 'alpha' },
      { folder: 'samples_post_sft', evalType: 'post_sft' },
    ]);
    expect(sampleLogFolders(path.join(dir, 'missing'))).toEqual([]);
  });
});
