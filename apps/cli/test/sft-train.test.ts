// `exp sft train` on golden tiny-llama (copied with a byte tokenizer: it ships none), 4 items,
// 1 epoch: steps, loss line, loss.jsonl, manifest.json and a final checkpoint.
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSafetensors } from '@exp/models';
import { readCheckpointParams, writeCheckpoint } from '@exp/train';
import { writeByteTokenizer } from '../../../packages/train/test/byte-tokenizer.js';
import { GSM8K_DIR, SHARED_DIR, exp } from './helpers.js';

describe('exp sft train', () => {
  test('tiny-llama, 4 samples, 1 epoch: 1 step (batch 2, accumulation 2), final/ written', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'exp-sft-train-'));
    try {
      const model = path.join(tmp, 'tiny-llama');
      mkdirSync(model);
      for (const f of ['config.json', 'model.safetensors']) {
        copyFileSync(path.join(SHARED_DIR, 'golden/tiny-llama', f), path.join(model, f));
      }
      writeByteTokenizer(model);
      const out = path.join(tmp, 'run');
      const args = ['--model', model, '--data', path.join(GSM8K_DIR, 'train.jsonl')];
      const trainFlags = [
        ...['--samples', '4', '--epochs', '1', '--lr', '1e-3', '--max-length', '64'],
        ...['--loss-on', 'all', '--out', out],
      ];
      const r = await exp('sft', 'train', ...args, ...trainFlags);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const lines = r.out.split('\n');
      expect(lines[0]).toMatch(/^sft: 1 steps, loss \d+\.\d{4} -> \d+\.\d{4}$/);
      expect(lines[1]).toBe(
        `sft: wrote ${path.join(out, 'final')}, ${path.join(out, 'loss.jsonl')} and ${path.join(out, 'manifest.json')}`,
      );
      // the manifest: command, options, hashes of the data and of both checkpoints, the result
      const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
      const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        versions: Record<string, string>;
        started: string;
        finished: string;
      };
      expect(m).toMatchObject({
        status: 'finished',
        resumed_at: [],
        command: ['exp', 'sft', 'train', ...args, ...trainFlags],
        options: { samples: 4, epochs: 1, lr: 1e-3, lossOn: 'all', seed: 42, out },
        seed: 42,
        model: {
          checkpoint: model,
          sha256: { 'model.safetensors': sha(path.join(model, 'model.safetensors')) },
        },
        data: {
          file: path.join(GSM8K_DIR, 'train.jsonl'),
          sha256: sha(path.join(GSM8K_DIR, 'train.jsonl')),
          records: 7473,
        },
        result: {
          steps: 1,
          final: path.join(out, 'final'),
          sha256: { 'model.safetensors': sha(path.join(out, 'final/model.safetensors')) },
        },
      });
      expect(m.versions).toMatchObject({ '@exp/train': '0.1.0', node: process.version });
      expect(Date.parse(m.finished)).toBeGreaterThanOrEqual(Date.parse(m.started));
      const recs = readFileSync(path.join(out, 'loss.jsonl'), 'utf8').trim().split('\n');
      expect(recs).toHaveLength(1);
      expect(JSON.parse(recs[0]!)).toMatchObject({ step: 1, lr: 1e-3 });
      expect(existsSync(path.join(out, 'final/model.safetensors'))).toBe(true);
      // A second run into the same folder is a one-line error.
      const manifest = readFileSync(path.join(out, 'manifest.json'));
      const again = await exp('sft', 'train', ...args, '--samples', '4', '--out', out);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(
        /holds a finished run \(final\/\); use another folder or remove it$/,
      );
      // refused before training: the finished run's manifest is untouched
      expect(readFileSync(path.join(out, 'manifest.json'))).toEqual(manifest);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  test('a bf16 checkpoint: --save-total-limit 1 keeps the last checkpoint, final/ is bf16 and exports', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'exp-sft-bf16-'));
    try {
      const golden = path.join(tmp, 'golden');
      mkdirSync(golden);
      for (const f of ['config.json', 'model.safetensors']) {
        copyFileSync(path.join(SHARED_DIR, 'golden/tiny-llama', f), path.join(golden, f));
      }
      const model = path.join(tmp, 'tiny-llama-bf16');
      await writeCheckpoint(model, readCheckpointParams(golden), {
        sourceDir: golden,
        dtype: 'bfloat16',
      });
      writeByteTokenizer(model);
      const out = path.join(tmp, 'run');
      const r = await exp(
        ...['sft', '--model', model, '--data', path.join(GSM8K_DIR, 'train.jsonl')],
        ...['--samples', '4', '--epochs', '2', '--batch-size', '1', '--grad-accum', '1'],
        ...['--max-length', '64', '--loss-on', 'all', '--checkpoint-every', '1'],
        ...['--save-total-limit', '1', '--out', out],
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out.split('\n')[0]).toMatch(/^sft: 8 steps, loss /);
      expect(readdirSync(out).filter((f) => f.startsWith('checkpoint-'))).toEqual(['checkpoint-7']);
      const dtypes = (dir: string) => [
        ...new Set(
          [...readSafetensors(path.join(dir, 'model.safetensors')).values()].map((t) => t.dtype),
        ),
      ];
      expect(dtypes(path.join(out, 'final'))).toEqual(['BF16']);
      expect(dtypes(path.join(out, 'checkpoint-7'))).toEqual(['F32']);
      const config = JSON.parse(readFileSync(path.join(out, 'final/config.json'), 'utf8'));
      expect(config.torch_dtype).toBe('bfloat16');
      const onnx = path.join(tmp, 'onnx');
      const e = await exp(
        'models',
        'export',
        '--checkpoint',
        path.join(out, 'final'),
        '--out',
        onnx,
      );
      expect(e.err).toBe('');
      expect(e.code).toBe(0);
      expect(existsSync(path.join(onnx, 'model.onnx'))).toBe(true);
      // --save-dtype float32 and a bad value
      const f32 = await exp(
        ...['sft', '--model', model, '--data', path.join(GSM8K_DIR, 'train.jsonl')],
        ...['--samples', '2', '--epochs', '1', '--max-length', '48', '--loss-on', 'all'],
        ...['--save-dtype', 'float32', '--out', path.join(tmp, 'run-f32')],
      );
      expect(f32.code).toBe(0);
      expect(dtypes(path.join(tmp, 'run-f32', 'final'))).toEqual(['F32']);
      const bad = await exp('sft', '--model', model, '--save-dtype', 'int8', '--out', out);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/--save-dtype/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  test('`exp sft --model tiny-llama` (a preset name, the default action) trains its generated checkpoint', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'exp-sft-preset-'));
    const saved = process.env.EXP_MODELS_DIR;
    process.env.EXP_MODELS_DIR = path.join(tmp, 'models');
    try {
      const out = path.join(tmp, 'run');
      const r = await exp(
        ...['sft', '--model', 'tiny-llama', '--data', path.join(GSM8K_DIR, 'train.jsonl')],
        ...['--samples', '2', '--epochs', '1', '--max-length', '48', '--out', out],
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out.split('\n')).toContainEqual(
        expect.stringMatching(/^sft: 1 steps, loss \d+\.\d{4} -> \d+\.\d{4}$/),
      );
      const config = JSON.parse(readFileSync(path.join(out, 'final/config.json'), 'utf8')) as {
        architectures: string[];
      };
      expect(config.architectures).toEqual(['LlamaForCausalLM']);
      // the preset's source checkpoint, not the export, was trained from
      expect(existsSync(path.join(tmp, 'models/.sources/tiny-llama/model.safetensors'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.EXP_MODELS_DIR;
      else process.env.EXP_MODELS_DIR = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
