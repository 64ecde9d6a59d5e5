// The SFT loop on golden tiny checkpoints (copied with a byte tokenizer: vocab 512, no tokenizer
// shipped) and the first GSM8K train items.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadGsm8kFile, type Problem } from '@exp/data';
import {
  exportCheckpoint,
  f32ToBf16,
  loadCausalLM,
  loadTokenizer,
  readSafetensors,
} from '@exp/models';
import {
  TrainingStep,
  encodeSftDataset,
  readCheckpointParams,
  sftBatches,
  trainSft,
  readSftLosses,
  SftLossRecordSchema,
  writeCheckpoint,
} from '../src/index.js';
import { writeByteTokenizer } from './byte-tokenizer.js';
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
// The real checkpoints are bf16: the golden tiny-llama stored as bf16 (values rounded once).
let bf16Source: string;
beforeAll(async () => {
  bf16Source = path.join(tmp, 'tiny-llama-bf16');
  await writeCheckpoint(bf16Source, readCheckpointParams(ckpt['tiny-llama']!), {
    sourceDir: ckpt['tiny-llama']!,
    dtype: 'bfloat16',
  });
  writeByteTokenizer(bf16Source);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const out = (name: string) => path.join(tmp, 'runs', name);
/** checkpoint-<step> folders of an SFT output folder, by step. */
const checkpoints = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('checkpoint-'))
    .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
const dtypes = (dir: string) => [
  ...new Set(
    [...readSafetensors(path.join(dir, 'model.safetensors')).values()].map((t) => t.dtype),
  ),
];
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
  // every line the loop wrote parses with the exported schema; the one reader reads them back
  expect(lines.map((s) => SftLossRecordSchema.parse(JSON.parse(s)))).toEqual(r.losses);
  expect(readSftLosses(out('repeat'))).toEqual(r.losses);
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

test('save total limit: the last 2 checkpoints by default, 1, or 0 = all; each resumable', async () => {
  const o = { ...base, checkpoint: ckpt['tiny-llama']!, epochs: 2, batchSize: 1, gradAccum: 1 };
  // 8 steps, a checkpoint after each but the last (final/ is the end)
  await trainSft({ ...o, out: out('keep-2'), checkpointEvery: 1 });
  expect(checkpoints(out('keep-2'))).toEqual(['checkpoint-6', 'checkpoint-7']);
  await trainSft({ ...o, out: out('keep-1'), checkpointEvery: 1, saveTotalLimit: 1 });
  expect(checkpoints(out('keep-1'))).toEqual(['checkpoint-7']);
  await trainSft({ ...o, out: out('keep-all'), checkpointEvery: 1, saveTotalLimit: 0 });
  expect(checkpoints(out('keep-all'))).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => `checkpoint-${s}`));
  for (const name of ['keep-1', 'keep-all']) {
    const f = path.join(out(name), 'final', 'model.safetensors');
    expect(readFileSync(f).equals(bytes(path.join(out('keep-2'), 'final')))).toBe(true);
  }
  await expect(trainSft({ ...o, out: out('keep-bad'), saveTotalLimit: -1 })).rejects.toThrow(
    'saveTotalLimit: expected 0 (keep all) or a positive integer, got -1',
  );
}, 120_000);

