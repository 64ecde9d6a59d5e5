// The SFT loop on golden tiny checkpoints (copied with a byte tokenizer: vocab 512, no tokenizer
// shipped) and the first GSM8K train items.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadGsm8kFile, type Problem } from '@exp/data';
import { exportCheckpoint, loadCausalLM, loadTokenizer } from '@exp/models';
import {
  TrainingStep,
  encodeSftDataset,
  readCheckpointParams,
  sftBatches,
  trainSft,
  writeByteTokenizer,
} from '../src/index.js';
import { SHARED, goldenDir } from './golden-data.js';

let tmp: string;
let train: Problem[];
const ckpt: Record<string, string> = {};
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-sft-'));
  train = loadGsm8kFile(path.join(SHARED, 'data/gsm8k/train.jsonl'), 'gsm8k-train').slice(0, 8);
  for (const m of ['tiny-llama', 'tiny-diffllama']) {
    const d = path.join(tmp, m);
    mkdirSync(d);
    for (const f of ['config.json', 'model.safetensors']) {
      copyFileSync(path.join(goldenDir(m), f), path.join(d, f));
    }
    writeByteTokenizer(d);
    ckpt[m] = d;
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const out = (name: string) => path.join(tmp, 'runs', name);
const bytes = (dir: string) => readFileSync(path.join(dir, 'model.safetensors'));
// Byte tokens make a GSM8K question longer than 64 tokens, so loss on all tokens (a completion
// would be cut off); short items keep the tests fast, the loop is the same at any length.
const base = {
  get problems() {
    return train;
  },
  maxLength: 64,
  lossOn: 'all' as const,
  samples: 4,
};

test('byte tokenizer: ids fit the tiny vocabulary, BOS 1, EOS 2', async () => {
  const tok = await loadTokenizer(ckpt['tiny-llama']!);
  const { examples } = encodeSftDataset(tok, train.slice(0, 1));
  const ids = examples[0]!.inputIds;
  expect(ids[0]).toBe(1);
  expect(ids.at(-1)).toBe(2);
  expect(ids.slice(1, 4)).toEqual([3 + 81, 3 + 117, 3 + 101]); // "Que"
});

test('one repeated batch: the loss decreases; the first loss is TrainingStep loss', async () => {
  const dir = ckpt['tiny-llama']!;
  // 2 items, batch 2, accumulation 1: every epoch is one step on the same batch.
  const r = await trainSft({
    ...base,
    checkpoint: dir,
    samples: 2,
    epochs: 5,
    batchSize: 2,
    gradAccum: 1,
    lr: 1e-3,
    out: out('repeat'),
  });
  expect(r.steps).toBe(5);
  const tok = await loadTokenizer(dir);
  const { examples } = encodeSftDataset(tok, train.slice(0, 2), { maxLength: 64, lossOn: 'all' });
  const [batch] = sftBatches(examples, { batchSize: 2, seed: 42, epoch: 0, padId: 2 });
  const params = new Map([...readCheckpointParams(dir)].map(([k, v]) => [k, v.data]));
  const first = await (await TrainingStep.create(dir)).run(params, batch!);
  expect(r.losses[0]!.loss).toBe(first.loss);
  const l = r.losses.map((x) => x.loss);
  for (let i = 1; i < l.length; i++) expect(l[i]!).toBeLessThan(l[i - 1]!);
  // Linear decay, no warmup: lr * (5 - step) / 5 before each step.
  expect(r.losses.map((x) => x.lr)).toEqual([0, 1, 2, 3, 4].map((i) => 1e-3 * ((5 - i) / 5)));
  const lines = readFileSync(path.join(out('repeat'), 'loss.jsonl'), 'utf8')
    .trim()
    .split('\n');
  expect(lines.map((s) => JSON.parse(s))).toEqual(r.losses);
}, 120_000);

test('same seed: identical loss.jsonl and checkpoint bytes; another seed differs', async () => {
  const run = (name: string, seed: number) =>
    trainSft({
      ...base,
      checkpoint: ckpt['tiny-llama']!,
      seed,
      epochs: 2,
      batchSize: 1,
      out: out(name),
    });
  const a = await run('det-a', 42);
  const b = await run('det-b', 42);
  await run('det-c', 7);
  expect(a.steps).toBe(4); // 4 items / batch 1 / accumulation 2 = 2 steps per epoch
  const jsonl = (n: string) => readFileSync(path.join(out(n), 'loss.jsonl'), 'utf8');
  expect(jsonl('det-b')).toBe(jsonl('det-a'));
  expect(bytes(b.out).equals(bytes(a.out))).toBe(true);
  expect(jsonl('det-c')).not.toBe(jsonl('det-a'));
}, 120_000);

test('resume from checkpoint-2 ends with the same weights as an uninterrupted run', async () => {
  const o = { ...base, checkpoint: ckpt['tiny-llama']!, epochs: 2, batchSize: 1, gradAccum: 1 };
  const full = await trainSft({ ...o, out: out('full') });
  expect(full.steps).toBe(8);
  // Stop after step 3 (abort), leaving checkpoint-2; resume continues from step 2.
  const ac = new AbortController();
  await expect(
    trainSft({
      ...o,
      out: out('cut'),
      checkpointEvery: 2,
      signal: ac.signal,
      onProgress: (p) => p.step === 3 && ac.abort(),
    }),
  ).rejects.toThrow('sft: aborted');
  const resumed = await trainSft({ ...o, out: out('cut'), checkpointEvery: 2, resume: true });
  expect(resumed.steps).toBe(8);
  expect(resumed.losses).toEqual(full.losses);
  expect(bytes(resumed.out).equals(bytes(full.out))).toBe(true);
  // A checkpoint at an epoch boundary (step 4 of 4 per epoch) resumes too.
  const cut2 = out('cut-epoch');
  const ac2 = new AbortController();
  await expect(
    trainSft({
      ...o,
      out: cut2,
      checkpointEvery: 4,
      signal: ac2.signal,
      onProgress: (p) => p.step === 5 && ac2.abort(),
    }),
  ).rejects.toThrow('sft: aborted');
  const r2 = await trainSft({ ...o, out: cut2, checkpointEvery: 4, resume: true });
  expect(bytes(r2.out).equals(bytes(full.out))).toBe(true);
}, 240_000);

test.each(['tiny-llama', 'tiny-diffllama'])(
  '%s: the written checkpoint exports and loads, its logits differ from the source',
  async (m) => {
    const r = await trainSft({
      ...base,
      checkpoint: ckpt[m]!,
      epochs: 1,
      lr: 1e-3,
      out: out(`export-${m}`),
    });
    const cfg = JSON.parse(readFileSync(path.join(r.out, 'config.json'), 'utf8'));
    expect(cfg.architectures).toEqual([
      m === 'tiny-diffllama' ? 'DiffLlamaForCausalLM' : 'LlamaForCausalLM',
    ]);
    const logits = async (dir: string, onnx: string) => {
      await exportCheckpoint(dir, onnx);
      const lm = await loadCausalLM(onnx, { decoder: 'present' });
      try {
        return (await lm.forward({ inputIds: [[1, 84, 104, 101, 2]] })).logits.data;
      } finally {
        await lm.dispose();
      }
    };
    const a = await logits(ckpt[m]!, path.join(tmp, `${m}-onnx-src`));
    const b = await logits(r.out, path.join(tmp, `${m}-onnx-sft`));
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    expect(max).toBeGreaterThan(1e-3);
  },
  120_000,
);

test('one-line errors: an earlier run in out, a bad gradAccum, a resume with another lr', async () => {
  const o = { ...base, checkpoint: ckpt['tiny-llama']!, out: out('repeat') };
  await expect(trainSft(o)).rejects.toThrow(/holds a finished run \(final\/\)/);
  await expect(trainSft({ ...o, gradAccum: 0 })).rejects.toThrow(
    'gradAccum: expected a positive integer, got 0',
  );
  const cut = { ...base, checkpoint: ckpt['tiny-llama']!, out: out('cut'), epochs: 2 };
  await expect(
    trainSft({ ...cut, batchSize: 1, gradAccum: 1, lr: 1e-4, resume: true }),
  ).rejects.toThrow(
    /checkpoint-6: written by a run with other options \(lr 0\.\d+, now 0\.\d+\), not resumable: pass the same options, or another --out$/,
  );
});

test('resume with no checkpoint yet (killed before the first) starts over and ends as a fresh run', async () => {
  const o = { ...base, checkpoint: ckpt['tiny-llama']!, epochs: 1 };
  const fresh = await trainSft({ ...o, out: out('fresh-ref') });
  const killed = out('killed-early');
  mkdirSync(killed, { recursive: true });
  // what a run killed after one logged step and before any checkpoint leaves
  writeFileSync(path.join(killed, 'loss.jsonl'), '{"step":1,"loss":9,"lr":0}\n');
  const r = await trainSft({ ...o, out: killed, resume: true });
  expect(r.losses).toEqual(fresh.losses);
  expect(bytes(r.out).equals(bytes(fresh.out))).toBe(true);
  const lines = readFileSync(path.join(killed, 'loss.jsonl'), 'utf8').trim().split('\n');
  expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(fresh.losses);
  // a finished folder is refused even with resume
  await expect(trainSft({ ...o, out: killed, resume: true })).rejects.toThrow(
    /holds a finished run \(final\/\)/,
  );
}, 120_000);
