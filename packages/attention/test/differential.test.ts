// differentialMaps on the golden DiffLlama checkpoints exported with attentions (A1/A2 and
// lambda against golden attn1/attn2/lambda_full, row sums of every form) and on Llama (softmax).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportCheckpoint, loadCausalLM, readSafetensors, writeSafetensors } from '@exp/models';
import { differentialMaps, formHeads } from '../src/differential.js';
import { forEachLayerAttention } from '../src/maps.js';
import type { LayerAttention, MapForm } from '../src/types.js';

const GOLDEN = path.join(
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url)),
  'golden',
);
/** golden README: float32 attentions within 1e-6 of the float64 reference. */
const MAP_ATOL = 1e-6;
/** Row sums of float32 maps of 16 keys. */
const SUM_ATOL = 1e-5;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-attn-diff-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every layer of both case_a rows (batch-1 forwards), copied out of the callback. */
async function layersOf(model: string, checkpoint = path.join(GOLDEN, model)) {
  const dir = path.join(tmp, `${path.basename(checkpoint)}-onnx`);
  await exportCheckpoint(checkpoint, dir, { attentions: true });
  const lm = await loadCausalLM(dir, { threads: 1, decoder: 'present' });
  const g = readSafetensors(path.join(GOLDEN, model, 'golden.safetensors'));
  const ids = Array.from(g.get('case_a.input_ids')!.data as BigInt64Array, Number);
  const rows: LayerAttention[][] = [];
  try {
    for (const row of [0, 1]) {
      const layers: LayerAttention[] = [];
      await forEachLayerAttention(lm, ids.slice(row * 16, row * 16 + 16), (m) => {
        layers.push({ ...m, data: m.data.slice() });
      });
      rows.push(layers);
    }
  } finally {
    await lm.dispose();
  }
  const f32 = (name: string) => g.get(name)!.data as Float32Array;
  return { rows, f32 };
}

/** [min, max] over all rows (of `seq` keys) of their sums. */
function rowSums(maps: Float32Array, seq: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < maps.length / seq; r++) {
    let s = 0;
    for (let k = 0; k < seq; k++) s += maps[r * seq + k]!;
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  return [lo, hi];
}

const maxAbs = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
};

describe.each([
  ['tiny-diffllama', 4],
  ['tiny-diffllama-l3', 8],
] as const)('%s', (model, heads) => {
  let data: Awaited<ReturnType<typeof layersOf>>;
  beforeAll(async () => {
    data = await layersOf(model);
  });

  it('a1 / a2 are the golden attn1 / attn2 halves, lambda the golden lambda_full', () => {
    const half = (heads / 2) * 256;
    let err = 0;
    data.rows.forEach((layers, row) => {
      for (const m of layers) {
        expect(formHeads(m, 'a1')).toBe(heads / 2);
        const a1 = differentialMaps(m, 'a1');
        const a2 = differentialMaps(m, 'a2');
        const want = (n: string) =>
          data.f32(`case_a.${n}.${m.layer}`).subarray(row * half, (row + 1) * half);
        err = Math.max(err, maxAbs(a1, want('attn1')), maxAbs(a2, want('attn2')));
        // measured: 0 to 6.0e-8
        expect(
          Math.abs(m.lambdaFull! - data.f32(`case_a.lambda_full.${m.layer}`)[0]!),
        ).toBeLessThanOrEqual(MAP_ATOL);
      }
    });
    // measured: 6.0e-8
    expect(err).toBeLessThanOrEqual(MAP_ATOL);
  });

  it('differential rows sum to 1 - lambda and match D of the golden maps; normalised rows sum to 1', () => {
    let sumErr = 0;
    let normErr = 0;
    let goldenErr = 0;
    data.rows.forEach((layers, row) => {
      for (const m of layers) {
        const lambda = m.lambdaFull!;
        const d = differentialMaps(m, 'differential');
        expect(d.length).toBe((heads / 2) * 256);
        const [lo, hi] = rowSums(d, 16);
        sumErr = Math.max(sumErr, Math.abs(lo - (1 - lambda)), Math.abs(hi - (1 - lambda)));

        // against D from the golden maps and lambda (float64 arithmetic on the float32 values)
        const half = (heads / 2) * 256;
        const a1 = data.f32(`case_a.attn1.${m.layer}`).subarray(row * half);
        const a2 = data.f32(`case_a.attn2.${m.layer}`).subarray(row * half);
        const gl = data.f32(`case_a.lambda_full.${m.layer}`)[0]!;
        goldenErr = Math.max(
          goldenErr,
          maxAbs(
            d,
            Float32Array.from(d, (_, k) => a1[k]! - gl * a2[k]!),
          ),
        );

        const n = differentialMaps(m, 'differential-normalised');
        const [nlo, nhi] = rowSums(n, 16);
        normErr = Math.max(normErr, Math.abs(nlo - 1), Math.abs(nhi - 1));
        for (let k = 0; k < d.length; k++) expect(n[k]).toBeCloseTo(d[k]! / (1 - lambda), 6);

        const c = differentialMaps(m, 'differential-clamped');
        expect(
          c.every((v, k) => v >= 0 && v <= 1 && v === Math.fround(Math.min(1, Math.max(0, d[k]!)))),
        ).toBe(true);
      }
    });
    // measured: sums within 1.4e-7 of 1 - lambda, normalised within 3.0e-7 of 1, golden D within 8.9e-8
    expect(sumErr).toBeLessThanOrEqual(SUM_ATOL);
    expect(normErr).toBeLessThanOrEqual(SUM_ATOL);
    expect(goldenErr).toBeLessThanOrEqual(MAP_ATOL);
  });

  it("softmax returns the layer's data itself, all H raw maps", () => {
    const m = data.rows[0]![0]!;
    expect(differentialMaps(m, 'softmax')).toBe(m.data);
    expect(formHeads(m, 'softmax')).toBe(heads);
  });
});

