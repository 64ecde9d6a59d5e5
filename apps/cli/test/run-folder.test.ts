// What the run folder says about a run: the report shows its final status, a failed invocation
// leaves no empty folder (or a manifest marked failed), --resume continues a run as it started,
// and the manifest keeps the timings of every attempt.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exp } from './helpers.js';
import { readManifest, useRunEnv } from './run-helpers.js';

const env = useRunEnv('cli-run-folder-');
const base = () => [
  ...['run', '--models', 'tiny-llama', '--datasets', 'clean', '--max-samples', '2'],
  ...['--task', env.task, '--skip-sft', '--skip-attention'],
];

describe('exp run: the run folder tells the truth', () => {
  test('the report written at the end shows the final status', async () => {
    const r = await exp(...base(), '--run-id', 'reported');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dir = path.join(env.results, 'reported');
    expect(readManifest(dir).status).toBe('finished');
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('- status: finished');
    expect(md).not.toContain('running');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('status: finished');
    expect(html).not.toContain('status: running');
  }, 120_000);
});
