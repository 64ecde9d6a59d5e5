// forEachLayerAttention: each layer's maps of a batch-1 prompt, from golden checkpoints exported
// with attentions (against the golden case_a / case_long maps), and from a plain runner.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportCheckpoint, loadCausalLM, readSafetensors, type FloatTensor } from '@exp/models';
import { forEachLayerAttention, type AttentionOutputs } from '../src/maps.js';
import type { LayerAttention } from '../src/types.js';

const GOLDEN = path.join(
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url)),
  'golden',
);
/** golden README: float32 attentions within 1e-6 of the float64 reference. */
const ATOL = 1e-6;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-attn-maps-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const worst = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
};

async function exported(model: string, attentions = true) {
  const dir = path.join(tmp, `${model}${attentions ? '' : '-plain'}`);
  await exportCheckpoint(path.join(GOLDEN, model), dir, { attentions });
  return loadCausalLM(dir, { threads: 1, decoder: 'present' });
}

describe.each([
  ['tiny-llama', 2, 4],
  ['tiny-diffllama', 3, 4],
  ['tiny-diffllama-l3', 4, 8],
] as const)('%s exported with attentions', (model, layers, heads) => {
  it('hands over each case_a row layer by layer, equal to the golden maps and lambda_full', async () => {
    const lm = await exported(model);
    try {
      const g = readSafetensors(path.join(GOLDEN, model, 'golden.safetensors'));
      const ids = Array.from(g.get('case_a.input_ids')!.data as BigInt64Array, Number);
      let err = 0;
      for (const row of [0, 1]) {
        const order: string[] = [];
        const shape = await forEachLayerAttention(
          lm,
          ids.slice(row * 16, row * 16 + 16),
          async (m) => {
            order.push(`start ${m.layer}`);
            const size = heads * 256;
            const want = g.get(`case_a.attentions.${m.layer}`)!.data as Float32Array;
            err = Math.max(err, worst(m.data, want.subarray(row * size, (row + 1) * size)));
            if (model === 'tiny-llama') expect(m.lambdaFull).toBeNull();
            else {
              const lambda = (g.get(`case_a.lambda_full.${m.layer}`)!.data as Float32Array)[0]!;
              // measured: 0 to 6.0e-8
              expect(Math.abs(m.lambdaFull! - lambda)).toBeLessThanOrEqual(ATOL);
            }
            await new Promise((r) => setTimeout(r, 1)); // the next layer waits for this one
            order.push(`end ${m.layer}`);
          },
        );
        expect(shape).toEqual({ layers, heads, seq: 16 });
        expect(order).toEqual(
          Array.from({ length: layers }, (_, l) => [`start ${l}`, `end ${l}`]).flat(),
        );
      }
      // measured: 6.0e-8
      expect(err).toBeLessThanOrEqual(ATOL);
    } finally {
      await lm.dispose();
    }
  });
});

it('tiny-llama-l3 case_long (96 positions): the last layer equals the golden map', async () => {
  const lm = await exported('tiny-llama-l3');
  try {
    const g = readSafetensors(path.join(GOLDEN, 'tiny-llama-l3', 'golden.safetensors'));
    const ids = Array.from(g.get('case_long.input_ids')!.data as BigInt64Array, Number);
    let last: Float32Array | null = null;
    const shape = await forEachLayerAttention(lm, ids, (m) => {
      if (m.layer === 3) last = m.data;
    });
    expect(shape).toEqual({ layers: 4, heads: 8, seq: 96 });
    // measured: 6.0e-8
    expect(worst(last!, g.get('case_long.attentions.3')!.data as Float32Array)).toBeLessThanOrEqual(
      ATOL,
    );
  } finally {
    await lm.dispose();
  }
});

it('a model exported without attentions is refused by forward, naming the file', async () => {
  const lm = await exported('tiny-llama', false);
  try {
    await expect(forEachLayerAttention(lm, [5, 6, 7], () => {})).rejects.toThrow(
      `${lm.modelPath} has no output attentions.0: export it with attentions to get attention maps`,
    );
  } finally {
    await lm.dispose();
  }
});

describe('a runner', () => {
  const map = (heads: number, seq: number, fill: number): FloatTensor => ({
    data: new Float32Array(heads * seq * seq).fill(fill),
    dims: [1, heads, seq, seq],
  });

  it("drops each layer's map before handing it over", async () => {
    const out: AttentionOutputs = {
      attentions: [map(2, 3, 0), map(2, 3, 1), map(2, 3, 2)],
      lambdaFull: [0.1, 0.2, 0.3],
    };
    const seen: LayerAttention[] = [];
    const shape = await forEachLayerAttention(
      async () => out,
      [1, 2, 3],
      (m) => {
        expect(out.attentions[m.layer]).toBeUndefined();
        if (m.layer < 2) expect(out.attentions[m.layer + 1]).toBeDefined();
        seen.push(m);
      },
    );
    expect(shape).toEqual({ layers: 3, heads: 2, seq: 3 });
    expect(seen.map((m) => [m.layer, m.heads, m.seq, m.data[0], m.lambdaFull])).toEqual([
      [0, 2, 3, 0, 0.1],
      [1, 2, 3, 1, 0.2],
      [2, 2, 3, 2, 0.3],
    ]);
  });

  it('refuses maps of the wrong shape, a lambda count that disagrees, no maps, no ids', async () => {
    const run = (out: AttentionOutputs) =>
      forEachLayerAttention(
        async () => out,
        [1, 2, 3],
        () => {},
      );
    await expect(run({ attentions: [map(2, 3, 0), map(2, 4, 0)] })).rejects.toThrow(
      'forEachLayerAttention: attentions.1 has dims [1, 2, 4, 4], expected [1, 2, 3, 3]',
    );
    await expect(
      run({ attentions: [{ data: new Float32Array(18), dims: [2, 1, 3, 3] }] }),
    ).rejects.toThrow(
      'forEachLayerAttention: attentions.0 has dims [2, 1, 3, 3], expected [1, 1, 3, 3]',
    );
    await expect(run({ attentions: [map(2, 3, 0)], lambdaFull: [0.1, 0.2] })).rejects.toThrow(
      'forEachLayerAttention: 2 lambda_full values for 1 layers',
    );
    await expect(run({ attentions: [] })).rejects.toThrow(
      'forEachLayerAttention: the model returned no attention maps',
    );
    await expect(
      forEachLayerAttention(
        async () => ({ attentions: [] }),
        [],
        () => {},
      ),
    ).rejects.toThrow('forEachLayerAttention: ids is empty');
  });
});
