import {
  mkdtempSync,
  readFileSync,
  writeFileSync,
  mkdirSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataError, DownloadError } from '../src/errors.js';
import { GSM8K_FILES, loadGsm8k } from '../src/gsm8k.js';
import { sha256Hex } from '../src/hash.js';
import {
  checkGsm8kBytes,
  gsm8kUrl,
  importGsm8kDir,
  pullGsm8k,
  type PullProgress,
} from '../src/pull.js';
import { GSM8K_DIR } from './shared.js';

const real = {
  train: readFileSync(path.join(GSM8K_DIR, 'train.jsonl')),
  test: readFileSync(path.join(GSM8K_DIR, 'test.jsonl')),
};
const TEST_PATH = GSM8K_FILES.test.path;

// One loopback server plays the mirror; the first path segment picks its behaviour.
const hits: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    hits.push(url);
    const [, mode, ...rest] = url.split('/');
    const split = rest.join('/') === GSM8K_FILES.train.path ? 'train' : 'test';
    const body = real[split];
    if (!rest.join('/').startsWith('grade_school_math/data/') || mode === 'missing') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    } else if (mode === 'moved') {
      res.writeHead(302, { location: `/ok/${rest.join('/')}` }).end();
    } else if (mode === 'bad') {
      const corrupt = Buffer.from(body);
      corrupt[100] = corrupt[100] === 0x41 ? 0x42 : 0x41; // same length, one byte changed
      res.writeHead(200, { 'content-length': corrupt.length }).end(corrupt);
    } else if (mode === 'stall') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, 1000)); // then nothing, until the client gives up
    } else if (mode === 'trunc') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, 1000), () => res.socket?.destroy());
    } else {
      res.writeHead(200, { 'content-length': body.length }).end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const tmp = () => mkdtempSync(path.join(tmpdir(), 'pull-'));

describe('pullGsm8k', () => {
  test('downloads both splits, verifies them, reports progress, then skips the cached files', async () => {
    const dir = tmp();
    const progress: PullProgress[] = [];
    hits.length = 0;
    const results = await pullGsm8k({
      baseUrl: `${base}/ok/`,
      dir,
      onProgress: (p) => progress.push(p),
    });
    expect(results.map((r) => [r.split, r.status, r.records])).toEqual([
      ['train', 'downloaded', 7473],
      ['test', 'downloaded', 1319],
    ]);
    expect(sha256Hex(readFileSync(path.join(dir, 'train.jsonl')))).toBe(GSM8K_FILES.train.sha256);
    expect(readFileSync(path.join(dir, 'test.jsonl')).equals(real.test)).toBe(true);
    expect(loadGsm8k('test', { dir })).toHaveLength(1319);
    expect(hits).toEqual([`/ok/${GSM8K_FILES.train.path}`, `/ok/${TEST_PATH}`]);

    const lastTest = progress.filter((p) => p.split === 'test').at(-1);
    expect(lastTest).toEqual({
      split: 'test',
      url: `${base}/ok/${TEST_PATH}`,
      received: 749738,
      total: 749738,
    });
    const received = progress.filter((p) => p.split === 'train').map((p) => p.received);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(received.at(-1)).toBe(4166206);

    hits.length = 0;
    const again = await pullGsm8k({ baseUrl: `${base}/ok`, dir });
    expect(again.map((r) => r.status)).toEqual(['cached', 'cached']);
    expect(hits).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['test.jsonl', 'train.jsonl']); // no temp files left
  });

  test('follows a 302 redirect', async () => {
    const dir = tmp();
    hits.length = 0;
    const [r] = await pullGsm8k({ baseUrl: `${base}/moved`, dir, splits: ['test'] });
    expect(r).toMatchObject({ status: 'downloaded', source: `${base}/moved/${TEST_PATH}` });
    expect(hits).toEqual([`/moved/${TEST_PATH}`, `/ok/${TEST_PATH}`]);
    expect(readFileSync(path.join(dir, 'test.jsonl')).equals(real.test)).toBe(true);
  });

  test('EXP_GSM8K_URL picks the mirror', async () => {
    const before = process.env.EXP_GSM8K_URL;
    process.env.EXP_GSM8K_URL = `${base}/ok`;
    try {
      const [r] = await pullGsm8k({ dir: tmp(), splits: ['test'] });
      expect(r.source).toBe(`${base}/ok/${TEST_PATH}`);
    } finally {
      if (before === undefined) delete process.env.EXP_GSM8K_URL;
      else process.env.EXP_GSM8K_URL = before;
    }
  });

  test('a wrong checksum names expected and got, and leaves the old file alone', async () => {
    const dir = tmp();
    const old = path.join(dir, 'test.jsonl');
    writeFileSync(old, 'an older, edited copy\n');
    const url = `${base}/bad/${TEST_PATH}`;
    const corrupt = Buffer.from(real.test);
    corrupt[100] = corrupt[100] === 0x41 ? 0x42 : 0x41;
    const err = await pullGsm8k({ baseUrl: `${base}/bad`, dir, splits: ['test'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toBe(
      `${url}: wrong sha256: expected ${GSM8K_FILES.test.sha256}, got ${sha256Hex(corrupt)} (749738 bytes); nothing was written`,
    );
    expect(readFileSync(old, 'utf8')).toBe('an older, edited copy\n');
    expect(readdirSync(dir)).toEqual(['test.jsonl']);
  });

  test('a truncated body is reported and nothing is written', async () => {
    const dir = tmp();
    const err = await pullGsm8k({ baseUrl: `${base}/trunc`, dir, splits: ['test'] }).catch(
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(
      new RegExp(`^${base}/trunc/${TEST_PATH}: truncated body: received \\d+ of 749738 bytes`),
    );
    expect((err as Error).message).not.toContain('\n');
    expect(existsSync(path.join(dir, 'test.jsonl'))).toBe(false);
  });

  test('a body shorter than Content-Length is caught even when the stream ends cleanly', async () => {
    const fetchImpl = (async () =>
      new Response(real.test.subarray(0, 500), {
        headers: { 'content-length': '749738' },
      })) as typeof fetch;
    await expect(
      pullGsm8k({ baseUrl: 'http://mirror.invalid', dir: tmp(), splits: ['test'], fetchImpl }),
    ).rejects.toThrow(
      `http://mirror.invalid/${TEST_PATH}: truncated body: received 500 of 749738 bytes (Content-Length)`,
    );
  });

  test('a stalled connection times out instead of hanging', async () => {
    await expect(
      pullGsm8k({ baseUrl: `${base}/stall`, dir: tmp(), splits: ['test'], timeoutMs: 300 }),
    ).rejects.toThrow(`${base}/stall/${TEST_PATH}: timed out after 0.3 s`);
  });

  test('HTTP 404 names the URL', async () => {
    await expect(
      pullGsm8k({ baseUrl: `${base}/missing`, dir: tmp(), splits: ['test'] }),
    ).rejects.toThrow(
      `${base}/missing/${TEST_PATH}: HTTP 404 Not Found; check the URL (baseUrl / EXP_GSM8K_URL)`,
    );
  });

  test('an unreachable host suggests the offline paths', async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const url = gsm8kUrl('test', `http://127.0.0.1:${port}`);
    await expect(
      pullGsm8k({ baseUrl: `http://127.0.0.1:${port}`, dir: tmp(), splits: ['test'] }),
    ).rejects.toThrow(
      `cannot reach ${url} (ECONNREFUSED); without internet, set EXP_GSM8K_DIR to a folder holding train.jsonl and test.jsonl, or copy them into the cache with \`exp data import <dir>\``,
    );
  });
});

describe('checkGsm8kBytes', () => {
  test('a record count other than expected is refused', () => {
    const bytes = Buffer.from('{"question":"q","answer":"#### 1"}\n');
    expect(() =>
      checkGsm8kBytes(bytes, { sha256: sha256Hex(bytes), records: 2 }, 'x.jsonl'),
    ).toThrow(new DataError('x.jsonl: expected 2 records, got 1; nothing was written'));
    expect(checkGsm8kBytes(bytes, { sha256: sha256Hex(bytes), records: 1 }, 'x.jsonl')).toBe(1);
  });
});

describe('importGsm8kDir', () => {
  test('copies a local folder into the cache after the checks, then finds it cached', () => {
    const dir = tmp();
    const results = importGsm8kDir(GSM8K_DIR, { dir });
    expect(results.map((r) => [r.split, r.status, r.records])).toEqual([
      ['train', 'imported', 7473],
      ['test', 'imported', 1319],
    ]);
    expect(readFileSync(path.join(dir, 'train.jsonl')).equals(real.train)).toBe(true);
    expect(importGsm8kDir(GSM8K_DIR, { dir }).map((r) => r.status)).toEqual(['cached', 'cached']);
  });

  test('accepts a clone of the repository', () => {
    const clone = tmp();
    mkdirSync(path.join(clone, 'grade_school_math/data'), { recursive: true });
    writeFileSync(path.join(clone, TEST_PATH), real.test);
    const dir = tmp();
    const [r] = importGsm8kDir(clone, { dir, splits: ['test'] });
    expect(r).toMatchObject({ status: 'imported', source: path.join(clone, TEST_PATH) });
  });

  test('a modified local file is refused and a missing one is named', () => {
    const src = tmp();
    writeFileSync(path.join(src, 'test.jsonl'), real.test.subarray(0, 2000));
    const dir = tmp();
    expect(() => importGsm8kDir(src, { dir, splits: ['test'] })).toThrow(
      `${path.join(src, 'test.jsonl')}: wrong sha256: expected ${GSM8K_FILES.test.sha256}, got ${sha256Hex(real.test.subarray(0, 2000))} (2000 bytes); nothing was written`,
    );
    expect(existsSync(path.join(dir, 'test.jsonl'))).toBe(false);
    expect(() => importGsm8kDir(src, { dir, splits: ['train'] })).toThrow(
      `${path.join(src, 'train.jsonl')}: GSM8K train split not found`,
    );
  });

  test('a folder without GSM8K files says so', () => {
    const src = tmp();
    expect(() => importGsm8kDir(src, { dir: tmp() })).toThrow(
      `${src}: not a GSM8K folder (no train.jsonl or test.jsonl there or in grade_school_math/data/); to import another benchmark, give its JSON or JSONL file`,
    );
  });
});
