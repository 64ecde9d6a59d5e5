import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  HubAuthError,
  HubDownloadError,
  HubNotFoundError,
  HubUnreachableError,
} from '../../src/hub/errors.js';
import { gitBlobSha1, sha256, startFakeHub, type FakeHub } from '../fake-hub.js';
import { pullModel, type PullProgress } from '../../src/hub/pull.js';

const COMMIT = 'a'.repeat(39) + '1';
const SUB = 'checkpoint-64434';
const weights = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251));
const files: Record<string, Buffer> = {
  'README.md': Buffer.from('# Llama_375M\n'),
  [`${SUB}/config.json`]: Buffer.from('{"model_type": "llama"}\n'),
  [`${SUB}/generation_config.json`]: Buffer.from('{"eos_token_id": [128001, 128009]}\n'),
  [`${SUB}/model.safetensors`]: weights,
  [`${SUB}/tokenizer.json`]: Buffer.from('{"model": {}}'.padEnd(5000, ' ')),
  [`${SUB}/tokenizer_config.json`]: Buffer.from('{}'),
  [`${SUB}/special_tokens_map.json`]: Buffer.from('{"eos_token": "<|eot_id|>"}'),
  [`${SUB}/optimizer.pt`]: Buffer.alloc(3000, 1),
  [`${SUB}/trainer_state.json`]: Buffer.from('{}'),
  [`${SUB}/nested/extra.safetensors`]: Buffer.alloc(10),
};
const isLfs = (p: string) => /\.(safetensors|pt)$/.test(p) || p.endsWith('tokenizer.json');
const WANTED = [
  'config.json',
  'generation_config.json',
  'model.safetensors',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

let hub: FakeHub;
let tmp: string;
let cacheN = 0;
const freshCache = () => path.join(tmp, `cache-${cacheN++}`);

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-hub-'));
  hub = await startFakeHub([
    { repo: 'reyllama/Llama_375M', refs: { main: COMMIT }, files, lfs: isLfs },
    {
      repo: 'reyllama/DiffLlama-375M',
      refs: { main: 'b'.repeat(40), v1: 'c'.repeat(40) },
      files,
      lfs: isLfs,
      token: 'hf_secret',
    },
    { repo: 'meta/gated', refs: { main: COMMIT }, files, lfs: isLfs, gated: true },
    {
      repo: 'org/root-tokenizer',
      refs: { main: COMMIT },
      files: {
        'tokenizer.json': files[`${SUB}/tokenizer.json`],
        'tokenizer_config.json': files[`${SUB}/tokenizer_config.json`],
        'config.json': Buffer.from('{"model_type": "diffllama"}\n'),
        [`${SUB}/config.json`]: files[`${SUB}/config.json`],
        [`${SUB}/model.safetensors`]: weights,
      },
      lfs: isLfs,
    },
  ]);
});
afterAll(async () => {
  await hub.close();
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  hub.log.length = 0;
  hub.faults.clear();
});