// The golden maps are near uniform (0.02-std weights), so their D is positive everywhere (at least
// 0.026): negative entries need sharper maps. q_proj and k_proj x 8 scale the scores by 64.
it('tiny-diffllama with sharp maps: D goes negative, rows still sum to 1 - lambda, clamped in [0, 1]', async () => {
  const ckpt = path.join(tmp, 'tiny-diffllama-sharp');
  mkdirSync(ckpt);
  copyFileSync(path.join(GOLDEN, 'tiny-diffllama', 'config.json'), path.join(ckpt, 'config.json'));
  const weights = readSafetensors(path.join(GOLDEN, 'tiny-diffllama', 'model.safetensors'));
  await writeSafetensors(
    path.join(ckpt, 'model.safetensors'),
    [...weights].map(([name, { shape, data }]) => {
      const scale = /\.[qk]_proj\./.test(name) ? 8 : 1;
      return {
        name,
        dtype: 'F32' as const,
        shape,
        data: (data as Float32Array).map((x) => scale * x),
      };
    }),
    { format: 'pt' },
  );
  const { rows } = await layersOf('tiny-diffllama', ckpt);
  let negatives = 0;
  let sumErr = 0;
  let normErr = 0;
  let clamped = 0;
  for (const m of rows.flat()) {
    const d = differentialMaps(m, 'differential');
    negatives += d.filter((v) => v < 0).length;
    const [lo, hi] = rowSums(d, 16);
    sumErr = Math.max(
      sumErr,
      Math.abs(lo - (1 - m.lambdaFull!)),
      Math.abs(hi - (1 - m.lambdaFull!)),
    );
    const [nlo, nhi] = rowSums(differentialMaps(m, 'differential-normalised'), 16);
    normErr = Math.max(normErr, Math.abs(nlo - 1), Math.abs(nhi - 1));
    const c = differentialMaps(m, 'differential-clamped');
    expect(c.every((v) => v >= 0 && v <= 1)).toBe(true);
    clamped += c.filter((v, k) => v !== d[k]).length;
  }
  expect(negatives).toBeGreaterThan(0);
  expect(clamped).toBe(negatives); // nothing exceeds 1: a row's D sums to 1 - lambda < 1
  // measured: 478 of 3072 entries negative; sums within 1.4e-7 of 1 - lambda, normalised 2.0e-7 of 1
  expect(sumErr).toBeLessThanOrEqual(SUM_ATOL);
  expect(normErr).toBeLessThanOrEqual(SUM_ATOL);
});

describe.each(['tiny-llama', 'tiny-llama-l3'])('%s', (model) => {
  it('softmax rows sum to 1 within 1e-6; the DiffLlama forms are refused', async () => {
    const { rows } = await layersOf(model);
    let err = 0;
    for (const m of rows.flat()) {
      const [lo, hi] = rowSums(differentialMaps(m, 'softmax'), 16);
      err = Math.max(err, Math.abs(lo - 1), Math.abs(hi - 1));
    }
    // measured: 1.3e-7
    expect(err).toBeLessThanOrEqual(1e-6);
    const m = rows[0]![1]!;
    for (const form of [
      'a1',
      'a2',
      'differential',
      'differential-normalised',
      'differential-clamped',
    ] as MapForm[]) {
      expect(() => differentialMaps(m, form)).toThrow(
        `layer 1: map form ${form} needs a DiffLlama layer (lambda_full), this one has none`,
      );
    }
  });
});

it('refuses data of the wrong size, an odd head count and lambda_full = 1 for the normalised form', () => {
  const layer = (heads: number, lambdaFull: number, size = heads * 4): LayerAttention => ({
    layer: 2,
    heads,
    seq: 2,
    data: new Float32Array(size).fill(0.5),
    lambdaFull,
  });
  expect(() => differentialMaps(layer(2, 0.3, 7), 'a1')).toThrow(
    'layer 2: 7 values, expected 2 x 2 x 2',
  );
  expect(() => differentialMaps(layer(3, 0.3), 'differential')).toThrow(
    'layer 2: DiffLlama needs an even head count, got 3',
  );
  expect(() => differentialMaps(layer(2, 1), 'differential-normalised')).toThrow(
    'layer 2: lambda_full is 1, so D / (1 - lambda) is undefined',
  );
  // lambda_full = 1 is fine where nothing divides by 1 - lambda
  expect(Array.from(differentialMaps(layer(2, 1), 'differential'))).toEqual([0, 0, 0, 0]);
});
