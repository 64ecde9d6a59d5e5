// `exp sft verify`: one training step of a golden checkpoint vs its golden file, --out readable
// back, and a golden file of another checkpoint as a one-line error.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSafetensors } from '@exp/models';
import { SHARED_DIR, exp } from './helpers.js';

const dir = (model: string) => path.join(SHARED_DIR, 'golden', model);
const goldenFile = (model: string) => path.join(dir(model), 'golden.safetensors');
/** `exp sft verify` of a golden checkpoint against its own golden file. */
const verify = (model: string, ...extra: string[]) =>
  exp('sft', 'verify', '--checkpoint', dir(model), '--golden', goldenFile(model), ...extra);

const e = String.raw`\d\.\d\de[-+]\d+`;
const line = (name: string, criterion: string, count: string) =>
  new RegExp(
    `^ok    ${name.padEnd(30).replace(/[.*|]/g, '\\$&')} max abs ${e}  max rel ${e}  \\(${criterion}; ${count} values\\)$`,
  );

describe('exp sft verify', () => {
  test.each([
    ['tiny-llama', 21],
    ['tiny-diffllama', 42],
  ])('%s: one line per group, all ok, --out matches golden', async (model, params) => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'exp-sft-verify-'));
    try {
      const out = path.join(tmp, 'ours.safetensors');
      const r = await verify(model, '--out', out);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const lines = r.out.split('\n');
      expect(lines).toHaveLength(6);
      expect(lines[0]).toMatch(line('train.loss', 'rel <= 1e-6', '1'));
      expect(lines[1]).toMatch(line('grad.*', 'abs <= 1e-6', '\\d+'));
      expect(lines[2]).toMatch(line('after_adamw.* |g| >= 1e-6 or 0', 'abs <= 1e-6', '\\d+'));
      expect(lines[3]).toMatch(line('after_adamw.* 0 < |g| < 1e-6', 'abs <= 2e-3', '\\d+'));
      expect(lines[4]).toBe(`sft verify: wrote ${out}`);
      expect(lines[5]).toBe(`verified loss, ${params} gradients and one AdamW step`);

      const ours = readSafetensors(out);
      const golden = readSafetensors(goldenFile(model));
      expect(ours.size).toBe(1 + 2 * params);
      const loss = Number(ours.get('train.loss')!.data[0]);
      const want = Number(golden.get('train.loss')!.data[0]);
      expect(ours.get('train.loss')!.shape).toEqual([]);
      expect(Math.abs(loss - want) / want).toBeLessThanOrEqual(1e-6);
      const worst = { grad: 0, after: 0 };
      for (const [name, t] of ours) {
        if (name === 'train.loss') continue;
        const ref = golden.get(name)!;
        expect(t.shape).toEqual(ref.shape);
        const kind = name.startsWith('grad.') ? 'grad' : 'after';
        const g = golden.get(name.replace(/^after_adamw\./, 'grad.'))!.data as Float32Array;
        (ref.data as Float32Array).forEach((w, i) => {
          // golden README: below |g| = 1e-6 the step amplifies float32 noise (atol 2e-3 there)
          if (kind === 'after' && g[i] !== 0 && Math.abs(g[i]!) < 1e-6) return;
          worst[kind] = Math.max(worst[kind], Math.abs((t.data as Float32Array)[i]! - w));
        });
      }
      expect(worst.grad).toBeLessThanOrEqual(1e-6);
      expect(worst.after).toBeLessThanOrEqual(1e-6);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('--precision float64: the gradient line carries the float64 bound', async () => {
    const model = 'tiny-diffllama-l3';
    const r = await verify(model, '--precision', 'float64');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(line('train.loss', 'rel <= 1e-6', '1'));
    expect(lines[1]).toMatch(
      line('grad.*', 'abs <= 1e-6, rel <= 1e-4 where \\|g\\| > 1e-6', '624000'),
    );
    const rel = Number(/max rel (\S+)/.exec(lines[1]!)![1]);
    expect(rel).toBeLessThan(1e-7);
    expect(lines[4]).toBe(
      "verified loss, 54 gradients in float64 and one AdamW step (21 after_adamw from golden's closed form)",
    );
  });

  test('a golden file of another checkpoint: one line naming the mismatched tensor, exit 1', async () => {
    const r = await exp(
      'sft',
      'verify',
      '--checkpoint',
      dir('tiny-llama'),
      '--golden',
      goldenFile('tiny-llama-tied'),
    );
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `error: ${goldenFile('tiny-llama-tied')}: tensor 'grad.model.layers.0.self_attn.k_proj.weight' has shape [64, 64], ${dir('tiny-llama')} has 'model.layers.0.self_attn.k_proj.weight' [32, 64]`,
    );
  });
});
