// Export options and provenance: no-attentions graph, fp16, external data, bf16/sharded input,
// copied files, exp-model.json, errors; plus a negative control showing parity checks can fail.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ort } from '../src/runtime/ort.js';
import { decodeModel } from '../src/onnx/serialize.js';
import { decoderIoNames } from '../src/arch/decoder.js';
import { loadModelConfig } from '../src/config.js';
import { exportCheckpoint, readExpModelManifest, type ExportProgress } from '../src/export.js';
import { verifyAgainstGolden } from '../src/verify.js';
import { readSafetensors } from '../src/safetensors/read.js';
import { bf16ToF32, f32ToBf16 } from '../src/safetensors/half.js';
import { deriveCheckpoint } from './helpers/checkpoints.js';
import { goldenDir, type GoldenModel } from './helpers/shared.js';

let tmp: string;
let n = 0;
const fresh = (label: string) => {
  const d = path.join(tmp, `${label}-${n++}`);
  mkdirSync(d);
  return d;
};
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-export-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const goldenFile = (name: GoldenModel) => path.join(goldenDir(name), 'golden.safetensors');

/** Runs golden case_b (left padding, empty cache) through a model file. */
async function runCaseB(modelPath: string, name: GoldenModel) {
  const g = readSafetensors(goldenFile(name));
  const session = await ort.InferenceSession.create(modelPath);
  const [B, S] = g.get('case_b.input_ids')!.shape as [number, number];
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', g.get('case_b.input_ids')!.data as BigInt64Array, [B, S]),
    attention_mask: new ort.Tensor('int64', g.get('case_b.attention_mask')!.data as BigInt64Array, [
      B,
      S,
    ]),
    position_ids: new ort.Tensor('int64', g.get('case_b.position_ids')!.data as BigInt64Array, [
      B,
      S,
    ]),
  };
  for (const m of session.inputMetadata) {
    if (!m.name.startsWith('past_key_values') || !m.isTensor) continue;
    const kv = m.shape[1] as number;
    const d = m.shape[3] as number;
    feeds[m.name] =
      m.type === 'float16'
        ? new ort.Tensor('float16', new Uint16Array(0), [B, kv, 0, d])
        : new ort.Tensor('float32', new Float32Array(0), [B, kv, 0, d]);
  }
  const out = await session.run(feeds);
  const result = { session, out };
  await session.release();
  return result;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>) {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('exportCheckpoint without attentions', () => {
  it('has only logits and presents, and the same logits and caches', async () => {
    const withA = await exportCheckpoint(goldenDir('tiny-diffllama'), fresh('a'), {
      attentions: true,
    });
    const without = await exportCheckpoint(goldenDir('tiny-diffllama'), fresh('b'));
    const layers = [0, 1, 2];
    const presents = layers.flatMap((i) => [`present.${i}.key`, `present.${i}.value`]);
    expect(without.manifest.outputs).toEqual(['logits', ...presents]);
    const config = loadModelConfig(goldenDir('tiny-diffllama'));
    expect(decoderIoNames(config, false).outputs).toEqual(without.manifest.outputs);
    expect(decoderIoNames(config, true).outputs).toEqual(withA.manifest.outputs);
    expect(decoderIoNames(config, true).inputs).toEqual(withA.manifest.inputs);
    expect(withA.manifest.outputs).toEqual([
      'logits',
      ...presents,
      ...layers.map((i) => `attentions.${i}`),
      ...layers.map((i) => `lambda_full.${i}`),
    ]);
    // The attention outputs add no nodes: output() names the softmax / lambda values themselves.
    const nodes = (p: string) => decodeModel(readFileSync(p)).graph!.node!;
    expect(nodes(withA.modelPath).length).toBe(nodes(without.modelPath).length);
    expect(nodes(without.modelPath).filter((n) => n.opType === 'Identity')).toEqual([]);

    const a = await runCaseB(withA.modelPath, 'tiny-diffllama');
    const b = await runCaseB(without.modelPath, 'tiny-diffllama');
    expect(b.session.outputNames).toEqual(without.manifest.outputs);
    for (const k of ['logits', ...presents]) {
      expect(maxAbs(a.out[k]!.data as Float32Array, b.out[k]!.data as Float32Array)).toBe(0);
    }
    expect(b.out['present.0.key']!.dims).toEqual([2, 2, 16, 16]);
  });
});

describe('exp-model.json and copied files', () => {
  it('records provenance and copies the checkpoint config', async () => {
    const out = fresh('manifest');
    const r = await exportCheckpoint(goldenDir('tiny-llama'), out, {
      source: { repo: 'golden/tiny-llama', revision: 'r1' },
    });
    const m = readExpModelManifest(out);
    expect(m).toEqual(r.manifest);
    expect(m).toMatchObject({
      format: 'exp-model',
      format_version: 1,
      exporter: { name: '@exp/models' },
      source: {
        dir: goldenDir('tiny-llama'),
        repo: 'golden/tiny-llama',
        revision: 'r1',
        // sha256 values from shared/golden/README.md section 1.
        config_sha256: '067b202a41d056ea91e8ca035282da904c5349a0c93af3e9b26ed24533d0ab8d',
        weight_files: [
          {
            file: 'model.safetensors',
            bytes: 634216,
            sha256: '922e2a201c72055aa61a5995252460dd081f6e3b0f9a2885d18ea15d4496923d',
          },
        ],
      },
      model_type: 'llama',
      dtype: 'fp32',
      opset: 21,
      ir_version: 10,
      attentions: false,
      attention: 'eager',
      external_data: false,
    });
    expect(readFileSync(path.join(out, 'config.json'))).toEqual(
      readFileSync(path.join(goldenDir('tiny-llama'), 'config.json')),
    );
    const model = decodeModel(readFileSync(r.modelPath));
    expect(Number(model.irVersion)).toBe(10);
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 21]]);
  });

  it('copies tokenizer files without looking at their vocabulary', async () => {
    const ckpt = deriveCheckpoint('tiny-llama-tied', fresh('tok'), { linkWeights: true });
    // Like Llama 3: the tokenizer declares an added token id equal to vocab_size (512 here).
    const tokenizer = {
      added_tokens: [{ id: 512, content: '<|extra|>', special: true }],
      model: {},
    };
    const files: Record<string, string> = {
      'tokenizer.json': JSON.stringify(tokenizer),
      'tokenizer_config.json': JSON.stringify({
        added_tokens_decoder: { 512: { content: '<|extra|>' } },
      }),
      'generation_config.json': JSON.stringify({ bos_token_id: 1, eos_token_id: 2 }),
      'special_tokens_map.json': JSON.stringify({ bos_token: '<s>' }),
      'README.md': 'not copied',
    };
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(ckpt, f), text);
    const out = fresh('tok-out');
    const progress: ExportProgress[] = [];
    await exportCheckpoint(ckpt, out, { onProgress: (p) => progress.push(p) });
    for (const f of Object.keys(files).filter((f) => f !== 'README.md')) {
      expect(readFileSync(path.join(out, f), 'utf8')).toBe(files[f]);
    }
    expect(existsSync(path.join(out, 'README.md'))).toBe(false);
    const stages = [...new Set(progress.map((p) => p.stage))];
    expect(stages).toEqual(['read', 'build', 'write', 'copy', 'hash', 'done']);
    const lastWrite = progress.filter((p) => p.stage === 'write').at(-1)!;
    expect(lastWrite.done).toBe(lastWrite.total);
    // 133440 float32 parameters (README section 2) plus a few small constants.
    expect(lastWrite.total).toBeGreaterThanOrEqual(133440 * 4);
    expect(lastWrite.total).toBeLessThan(133440 * 4 + 1024);
  });
});

