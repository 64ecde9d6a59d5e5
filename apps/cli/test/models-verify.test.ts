// `exp models verify` wording: what was checked, what was measured but not checked (fp16 greedy
// ids) and what was skipped (attentions of an export without them), plus the --help tolerances
// and the byte formatting of the export progress bar.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { byteRate, formatBytes, formatRate, toMB } from '../src/bytes.js';
import { exp, SHARED_DIR } from './helpers.js';

const LLAMA = path.join(SHARED_DIR, 'golden/tiny-llama');
const GOLDEN = path.join(LLAMA, 'golden.safetensors');
let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cli-verify-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function exportLlama(name: string, ...extra: string[]) {
  const out = path.join(root, name);
  const r = await exp('models', 'export', '--checkpoint', LLAMA, '--out', out, ...extra);
  expect(r.code).toBe(0);
  return out;
}

describe('exp models verify: what it checked, did not check and skipped', () => {
  test('fp16: greedy ids are "not checked", not "0.00e+0 (<= Infinity) ok"', async () => {
    const dir = await exportLlama('fp16', '--dtype', 'fp16', '--attentions');
    const r = await exp('models', 'verify', '--checkpoint', dir, '--golden', GOLDEN);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/Infinity/);
    expect(r.out).toMatch(
      /^-- {4}generate\.generated_ids +not checked \(fp16: greedy ids may differ by rounding\)$/m,
    );
    expect(r.out).toMatch(/^ok {4}case_a\.logits +\d\.\d\de-\d+ \(<= 0\.05\)$/m);
    expect(r.out).toMatch(/^ok {4}case_a\.attentions\.0 +\d\.\d\de-\d+ \(<= 0\.01\)$/m);
    expect(r.out).not.toMatch(/^skip/m);
    expect(r.out).toMatch(/^verified \d+ checks \(fp16\); not checked: generate\.generated_ids$/m);
  });

  test('an export without attentions says the attention checks were skipped and why', async () => {
    const dir = await exportLlama('no-attentions');
    const r = await exp('models', 'verify', '--checkpoint', dir, '--golden', GOLDEN);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^skip {2}attentions +skipped \(the export has no attentions\.\* outputs; export with --attentions\)$/m,
    );
    expect(r.out).not.toMatch(/attentions\.0/);
    expect(r.out).toMatch(/^ok {4}generate\.generated_ids +0\.00e\+0 \(<= 0\)$/m);
    expect(r.out).toMatch(/^verified 4 checks \(fp32\); skipped: attentions$/m);
  });

  test('--help gives the logits tolerance of both dtypes', async () => {
    const r = await exp('models', 'verify', '--help');
    expect(r.out.replace(/\s+/g, ' ')).toContain(
      'Max abs error allowed on logits (default 1e-4 for an fp32 export, 5e-2 for fp16)',
    );
  });
});

describe('bytes: progress counts in MB and rates in MB/s', () => {
  test('formatting', () => {
    expect(toMB(12_345_678)).toBe(12.3);
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(1_500_000_000)).toBe('1.50 GB');
    expect(formatRate(24_600_000, 2)).toBe('12.3 MB/s');
    expect(formatRate(1e6, 0)).toBe('0.0 MB/s');
  });

  test('the rate restarts with each stage', () => {
    let t = 0;
    const rate = byteRate(() => t);
    expect(rate('write', 0, 2e9)).toBe('| write 0 B of 2.00 GB at 0.0 MB/s');
    t = 10_000;
    expect(rate('write', 1e9, 2e9)).toBe('| write 1.00 GB of 2.00 GB at 100 MB/s');
    expect(rate('hash', 5e8, 4e9)).toBe('| hash 500.0 MB of 4.00 GB at 0.0 MB/s');
    t = 11_000;
    expect(rate('hash', 1e9, 4e9)).toBe('| hash 1.00 GB of 4.00 GB at 1000 MB/s');
  });
});
