// The exported decoder follows the optimum / transformers.js convention, so transformers.js itself
// loads it (from <dir>/onnx/model.onnx) and its own generate loop reproduces HF greedy decoding.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import { exportCheckpoint } from '../src/export.js';
import { readSafetensors } from '../src/safetensors/read.js';
import { goldenDir } from './helpers/shared.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-tjs-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('transformers.js runs the exported tiny-llama-l3 and greedy-decodes like HF', async () => {
  const exported = await exportCheckpoint(goldenDir('tiny-llama-l3'), path.join(tmp, 'export'));
  const repo = path.join(tmp, 'models', 'tiny-llama-l3');
  mkdirSync(path.join(repo, 'onnx'), { recursive: true });
  copyFileSync(exported.modelPath, path.join(repo, 'onnx', 'model.onnx'));
  copyFileSync(path.join(exported.outDir, 'config.json'), path.join(repo, 'config.json'));
  env.localModelPath = path.join(tmp, 'models');
  env.allowRemoteModels = false;
  const model = await AutoModelForCausalLM.from_pretrained('tiny-llama-l3', { dtype: 'fp32' });
  try {
    const g = readSafetensors(path.join(goldenDir('tiny-llama-l3'), 'golden.safetensors'));
    const inputs = () => ({
      input_ids: new Tensor('int64', g.get('generate.input_ids')!.data as BigInt64Array, [2, 16]),
      attention_mask: new Tensor(
        'int64',
        g.get('generate.attention_mask')!.data as BigInt64Array,
        [2, 16],
      ),
    });
    const out = (await model(inputs())) as { logits: { data: Float32Array } };
    const want = g.get('case_b.logits')!.data as Float32Array;
    const valid = g.get('case_b.logits_valid')!.data as Uint8Array;
    let err = 0;
    for (let i = 0; i < want.length; i++) {
      if (valid[Math.floor(i / 512)]) err = Math.max(err, Math.abs(out.logits.data[i]! - want[i]!));
    }
    expect(err).toBeLessThan(1e-4);
    const seq = (await model.generate({ ...inputs(), max_new_tokens: 24, do_sample: false })) as {
      data: BigInt64Array;
    };
    expect(Array.from(seq.data, Number)).toEqual(
      Array.from(g.get('generate.sequences')!.data as BigInt64Array, Number),
    );
  } finally {
    await model.dispose();
  }
});