describe('external data', () => {
  it('writes model.onnx.data above the threshold, loads and matches', async () => {
    const out = fresh('ext');
    const r = await exportCheckpoint(goldenDir('tiny-llama-l3'), out, {
      attentions: true,
      externalDataThreshold: 0,
    });
    expect(r.dataPath).toBe(path.join(out, 'model.onnx.data'));
    expect(r.manifest.external_data).toBe(true);
    // All 623744 parameters but the 9 norm weights (512 bytes each, kept inline as onnx does
    // below 1 KiB) live in the data file; the graph stays small.
    expect(statSync(r.dataPath!).size).toBeGreaterThanOrEqual((623744 - 9 * 128) * 4);
    expect(statSync(r.modelPath).size).toBeLessThan(100_000);
    const report = await verifyAgainstGolden(out, goldenFile('tiny-llama-l3'));
    expect(report.pass).toBe(true);
    expect(report.checks.find((c) => c.name === 'case_long.logits')!.maxAbsError).toBeLessThan(
      1e-4,
    );

    // Re-exporting inline into the same folder removes the stale data file.
    const again = await exportCheckpoint(goldenDir('tiny-llama-l3'), out);
    expect(again.dataPath).toBeNull();
    expect(existsSync(path.join(out, 'model.onnx.data'))).toBe(false);
  });
});

describe('fp16 export', () => {
  it('has float16 weights and cache, float32 logits, and stays close to fp32', async () => {
    const out = fresh('fp16');
    const r = await exportCheckpoint(goldenDir('tiny-diffllama-l3'), out, {
      dtype: 'fp16',
      attentions: true,
    });
    expect(r.manifest.dtype).toBe('fp16');
    const model = decodeModel(readFileSync(r.modelPath));
    const init = model.graph!.initializer!.find(
      (t) => t.name === 'model.layers.0.mlp.up_proj.weight',
    )!;
    expect(init.dataType).toBe(10); // FLOAT16
    const { session, out: res } = await runCaseB(r.modelPath, 'tiny-diffllama-l3');
    const meta = (name: string) =>
      [...session.inputMetadata, ...session.outputMetadata].find((m) => m.name === name);
    expect(meta('past_key_values.0.key')).toMatchObject({ type: 'float16' });
    expect(meta('present.0.key')).toMatchObject({ type: 'float16' });
    expect(res.logits!.type).toBe('float32');
    expect(res['attentions.0']!.type).toBe('float32');

    const report = await verifyAgainstGolden(out, goldenFile('tiny-diffllama-l3'));
    expect(report.dtype).toBe('fp16');
    expect(report.pass).toBe(true);
    const err = (c: string) => report.checks.find((x) => x.name === c)!.maxAbsError;
    // Observed about 6e-4 (logits up to ~1); fp32 gives 6e-7.
    expect(err('case_a.logits')).toBeLessThan(5e-3);
    expect(err('case_long.logits')).toBeLessThan(5e-3);
    expect(err('generate.step_logits')).toBeLessThan(5e-3);
    expect(err('case_a.attentions.3')).toBeLessThan(1e-3);
  });
});

