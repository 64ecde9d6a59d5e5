// `exp report <run-dir>`: the report of a run folder, its images inlined in report.html or linked
// (--self-contained / --no-self-contained; default by size). Uses @exp/report's fixture run.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';
import { exp } from './helpers.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../packages/report/test/fixtures/run-q',
);
const root = mkdtempSync(path.join(tmpdir(), 'cli-report-'));
const dir = path.join(root, 'q');
cpSync(FIXTURE, dir, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const chartSources = () =>
  [
    ...readFileSync(path.join(dir, 'report.html'), 'utf8').matchAll(
      /<img class="fallback" alt="[^"]*" src="([^"]*)"/g,
    ),
  ].map((m) => m[1]);

describe('exp report', () => {
  test('a small run: report.html inlines its images; --no-self-contained links them', async () => {
    const r = await exp('report', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^report: report\.html inlines its images \(0\.\d MB\)$/m);
    expect(chartSources()).toHaveLength(8);
    expect(chartSources().every((s) => s.startsWith('data:image/png;base64,'))).toBe(true);

    const linked = await exp('report', dir, '--no-self-contained');
    expect(linked.code).toBe(0);
    expect(linked.out).toMatch(
      /^report: report\.html links its images \(0\.\d MB\) from charts\/ and attention_maps\/; --self-contained inlines them$/m,
    );
    expect(chartSources()[0]).toBe('charts/model_comparison.png');

    const forced = await exp('report', dir, '--self-contained');
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/^report: report\.html inlines its images/m);
    expect(chartSources()[0]).toMatch(/^data:image\/png;base64,/);
  });
});
