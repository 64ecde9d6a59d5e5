// Greedy generation reproduces HF's generate() on the golden checkpoints (ids exactly, the logits
// each token was chosen from within 1e-4), through both generation paths.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCausalLM, type CausalLM } from '../../src/causal-lm.js';
import { exportCheckpoint } from '../../src/export.js';
import type { LogitsProcessor } from '../../src/generation/logits-process.js';
import { goldenGenerate, maxAbsDiff } from '../helpers/golden-generate.js';
import { SHARED_DIR, goldenDir, type GoldenModel } from '../helpers/shared.js';

const TORCH_ONNX = path.join(SHARED_DIR, 'golden', 'torch-onnx', 'tiny-llama', 'model.onnx');

/** Records every row's scores in call order (rows 0..B-1 per step while none has finished). */
class Recorder implements LogitsProcessor {
  readonly seen: Float32Array[] = [];
  process(_ids: readonly number[], scores: Float32Array): void {
    this.seen.push(scores.slice());
  }
}

async function checkGolden(lm: CausalLM, name: GoldenModel) {
  const gold = goldenGenerate(name);
  const steps = gold.ids[0]!.length;
  // plain greedy (argmax path where the decoder has one)
  const greedy = await lm.generate(gold.prompts, { maxNewTokens: steps, stopTokenIds: [] });
  expect(greedy.map((r) => r.tokens)).toEqual(gold.ids);
  expect(greedy.map((r) => r.finishReason)).toEqual(['length', 'length']);
  // logits path: a no-op processor sees the scores each token is chosen from
  const rec = new Recorder();
  const viaLogits = await lm.generate(gold.prompts, {
    maxNewTokens: steps,
    stopTokenIds: [],
    logitsProcessors: [rec],
  });
  expect(viaLogits.map((r) => r.tokens)).toEqual(gold.ids);
  let worst = 0;
  for (let s = 0; s < steps; s++) {
    for (let r = 0; r < 2; r++) {
      worst = Math.max(worst, maxAbsDiff(rec.seen[s * 2 + r]!, gold.stepLogits[r]![s]!));
    }
  }
  expect(worst).toBeLessThanOrEqual(1e-4);
}

describe('tiny-llama exported by PyTorch (present path)', () => {
  let lm: CausalLM;
  beforeAll(async () => {
    lm = await loadCausalLM(goldenDir('tiny-llama'), {
      decoder: 'present',
      modelPath: TORCH_ONNX,
      threads: 1,
    });
  });
  afterAll(() => lm.dispose());

  it('runs the present path', () => expect(lm.generationPath).toBe('present'));
  it('reproduces the golden greedy ids and step logits', () => checkGolden(lm, 'tiny-llama'));
});

describe.each(['tiny-llama', 'tiny-llama-l3', 'tiny-diffllama', 'tiny-diffllama-l3'] as const)(
  '%s external-kv graph built from the checkpoint',
  (name) => {
    let lm: CausalLM;
    beforeAll(async () => {
      lm = await loadCausalLM(goldenDir(name), {
        decoder: 'external-kv',
        weightsFrom: goldenDir(name),
        threads: 1,
      });
    });
    afterAll(() => lm.dispose());

    it('runs the external-kv path', () => expect(lm.generationPath).toBe('external-kv'));
    // 16-token prompts + 24 new tokens also grow the cache past its first 32 slots
    it('reproduces the golden greedy ids and step logits', () => checkGolden(lm, name));
  },
);

describe('exported model folders', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-gen-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('auto builds the external-kv graph from model.onnx weights (Llama)', async () => {
    const out = path.join(tmp, 'tiny-llama');
    await exportCheckpoint(goldenDir('tiny-llama'), out);
    const lm = await loadCausalLM(out, { threads: 1 });
    try {
      expect(lm.generationPath).toBe('external-kv');
      await checkGolden(lm, 'tiny-llama');
    } finally {
      await lm.dispose();
    }
  });

  it('reads weights kept in model.onnx.data', async () => {
    const out = path.join(tmp, 'tiny-llama-external-data');
    const res = await exportCheckpoint(goldenDir('tiny-llama'), out, { externalDataThreshold: 0 });
    expect(res.dataPath).not.toBeNull();
    const lm = await loadCausalLM(out, { threads: 1 });
    try {
      expect(lm.generationPath).toBe('external-kv');
      await checkGolden(lm, 'tiny-llama');
    } finally {
      await lm.dispose();
    }
  });

  it('auto builds it for DiffLlama too; decoder present runs the exported graph', async () => {
    const out = path.join(tmp, 'tiny-diffllama');
    await exportCheckpoint(goldenDir('tiny-diffllama'), out);
    for (const decoder of ['auto', 'present'] as const) {
      const lm = await loadCausalLM(out, { threads: 1, decoder });
      try {
        expect(lm.generationPath).toBe(decoder === 'auto' ? 'external-kv' : 'present');
        await checkGolden(lm, 'tiny-diffllama');
      } finally {
        await lm.dispose();
      }
    }
  });

  it('falls back to the present path for an fp16 export, with the reason', async () => {
    const out = path.join(tmp, 'tiny-llama-fp16');
    await exportCheckpoint(goldenDir('tiny-llama'), out, { dtype: 'fp16' });
    const lm = await loadCausalLM(out, { threads: 1 });
    try {
      expect(lm.generationPath).toBe('present');
      expect(lm.generationPathNote).toBe(
        `decoder: present (${path.join(out, 'model.onnx')} has float16 weights)`,
      );
      const gold = goldenGenerate('tiny-llama');
      const res = await lm.generate(gold.prompts, { maxNewTokens: 4, stopTokenIds: [] });
      expect(res.map((r) => r.tokens.length)).toEqual([4, 4]);
    } finally {
      await lm.dispose();
    }
  });

  it('asking for external-kv where it cannot be built is an error', async () => {
    await expect(
      loadCausalLM(goldenDir('tiny-llama'), { decoder: 'external-kv', modelPath: TORCH_ONNX }),
    ).rejects.toThrow(
      `cannot build the external-kv graph: ${TORCH_ONNX} has no initializer named model.embed_tokens.weight (not exported by exp)`,
    );
  });
});