describe('checkpoint variants', () => {
  it('exports bf16 sharded weights exactly as their float32 values', async () => {
    const roundBf16 = (_: string, v: Float32Array) => bf16ToF32(f32ToBf16(v));
    const bf16 = deriveCheckpoint('tiny-llama-l3', fresh('bf16'), { dtype: 'BF16', shards: 2 });
    const f32 = deriveCheckpoint('tiny-llama-l3', fresh('f32'), { values: roundBf16 });
    const a = await exportCheckpoint(bf16, fresh('bf16-out'));
    const b = await exportCheckpoint(f32, fresh('f32-out'));
    expect(a.manifest.source.weight_files.map((w) => w.file)).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
    const ra = await runCaseB(a.modelPath, 'tiny-llama-l3');
    const rb = await runCaseB(b.modelPath, 'tiny-llama-l3');
    expect(maxAbs(ra.out.logits!.data as Float32Array, rb.out.logits!.data as Float32Array)).toBe(
      0,
    );
    // Rounding the weights to bf16 moves the logits, but not far.
    const gold = readSafetensors(goldenFile('tiny-llama-l3')).get('case_b.logits')!
      .data as Float32Array;
    const err = maxAbs(ra.out.logits!.data as Float32Array, gold);
    expect(err).toBeGreaterThan(1e-5);
    expect(err).toBeLessThan(5e-2);
  });

  it('fails parity when the llama3 rope scaling is dropped (negative control)', async () => {
    const ckpt = deriveCheckpoint('tiny-llama-l3', fresh('norope'), {
      linkWeights: true,
      config: (c) => ({ ...c, rope_scaling: null }),
    });
    const out = fresh('norope-out');
    await exportCheckpoint(ckpt, out);
    const report = await verifyAgainstGolden(out, goldenFile('tiny-llama-l3'));
    expect(report.pass).toBe(false);
    // README section 6: dropping the scaling moves case_a logits by 5.8e-3, case_long by 6.7e-3.
    const err = (c: string) => report.checks.find((x) => x.name === c)!.maxAbsError;
    expect(err('case_a.logits')).toBeGreaterThan(5e-3);
    expect(err('case_long.logits')).toBeGreaterThan(5e-3);
  });
});

describe('export errors', () => {
  it('names the missing lm_head of an untied config', async () => {
    const ckpt = deriveCheckpoint('tiny-llama-tied', fresh('untied'), {
      linkWeights: true,
      config: (c) => ({ ...c, tie_word_embeddings: false }),
    });
    await expect(exportCheckpoint(ckpt, fresh('x'))).rejects.toThrow(
      `${ckpt}: checkpoint has no tensor 'lm_head.weight' in model.safetensors (config.json says tie_word_embeddings is false)`,
    );
  });

  it('names a tensor whose shape disagrees with config.json', async () => {
    const ckpt = deriveCheckpoint('tiny-llama', fresh('shape'), {
      linkWeights: true,
      config: (c) => ({ ...c, num_key_value_heads: 4 }),
    });
    await expect(exportCheckpoint(ckpt, fresh('x'))).rejects.toThrow(
      `${ckpt}/model.safetensors: tensor 'model.layers.0.self_attn.k_proj.weight' has shape [32, 64], ${ckpt}/config.json implies [64, 64]`,
    );
  });

  it('rejects unknown options and unsupported architectures', async () => {
    await expect(
      exportCheckpoint(goldenDir('tiny-llama'), fresh('x'), { dtype: 'int8' as 'fp16' }),
    ).rejects.toThrow("dtype 'int8' is not supported (supported: fp32, fp16)");
    await expect(
      exportCheckpoint(goldenDir('tiny-llama'), fresh('x'), { attention: 'flash' as 'eager' }),
    ).rejects.toThrow("attention 'flash' is not supported (supported: eager, grouped)");
    const ckpt = deriveCheckpoint('tiny-llama', fresh('mistral'), {
      linkWeights: true,
      config: (c) => ({ ...c, model_type: 'mistral' }),
    });
    await expect(exportCheckpoint(ckpt, fresh('x'))).rejects.toThrow(
      `unsupported architecture "mistral" in ${path.join(ckpt, 'config.json')}; supported: llama, diffllama`,
    );
  });
});
