// tools/gpu-check.sh, the script a session lent a GPU runs: its `--device cpu --smoke` path walks
// every step here (a run on the device, a reference run at batch size 1, the completion
// comparison, the decode bench), and `--device cuda` on a machine without the CUDA provider stops
// at once with one line and exit 3.
import { describe, expect, jest, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GSM8K_DIR } from './helpers.js';

// two small runs with a two-item fine-tune each and a 16-token bench: ~1-2 min on 2 busy cores
jest.setTimeout(600_000);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCRIPT = path.join(ROOT, 'tools/gpu-check.sh');

function check(...args: string[]) {
  const out = mkdtempSync(path.join(tmpdir(), 'gpu-check-'));
  const env = { ...process.env, EXP_GSM8K_DIR: GSM8K_DIR };
  const r = spawnSync('bash', [SCRIPT, ...args, '--out', out], { env, encoding: 'utf8' });
  return { out, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tools/gpu-check.sh', () => {
  test('--device cpu --smoke: every step runs and the completions agree exactly', () => {
    const r = check('--device', 'cpu', '--smoke');
    try {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // 2 models x 2 sets x 2 problems, zero-shot and post-SFT
      expect(r.stdout).toContain('gpu-check: all identical: 16 of 16 completions');
      for (const kind of ['samples', 'samples_post_sft']) {
        for (const m of ['tiny-llama', 'tiny-diffllama']) {
          for (const set of ['clean', 'inf']) {
            expect(r.stdout).toContain(`${kind}/${m}/${set}.jsonl: 2 of 2 completions identical`);
          }
        }
      }
      // the bench table: batch 1 and 4 of the tiny model on the asked device
      expect(r.stdout).toMatch(/^gpu-check: \| tiny-llama +\| 1 +\| exp \(external-kv\)/m);
      expect(r.stdout).toMatch(/^gpu-check: \| tiny-llama +\| 4 +\| exp \(external-kv\)/m);
      expect(readFileSync(path.join(r.out, 'gpu-check.log'), 'utf8')).toContain('gpu-check: done');
    } finally {
      rmSync(r.out, { recursive: true, force: true });
    }
  });

  test('--device cuda without the CUDA provider: one line, exit 3, nothing run', () => {
    const r = check('--device', 'cuda');
    try {
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/^gpu-check: the CUDA execution provider does not load here: /m);
      expect(r.stdout).not.toContain('run on cuda');
    } finally {
      rmSync(r.out, { recursive: true, force: true });
    }
  });

  test('a bad --device is a usage error', () => {
    const r = check('--device', 'gpu');
    rmSync(r.out, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: --device: expected one of cpu, cuda, got "gpu"');
  });
});
