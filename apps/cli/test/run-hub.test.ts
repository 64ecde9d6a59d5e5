// The first-use path of the real model names through `exp run`: the loopback fake hub serves the
// tiny presets as reyllama/Llama_375M and reyllama/DiffLlama-375M (checkpoint-64434); the run
// pulls, exports and evaluates; a second run with the hub gone reuses the models cache; offline
// with nothing cached, one line says how to run offline.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { FakeHub } from '../../../packages/models/test/fake-hub.js';
import {
  DIFFLLAMA_REPO,
  LLAMA_REPO,
  presetRepoFiles,
  serveRepos,
  SUBFOLDER,
} from '../../../packages/models/test/registry/hub-fixture.js';
import { exp } from './helpers.js';
import { readManifest, sampleLines, useRunEnv } from './run-helpers.js';

const env = useRunEnv('cli-hub-');
const COMMIT = 'a'.repeat(40);
let hub: FakeHub;

beforeAll(async () => {
  hub = await serveRepos(COMMIT, {
    llama: await presetRepoFiles('tiny-llama', path.join(env.root, 'src-llama'), 1),
    diffllama: await presetRepoFiles('tiny-diffllama', path.join(env.root, 'src-diffllama'), 1),
  });
  process.env.HF_ENDPOINT = hub.endpoint;
  delete process.env.HF_HUB_OFFLINE;
});
afterAll(async () => {
  await hub.close();
});

const run = (runId: string) =>
  exp(
    ...['run', '--models', 'llama,diffllama', '--max-samples', '2', '--datasets', 'clean'],
    ...['--task', env.task, '--skip-sft', '--skip-attention', '--skip-report', '--run-id', runId],
  );

describe('exp run with the hub models', () => {
  test('first use pulls from the hub, exports into the models cache and evaluates', async () => {
    const r = await run('first');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const name of ['llama', 'diffllama']) {
      expect(r.out).toContain(`model ${name}: exported to ${path.join(env.models, name)}`);
    }
    expect(hub.log.some((l) => l.url.includes(`/${LLAMA_REPO}/resolve/`))).toBe(true);
    expect(hub.log.some((l) => l.url.includes(`/${DIFFLLAMA_REPO}/resolve/`))).toBe(true);
    const dir = path.join(env.results, 'first');
    expect(sampleLines(dir, 'llama', 'clean')).toHaveLength(2);
    expect(sampleLines(dir, 'diffllama', 'clean')).toHaveLength(2);
    const m = readManifest(dir);
    expect(m.models.llama).toMatchObject({
      modelType: 'llama',
      source: { repo: LLAMA_REPO, revision: COMMIT, subfolder: SUBFOLDER },
    });
    expect(m.models.diffllama).toMatchObject({
      modelType: 'diffllama',
      source: { repo: DIFFLLAMA_REPO, revision: COMMIT, subfolder: SUBFOLDER },
    });
    expect(r.out).toMatch(/^diffllama - llama /m);
  });

  test('a second run with the hub closed reuses the cached exports', async () => {
    await hub.close();
    hub.log.length = 0;
    const r = await run('second');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/exported to|exporting again/);
    expect(hub.log).toEqual([]);
    expect(sampleLines(path.join(env.results, 'second'), 'llama', 'clean')).toHaveLength(2);
  });

  test('offline with nothing cached: one line saying how to run offline', async () => {
    const saved = { ...process.env };
    process.env.HF_HUB_OFFLINE = '1';
    process.env.HF_HOME = path.join(env.root, 'empty-hf');
    process.env.EXP_MODELS_DIR = path.join(env.root, 'empty-models');
    try {
      const r = await run('offline');
      expect(r.code).toBe(1);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(
        /^error: llama: reyllama\/Llama_375M\/checkpoint-64434 is in neither the hub cache .* and offline mode is on \(HF_HUB_OFFLINE\); to run offline, pull it where there is internet \(exp models pull reyllama\/Llama_375M:checkpoint-64434\) and copy that HF_HOME here with HF_HUB_OFFLINE=1/,
      );
      const models = path.join(env.root, 'empty-models');
      expect(existsSync(models) ? readdirSync(models) : []).toEqual([]); // nothing half-made
    } finally {
      process.env = saved;
    }
  });
});
