// The run manifest's one schema: what a finished tiny run wrote parses (the report's fixture run,
// written by an older exp, too), and a damaged manifest fails with one line naming file and field.
import { describe, expect, test } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunManifest } from '../src/manifest.js';

const OLDER_RUN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../report/test/fixtures/run-q',
);

function copy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-run-manifest-'));
  cpSync(path.join(OLDER_RUN, 'manifest.json'), path.join(dir, 'manifest.json'));
  return dir;
}

describe('readRunManifest', () => {
  test('reads a run written before attempts and ci_methods were recorded', () => {
    const m = readRunManifest(OLDER_RUN);
    expect(m.run).toBe('q');
    expect(m.status).toBe('finished');
    expect(m.attempts).toBeUndefined();
    expect(m.ci_methods).toBeUndefined();
    // unknown top-level fields are kept
    expect(m.steps_not_built).toBeDefined();
  });

  test.each([
    [
      'status',
      'done',
      'status: Invalid option: expected one of "running"|"finished"|"interrupted"|"failed"',
    ],
    ['plan', undefined, 'plan: Invalid input: expected object, received undefined'],
    ['seeds', { run: 1.5 }, 'seeds.run: Invalid input: expected int, received number'],
  ])('a bad %s is one line naming the file and field', (field, value, message) => {
    const dir = copy();
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    m[field] = value;
    writeFileSync(file, JSON.stringify(m));
    expect(() => readRunManifest(dir)).toThrow(`${file}: ${message}`);
  });
});
