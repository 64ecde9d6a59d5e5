// The run manifest's one schema: what a finished tiny run wrote parses (the report's fixture run,
// written by an older exp, too), and a damaged manifest fails with one line naming file and field.
import { describe, expect, test } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordReportTime } from '../src/folder.js';
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

  test('a manifest read, updated and written again keeps every field (nested ones too)', () => {
    const dir = copy();
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    const attempt = { started: 'a', finished: 'b', status: 'finished', timings: { data_ms: 1 } };
    m.attempts = [attempt, { ...attempt, note: 'kept' }] as never;
    m.plan.evalSamples = 20;
    m.plan.sft = { enabled: true, samples: 50, epochs: 1 };
    writeFileSync(file, JSON.stringify(m));
    recordReportTime(dir, 7);
    const after = JSON.parse(readFileSync(file, 'utf8')) as typeof m;
    expect(after.plan).toEqual(m.plan);
    expect(after.attempts).toEqual([
      attempt,
      { ...attempt, note: 'kept', timings: { data_ms: 1, report_ms: 7 } },
    ]);
    const { attempts: _a, timings: _t, ...rest } = after;
    const { attempts: _b, timings: _u, ...before } = m;
    expect(rest).toEqual(before);
  });
});