test('pruned, then killed mid-write and mid-prune: resume ends as the uninterrupted run', async () => {
  const o = { ...base, checkpoint: ckpt['tiny-llama']!, epochs: 2, batchSize: 1, gradAccum: 1 };
  const full = await trainSft({ ...o, out: out('prune-full') });
  const cut = out('prune-cut');
  const ac = new AbortController();
  await expect(
    trainSft({
      ...o,
      out: cut,
      checkpointEvery: 1,
      signal: ac.signal,
      onProgress: (p) => p.step === 5 && ac.abort(),
    }),
  ).rejects.toThrow('sft: aborted');
  expect(checkpoints(cut)).toEqual(['checkpoint-4', 'checkpoint-5']);
  // killed before checkpoint-5's trainer_state.json was renamed in: optimizer.bin is there, the
  // folder is not resumable; and a kill inside a prune left an older folder without its state
  rmSync(path.join(cut, 'checkpoint-5', 'trainer_state.json'));
  mkdirSync(path.join(cut, 'checkpoint-3'));
  writeFileSync(path.join(cut, 'checkpoint-3', 'optimizer.bin'), 'partial');
  const resumed = await trainSft({ ...o, out: cut, checkpointEvery: 1, resume: true });
  expect(resumed.losses).toEqual(full.losses);
  expect(bytes(resumed.out).equals(bytes(full.out))).toBe(true);
  expect(checkpoints(cut)).toEqual(['checkpoint-6', 'checkpoint-7']);
}, 120_000);

test('bf16 source: final/ is bf16 (the float32 result rounded to nearest even), checkpoints float32, export works', async () => {
  const o = { ...base, checkpoint: bf16Source, epochs: 2, batchSize: 1, gradAccum: 1, lr: 1e-3 };
  const src = await trainSft({ ...o, out: out('bf16-src'), checkpointEvery: 3 });
  const f32 = await trainSft({ ...o, out: out('bf16-f32'), saveDtype: 'float32' });
  expect(src.losses).toEqual(f32.losses);
  expect(dtypes(src.out)).toEqual(['BF16']);
  expect(dtypes(f32.out)).toEqual(['F32']);
  const cfg = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  expect(cfg(src.out).torch_dtype).toBe('bfloat16');
  expect(cfg(f32.out).torch_dtype).toBe('float32');
  const wide = readSafetensors(path.join(f32.out, 'model.safetensors'));
  for (const [name, t] of readSafetensors(path.join(src.out, 'model.safetensors'))) {
    const want = f32ToBf16(wide.get(name)!.data as Float32Array);
    expect(Buffer.from((t.data as Uint16Array).buffer).equals(Buffer.from(want.buffer))).toBe(true);
  }
  // resume state keeps the float32 master weights
  expect(checkpoints(out('bf16-src'))).toEqual(['checkpoint-3', 'checkpoint-6']);
  expect(dtypes(path.join(out('bf16-src'), 'checkpoint-6'))).toEqual(['F32']);
  expect(cfg(path.join(out('bf16-src'), 'checkpoint-6')).torch_dtype).toBe('float32');
  // so a run cut after checkpoint-3 and resumed ends byte-identical
  const ac = new AbortController();
  await expect(
    trainSft({
      ...o,
      out: out('bf16-cut'),
      checkpointEvery: 3,
      signal: ac.signal,
      onProgress: (p) => p.step === 4 && ac.abort(),
    }),
  ).rejects.toThrow('sft: aborted');
  const resumed = await trainSft({ ...o, out: out('bf16-cut'), checkpointEvery: 3, resume: true });
  expect(resumed.losses).toEqual(src.losses);
  expect(bytes(resumed.out).equals(bytes(src.out))).toBe(true);
  // the bf16 final/ exports like any checkpoint and runs
  const onnx = path.join(tmp, 'bf16-final-onnx');
  await exportCheckpoint(src.out, onnx);
  expect(existsSync(path.join(onnx, 'model.onnx'))).toBe(true);
  const lm = await loadCausalLM(onnx, { decoder: 'present' });
  try {
    const logits = (await lm.forward({ inputIds: [[1, 84, 104, 101, 2]] })).logits.data;
    expect(logits.every((v) => Number.isFinite(v))).toBe(true);
  } finally {
    await lm.dispose();
  }
  await expect(
    trainSft({ ...o, out: out('bf16-bad'), saveDtype: 'int8' as never }),
  ).rejects.toThrow('saveDtype: expected one of source, float32, bfloat16, float16, got "int8"');
}, 120_000);
