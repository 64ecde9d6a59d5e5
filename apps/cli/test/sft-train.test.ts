// `exp sft train` on golden tiny-llama (copied with a byte tokenizer: it ships none), 4 items,
// 1 epoch: steps, loss line, loss.jsonl, manifest.json and a final checkpoint.
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeByteTokenizer } from '@exp/train';
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
