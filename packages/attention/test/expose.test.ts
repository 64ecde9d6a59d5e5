// exposeAttention on decoders built elsewhere: the PyTorch export of golden tiny-llama (maps
// against the golden attentions) and this project's exports without attentions (external data).
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
import { fileURLToPath } from 'node:url';
import { exportCheckpoint, loadCausalLM, readSafetensors } from '@exp/models';
import onnxProto from 'onnx-proto';
import { ExposeError, exposeAttention } from '../src/expose.js';
import { forEachLayerAttention } from '../src/maps.js';

const SHARED =
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url));
const golden = (model: string) => path.join(SHARED, 'golden', model);
const TORCH_ONNX = path.join(golden('torch-onnx'), 'tiny-llama', 'model.onnx');
/** golden README: float32 attentions within 1e-6 of the float64 reference. */
const ATOL = 1e-6;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-attn-expose-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function maxAbs(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** case_a of golden tiny-llama: both rows' ids and per layer the [2, 4, 16, 16] maps. */
function caseA() {
  const g = readSafetensors(path.join(golden('tiny-llama'), 'golden.safetensors'));
  const ids = Array.from(g.get('case_a.input_ids')!.data as BigInt64Array, Number);
  return {
    rows: [ids.slice(0, 16), ids.slice(16)],
    maps: [0, 1].map((l) => g.get(`case_a.attentions.${l}`)!.data as Float32Array),
  };
}

/** Runs the exposed model on case_a (batch 2) and returns the worst error over both layers. */
async function worstAgainstGolden(modelPath: string): Promise<number> {
  const lm = await loadCausalLM(golden('tiny-llama'), {
    modelPath,
    threads: 1,
    decoder: 'present',
  });
  try {
    const { rows, maps } = caseA();
    const out = await lm.forward({ inputIds: rows, outputAttentions: true });
    expect(out.attentions!.map((t) => t.dims)).toEqual([
      [2, 4, 16, 16],
      [2, 4, 16, 16],
    ]);
    return Math.max(...maps.map((m, l) => maxAbs(out.attentions![l]!.data, m)));
  } finally {
    await lm.dispose();
  }
}

describe('the PyTorch export of tiny-llama', () => {
  it('exposes attentions.0 and attentions.1 equal to the golden case_a maps', async () => {
    const out = path.join(tmp, 'torch-exposed.onnx');
    const res = exposeAttention(TORCH_ONNX, out);
    expect(res).toEqual({
      outputs: ['attentions.0', 'attentions.1'],
      softmaxNodes: ['/Softmax', '/Softmax_1'],
      externalData: [],
    });
    // measured: 6.0e-8
    expect(await worstAgainstGolden(out)).toBeLessThanOrEqual(ATOL);

    // batch 1, layer by layer: row 1 of case_a
    const lm = await loadCausalLM(golden('tiny-llama'), { modelPath: out, threads: 1 });
    try {
      const { rows, maps } = caseA();
      const seen: number[] = [];
      const shape = await forEachLayerAttention(lm, rows[1]!, (layer) => {
        seen.push(layer.layer);
        expect(layer.lambdaFull).toBeNull();
        expect(maxAbs(layer.data, maps[layer.layer]!.subarray(4 * 256))).toBeLessThanOrEqual(ATOL);
      });
      expect(shape).toEqual({ layers: 2, heads: 4, seq: 16 });
      expect(seen).toEqual([0, 1]);
    } finally {
      await lm.dispose();
    }
  });

  it('refuses clearly: same file, not ONNX, exposed already, no softmax, a layer count that disagrees', () => {
    const out = path.join(tmp, 'refused.onnx');
    expect(() => exposeAttention(TORCH_ONNX, TORCH_ONNX)).toThrow(
      new ExposeError(`${TORCH_ONNX}: the output must be another file than the input`),
    );
    const junk = path.join(tmp, 'junk.onnx');
    writeFileSync(junk, 'not a model at all');
    expect(() => exposeAttention(junk, out)).toThrow(/junk\.onnx: not an ONNX model \(/);

    const exposed = path.join(tmp, 'twice.onnx');
    exposeAttention(TORCH_ONNX, exposed);
    expect(() => exposeAttention(exposed, out)).toThrow(
      new ExposeError(`${exposed}: the graph already has attention outputs (attentions.0)`),
    );
    expect(() => exposeAttention(TORCH_ONNX, out, { layers: 3 })).toThrow(
      new ExposeError(
        `${TORCH_ONNX}: found 2 attention Softmax nodes but the model has 3 layers (layers option)`,
      ),
    );

    // the same graph with its softmaxes over another axis: no attention softmax left
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(readFileSync(TORCH_ONNX));
    for (const n of model.graph!.node!.filter((x) => x.opType === 'Softmax')) {
      n.attribute = [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }];
    }
    const noSoftmax = path.join(tmp, 'axis1.onnx');
    writeFileSync(noSoftmax, onnx.ModelProto.encode(model).finish());
    expect(() => exposeAttention(noSoftmax, out)).toThrow(
      new ExposeError(
        `${noSoftmax}: no attention Softmax found (a last-axis Softmax of a MatMul of two activations, Q K^T)`,
      ),
    );

    // one layer's softmax input cut off from Q K^T: 1 found against 2 present.{i}.key outputs
    const oneLayer = onnx.ModelProto.decode(readFileSync(TORCH_ONNX));
    const second = oneLayer.graph!.node!.find((x) => x.name === '/Softmax_1')!;
    second.input = ['onnx::Mul_668'];
    const cut = path.join(tmp, 'cut.onnx');
    writeFileSync(cut, onnx.ModelProto.encode(oneLayer).finish());
    expect(() => exposeAttention(cut, out)).toThrow(
      new ExposeError(
        `${cut}: found 1 attention Softmax nodes but the model has 2 layers (present.{i}.key outputs)`,
      ),
    );
    // a second softmax of layer 0's scores: three found, not one chain
    const doubled = onnx.ModelProto.decode(readFileSync(TORCH_ONNX));
    const first = doubled.graph!.node!.find((x) => x.name === '/Softmax')!;
    doubled.graph!.node!.push({ ...first, name: '/Softmax_again', output: ['again'] });
    const twice = path.join(tmp, 'doubled.onnx');
    writeFileSync(twice, onnx.ModelProto.encode(doubled).finish());
    expect(() => exposeAttention(twice, out, { layers: 3 })).toThrow(
      new ExposeError(
        `${twice}: attention Softmax nodes /Softmax_1 and /Softmax_again are not one after the other (more than one per layer?)`,
      ),
    );
    expect(() => exposeAttention(TORCH_ONNX, out, { layers: 0 })).toThrow(
      new ExposeError('layers must be a positive integer, got 0'),
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe("this project's exports without attentions", () => {
  it('tiny-llama with external data: the data file is linked beside the output', async () => {
    const dir = path.join(tmp, 'llama-external');
    await exportCheckpoint(golden('tiny-llama'), dir, { externalDataThreshold: 0 });
    const outDir = mkdtempSync(path.join(tmp, 'llama-exposed-'));
    const out = path.join(outDir, 'model.onnx');
    const res = exposeAttention(path.join(dir, 'model.onnx'), out);
    expect(res.outputs).toEqual(['attentions.0', 'attentions.1']);
    expect(res.externalData).toEqual(['model.onnx.data']);
    expect(statSync(path.join(outDir, 'model.onnx.data')).size).toBe(
      statSync(path.join(dir, 'model.onnx.data')).size,
    );
    // measured: 6.0e-8
    expect(await worstAgainstGolden(out)).toBeLessThanOrEqual(ATOL);
    // again into the same folder: the linked data file is kept
    expect(exposeAttention(path.join(dir, 'model.onnx'), out).externalData).toEqual([
      'model.onnx.data',
    ]);
    expect(await worstAgainstGolden(out)).toBeLessThanOrEqual(ATOL);
  });

  it('tiny-diffllama and tiny-diffllama-l3: one softmax over all H heads per layer, the golden maps', async () => {
    for (const [model, layers, heads] of [
      ['tiny-diffllama', 3, 4],
      ['tiny-diffllama-l3', 4, 8],
    ] as const) {
      const dir = path.join(tmp, model);
      await exportCheckpoint(golden(model), dir);
      const exposed = path.join(dir, 'exposed.onnx');
      const res = exposeAttention(path.join(dir, 'model.onnx'), exposed);
      expect(res.outputs).toEqual(Array.from({ length: layers }, (_, i) => `attentions.${i}`));

      // lambda_full is not exposed; a config that says llama makes forward() fetch the maps only
      const asLlama = path.join(tmp, `${model}-as-llama`);
      mkdirSync(asLlama);
      const config = JSON.parse(readFileSync(path.join(golden(model), 'config.json'), 'utf8'));
      writeFileSync(
        path.join(asLlama, 'config.json'),
        JSON.stringify({ ...config, model_type: 'llama' }),
      );
      const lm = await loadCausalLM(asLlama, {
        modelPath: exposed,
        threads: 1,
        decoder: 'present',
      });
      try {
        const g = readSafetensors(path.join(golden(model), 'golden.safetensors'));
        const ids = Array.from(g.get('case_a.input_ids')!.data as BigInt64Array, Number);
        const out = await lm.forward({
          inputIds: [ids.slice(0, 16), ids.slice(16)],
          outputAttentions: true,
        });
        for (let l = 0; l < layers; l++) {
          expect(out.attentions![l]!.dims).toEqual([2, heads, 16, 16]);
          const want = g.get(`case_a.attentions.${l}`)!.data as Float32Array;
          // measured: 6.0e-8
          expect(maxAbs(out.attentions![l]!.data, want)).toBeLessThanOrEqual(ATOL);
        }
      } finally {
        await lm.dispose();
      }
    }
  });
});