/** A port nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

describe('pullModel against a loopback hub', () => {
  test('downloads only the checkpoint files of the subfolder into the HF cache layout', async () => {
    const cacheDir = freshCache();
    const events: PullProgress[] = [];
    const dir = await pullModel('reyllama/Llama_375M', {
      subfolder: SUB,
      cacheDir,
      endpoint: hub.endpoint,
      onProgress: (e) => events.push(e),
    });
    const storage = path.join(cacheDir, 'models--reyllama--Llama_375M');
    expect(dir).toBe(path.join(storage, 'snapshots', COMMIT, SUB));
    expect(readdirSync(dir).sort()).toEqual(WANTED);
    expect(readFileSync(path.join(storage, 'refs', 'main'), 'utf8')).toBe(COMMIT);
    for (const name of WANTED) {
      const content = files[`${SUB}/${name}`];
      const etag = isLfs(name) ? sha256(content) : gitBlobSha1(content);
      expect(readlinkSync(path.join(dir, name))).toBe(`../../../blobs/${etag}`);
      expect(readFileSync(path.join(dir, name)).equals(content)).toBe(true);
    }
    expect(readdirSync(path.join(storage, 'blobs')).some((f) => f.endsWith('.incomplete'))).toBe(
      false,
    );
    // LFS files came through the CDN redirect; no request carried a token (none was given).
    const cdn = hub.log.filter((r) => r.server === 'cdn').map((r) => r.url.split('?')[0]);
    expect(cdn.sort()).toEqual(
      [`/${sha256(weights)}`, `/${sha256(files[`${SUB}/tokenizer.json`])}`].sort(),
    );
    expect(hub.log.every((r) => r.authorization === undefined)).toBe(true);
    expect(hub.log.some((r) => r.url.includes('optimizer.pt') || r.url.includes('extra'))).toBe(
      false,
    );
    const done = events.filter((e) => e.status === 'done');
    expect(done.map((e) => e.file).sort()).toEqual(WANTED.map((n) => `${SUB}/${n}`));
    expect(done.find((e) => e.file.endsWith('model.safetensors'))).toMatchObject({
      downloaded: 200_000,
      total: 200_000,
      count: 6,
    });

    // Second pull: everything is cached, nothing is downloaded.
    hub.log.length = 0;
    const again: PullProgress[] = [];
    await pullModel('reyllama/Llama_375M', {
      subfolder: SUB,
      cacheDir,
      endpoint: hub.endpoint,
      onProgress: (e) => again.push(e),
    });
    expect(hub.log.filter((r) => r.url.includes('/resolve/') || r.server === 'cdn')).toEqual([]);
    expect(again.map((e) => e.status)).toEqual(new Array(6).fill('cached'));

    // Unreachable endpoint, snapshot cached: the cached folder is returned.
    expect(
      await pullModel('reyllama/Llama_375M', {
        subfolder: SUB,
        cacheDir,
        endpoint: await closedPortUrl(),
      }),
    ).toBe(dir);
    // Offline mode reads only the cache.
    expect(
      await pullModel('reyllama/Llama_375M', { subfolder: SUB, cacheDir, offline: true }),
    ).toBe(dir);
  });

  test('a subfolder without a tokenizer gets the repo root tokenizer files', async () => {
    const cacheDir = freshCache();
    const dir = await pullModel('org/root-tokenizer', {
      subfolder: SUB,
      cacheDir,
      endpoint: hub.endpoint,
    });
    expect(readdirSync(dir).sort()).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(readFileSync(path.join(dir, 'tokenizer.json'))).toEqual(files[`${SUB}/tokenizer.json`]);
    // the subfolder's own config, not the root one
    expect(readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('{"model_type": "llama"}\n');
    expect(existsSync(path.join(dir, '..', 'tokenizer.json'))).toBe(true);
    // a second pull is served from the cache
    const before = hub.log.length;
    await pullModel('org/root-tokenizer', { subfolder: SUB, cacheDir, endpoint: hub.endpoint });
    expect(hub.log.filter((r, i) => i >= before && r.url.includes('/resolve/'))).toHaveLength(0);
  });

  test('network unreachable and nothing cached: one clear line', async () => {
    const endpoint = await closedPortUrl();
    const err = await pullModel('reyllama/Llama_375M', {
      subfolder: SUB,
      cacheDir: freshCache(),
      endpoint,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnreachableError);
    expect((err as Error).message).toBe(
      `cannot reach ${endpoint}; set HF_ENDPOINT or download on another machine and use --checkpoint`,
    );
  });

  test('404s name what is missing', async () => {
    const base = { cacheDir: freshCache(), endpoint: hub.endpoint };
    await expect(pullModel('reyllama/Nope', { ...base, subfolder: SUB })).rejects.toThrow(
      new HubNotFoundError(
        `reyllama/Nope: repository or revision "main" not found on ${hub.endpoint}`,
      ),
    );
    await expect(
      pullModel('reyllama/Llama_375M', { ...base, revision: 'v9', subfolder: SUB }),
    ).rejects.toThrow(
      `reyllama/Llama_375M: repository or revision "v9" not found on ${hub.endpoint}`,
    );
    await expect(
      pullModel('reyllama/Llama_375M', { ...base, subfolder: 'checkpoint-1' }),
    ).rejects.toThrow(
      new HubNotFoundError('reyllama/Llama_375M@main: subfolder "checkpoint-1" not found'),
    );
    // The repo root has no config.json.
    await expect(pullModel('reyllama/Llama_375M', base)).rejects.toThrow(
      'reyllama/Llama_375M@main: no config.json in the repo root',
    );
  });

  test('401 mentions HF_TOKEN; the token opens the private repo and never reaches the CDN', async () => {
    const base = { cacheDir: freshCache(), endpoint: hub.endpoint, subfolder: SUB };
    const err = await pullModel('reyllama/DiffLlama-375M', base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubAuthError);
    expect((err as Error).message).toBe(
      `reyllama/DiffLlama-375M: 401 Unauthorized from ${hub.endpoint}: the repo is private, gated or missing; ` +
        'set HF_TOKEN to a token that can read it',
    );
    await expect(
      pullModel('reyllama/DiffLlama-375M', { ...base, token: 'hf_wrong' }),
    ).rejects.toThrow('the token in HF_TOKEN was refused');
    hub.log.length = 0;
    const dir = await pullModel('reyllama/DiffLlama-375M', {
      ...base,
      token: 'hf_secret',
      revision: 'v1',
    });
    expect(dir).toContain(path.join('snapshots', 'c'.repeat(40), SUB));
    expect(readFileSync(path.join(dir, 'model.safetensors')).equals(weights)).toBe(true);
    expect(
      hub.log
        .filter((r) => r.server === 'hub')
        .every((r) => r.authorization === 'Bearer hf_secret'),
    ).toBe(true);
    expect(
      hub.log.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined),
    ).toBe(true);
    expect(hub.log.some((r) => r.server === 'cdn')).toBe(true);
  });

  test('a truncated body leaves a resumable .incomplete; the next pull resumes with Range', async () => {
    const cacheDir = freshCache();
    const opts = { cacheDir, endpoint: hub.endpoint, subfolder: SUB };
    hub.faults.set(`${SUB}/model.safetensors`, 'truncate-once');
    const err = await pullModel('reyllama/Llama_375M', opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubDownloadError);
    expect((err as HubDownloadError).resumable).toBe(true);
    expect((err as Error).message).toMatch(
      /model\.safetensors: download (interrupted|ended) after 100000 of 200000 bytes.*run again to resume/,
    );
    const incomplete = path.join(
      cacheDir,
      'models--reyllama--Llama_375M',
      'blobs',
      `${sha256(weights)}.incomplete`,
    );
    expect(statSync(incomplete).size).toBe(100_000);

    hub.log.length = 0;
    const dir = await pullModel('reyllama/Llama_375M', opts);
    expect(readFileSync(path.join(dir, 'model.safetensors')).equals(weights)).toBe(true);
    // The Range goes to the resolve URL and is sent again to the CDN it redirects to.
    expect(hub.log.filter((r) => r.range).map((r) => [r.server, r.range])).toEqual([
      ['hub', 'bytes=100000-'],
      ['cdn', 'bytes=100000-'],
    ]);
    expect(existsSync(incomplete)).toBe(false);
  });

  test('wrong content is rejected by its sha256 and removed', async () => {
    const cacheDir = freshCache();
    hub.faults.set(`${SUB}/model.safetensors`, 'corrupt');
    const err = await pullModel('reyllama/Llama_375M', {
      cacheDir,
      endpoint: hub.endpoint,
      subfolder: SUB,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubDownloadError);
    expect((err as Error).message).toContain(
      `model.safetensors: sha256 mismatch (expected ${sha256(weights)}, got `,
    );
    const blobs = readdirSync(path.join(cacheDir, 'models--reyllama--Llama_375M', 'blobs'));
    expect(blobs.filter((b) => b.startsWith(sha256(weights)))).toEqual([]);
    // A corrupted small (non-LFS) file is caught by its git blob sha1.
    hub.faults.set(`${SUB}/config.json`, 'corrupt');
    hub.faults.delete(`${SUB}/model.safetensors`);
    await expect(
      pullModel('reyllama/Llama_375M', {
        cacheDir: freshCache(),
        endpoint: hub.endpoint,
        subfolder: SUB,
      }),
    ).rejects.toThrow(
      `config.json: git sha1 mismatch (expected ${gitBlobSha1(files[`${SUB}/config.json`])}`,
    );
  });

  test('HF_ENDPOINT, HF_HOME and HF_TOKEN are honoured', async () => {
    const saved = { ...process.env };
    try {
      const home = path.join(tmp, 'hf-home');
      delete process.env.HF_HUB_CACHE;
      delete process.env.HUGGINGFACE_HUB_CACHE;
      delete process.env.HF_HUB_OFFLINE;
      process.env.HF_HOME = home;
      process.env.HF_ENDPOINT = `${hub.endpoint}/`;
      process.env.HF_TOKEN = 'hf_secret';
      const dir = await pullModel('reyllama/DiffLlama-375M', { subfolder: SUB });
      expect(dir).toBe(
        path.join(
          home,
          'hub',
          'models--reyllama--DiffLlama-375M',
          'snapshots',
          'b'.repeat(40),
          SUB,
        ),
      );
      process.env.HF_HUB_CACHE = path.join(tmp, 'hub-cache');
      expect(await pullModel('reyllama/Llama_375M', { subfolder: SUB })).toBe(
        path.join(tmp, 'hub-cache', 'models--reyllama--Llama_375M', 'snapshots', COMMIT, SUB),
      );
    } finally {
      process.env = saved;
    }
  });

  test('bad arguments fail before any request', async () => {
    await expect(pullModel('not a repo')).rejects.toThrow('repo "not a repo": expected "org/name"');
    await expect(pullModel('a/b', { subfolder: '../x' })).rejects.toThrow(
      'must be a plain path inside the repo',
    );
    expect(hub.log).toEqual([]);
  });
});
