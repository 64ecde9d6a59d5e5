// Value-weighted attention against transformers: the golden checkpoints and the tiny presets
// exported with value norms, compared with tools/crosscheck/value_norms_fixture.py's fixture
// (transformers eager in float64: ‖W_O^h v_j‖, |a_qj| ‖W_O^h v_j‖, and the row shares of the
// true per-key contributions to o_proj's output).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  exportCheckpoint,
  initPreset,
  loadCausalLM,
  type CausalLM,
  type HfTokenizer,
} from '@exp/models';
import { classifyTokens } from '../src/classes.js';
import { compareAttentionPatterns, type AttentionSet } from '../src/compare.js';
import { forEachLayerAttention } from '../src/maps.js';
import { VALUE_WEIGHTED_METRICS } from '../src/reduce.js';
import type { AttentionModel, LayerAttention, MapForm, ModelAttention } from '../src/types.js';
import { valueWeightedMaps } from '../src/value-weighted.js';
import { cleanItem, llama3, noisy, noisyItem, problems } from './gsm8k-items.js';

const GOLDEN = path.join(
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url)),
  'golden',
);
interface FixtureLayer {
  norms: number[][];
  weighted: number[][][];
  shares: number[][][];
  lambda_full?: number;
}
const FIXTURE = JSON.parse(
  readFileSync(new URL('./fixtures/value-weighted.json', import.meta.url), 'utf8'),
) as { models: Record<string, { ids: number[]; layers: FixtureLayer[] }> };
/** The tolerance (float32 ONNX against transformers in float64). */
const ATOL = 1e-5;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-attn-vw-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function checkpoint(key: string): Promise<string> {
  const [kind, name] = key.split('/') as ['golden' | 'preset', 'tiny-llama' | 'tiny-diffllama'];
  if (kind === 'golden') return path.join(GOLDEN, name);
  const dir = path.join(tmp, `${name}-ckpt`);
  await initPreset(name, dir);
  return dir;
}

const worst = (got: ArrayLike<number>, want: readonly number[]) => {
  expect(got.length).toBe(want.length);
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!));
  return m;
};

describe.each(Object.keys(FIXTURE.models))('%s exported with value norms', (key) => {
  it('gives transformers’ ‖W_O^h v_j‖, value-weighted maps and contribution shares to 1e-5', async () => {
    const { ids, layers } = FIXTURE.models[key]!;
    const dir = path.join(tmp, key.replace('/', '-'));
    await exportCheckpoint(await checkpoint(key), dir, { attentions: true, valueNorms: true });
    const lm = await loadCausalLM(dir, { threads: 1, decoder: 'present' });
    const err = { norms: 0, weighted: 0, shares: 0, lambda: 0 };
    const seen: number[] = [];
    try {
      await forEachLayerAttention(lm, ids, (layer: LayerAttention) => {
        const want = layers[layer.layer]!;
        seen.push(layer.layer);
        const form: MapForm = layer.lambdaFull === null ? 'softmax' : 'differential';
        if (want.lambda_full !== undefined)
          err.lambda = Math.max(err.lambda, Math.abs(layer.lambdaFull! - want.lambda_full));
        else expect(layer.lambdaFull).toBeNull();
        err.norms = Math.max(err.norms, worst(layer.valueNorms!, want.norms.flat()));
        const maps = valueWeightedMaps(layer, form)!;
        err.weighted = Math.max(err.weighted, worst(maps, want.weighted.flat(2)));
        const seq = ids.length;
        const shares = new Float64Array(maps.length);
        for (let r = 0; r < maps.length / seq; r++) {
          const row = maps.subarray(r * seq, (r + 1) * seq);
          const total = row.reduce((a, x) => a + x, 0);
          row.forEach((x, j) => (shares[r * seq + j] = x / total));
        }
        err.shares = Math.max(err.shares, worst(shares, want.shares.flat(2)));
      });
    } finally {
      await lm.dispose();
    }
    expect(seen).toEqual(layers.map((_, l) => l));
    expect(err.norms).toBeLessThanOrEqual(ATOL);
    expect(err.weighted).toBeLessThanOrEqual(ATOL);
    expect(err.shares).toBeLessThanOrEqual(ATOL);
    expect(err.lambda).toBeLessThanOrEqual(ATOL);
    // measured (2026-12-07): norms <= 3.9e-8, weighted <= 1.5e-8, shares <= 8.4e-8, lambda <= 5.2e-9
  });
});

describe('valueWeightedMaps', () => {
  // one DiffLlama pair (heads 0 and 1), 2 positions; norms of the pair: key 0 -> 2, key 1 -> 3
  const layer: LayerAttention = {
    layer: 0,
    heads: 2,
    seq: 2,
    data: Float32Array.from([1, 0, 0.25, 0.75, 1, 0, 0.5, 0.5]),
    lambdaFull: 0.5,
    valueNorms: Float32Array.from([2, 3]),
  };
  it('DiffLlama forms: |A1 - λ A2| N for the differential ones, A_h N of its pair for the sub-heads', () => {
    const diff = [0.5 * 2, 0, Math.abs(0.25 - 0.25) * 2, Math.abs(0.75 - 0.25) * 3];
    for (const form of ['differential', 'differential-normalised', 'differential-clamped'] as const)
      expect([...valueWeightedMaps(layer, form)!]).toEqual(diff);
    expect([...valueWeightedMaps(layer, 'a1')!]).toEqual([2, 0, 0.5, 2.25]);
    expect([...valueWeightedMaps(layer, 'a2')!]).toEqual([2, 0, 1, 1.5]);
    expect([...valueWeightedMaps(layer, 'softmax')!]).toEqual([2, 0, 0.5, 2.25, 2, 0, 1, 1.5]);
  });
  it('null without value norms; wrong sizes are refused', () => {
    expect(valueWeightedMaps({ ...layer, valueNorms: undefined }, 'differential')).toBeNull();
    expect(() =>
      valueWeightedMaps({ ...layer, valueNorms: Float32Array.from([1]) }, 'differential'),
    ).toThrow('layer 0: 1 value norms, expected 1 x 2');
  });
});

describe('compareAttentionPatterns on golden models exported with value norms', () => {
  let tok: HfTokenizer;
  let set: AttentionSet;
  const lms: CausalLM[] = [];
  beforeAll(async () => {
    tok = await llama3();
    set = {
      name: 'inf',
      clean: problems(2).map(cleanItem),
      noisy: noisy(2).map((r) => noisyItem(r)),
    };
  });
  afterAll(async () => {
    for (const lm of lms) await lm.dispose();
  });
  // The tiny models have 512 ids: Llama-3 ids are folded into them (the maps are what is compared).
  const folded = (): HfTokenizer =>
    ({
      encode: (text: string) => {
        const e = tok.encode(text);
        return { ...e, ids: e.ids.map((id) => id % 512) };
      },
    }) as unknown as HfTokenizer;
  async function golden(name: string, valueNorms: boolean): Promise<AttentionModel> {
    const dir = path.join(tmp, `compare-${name}-${valueNorms}`);
    await exportCheckpoint(path.join(GOLDEN, name), dir, { attentions: true, valueNorms });
    const lm = await loadCausalLM(dir, { threads: 1, decoder: 'present' });
    lms.push(lm);
    return { name, lm, tokenizer: folded() };
  }

  /** The value-weighted seed ratios of one prompt, per layer and head, written out directly. */
  async function expected(model: AttentionModel, prompt: (typeof set.noisy)[number]) {
    const enc = model.tokenizer.encode(prompt.prompt);
    const { classes } = classifyTokens(prompt, enc);
    const ids = [...enc.ids];
    const out = await model.lm.forward({
      inputIds: [ids],
      outputAttentions: true,
      outputValueNorms: true,
    });
    const S = ids.length;
    return out.attentions!.map((att, l) => {
      const lambda = out.lambdaFull?.[l];
      const norms = out.valueNorms![l]!.data;
      const pairs = lambda === undefined ? att.dims[1]! : att.dims[1]! / 2;
      return Array.from({ length: pairs }, (_, h) => {
        const got = { KMI: 0, NI: 0, OC: 0, special: 0 };
        for (let q = 0; q < S; q++) {
          for (let j = 0; j <= q; j++) {
            let a = att.data[(h * S + q) * S + j]!;
            if (lambda !== undefined) a -= lambda * att.data[((h + pairs) * S + q) * S + j]!;
            got[classes[j]!] += Math.abs(a) * norms[h * S + j]!;
          }
        }
        const total = got.KMI + got.NI + got.OC;
        return [got.KMI / total, got.NI / total, got.OC / total];
      });
    });
  }

  it('adds value_weighted and vw_* beside unchanged raw numbers, equal to a direct computation', async () => {
    const names = ['tiny-llama', 'tiny-diffllama'];
    const plain = await compareAttentionPatterns({
      models: await Promise.all(names.map((n) => golden(n, false))),
      sets: [set],
      bootstrap: 50,
    });
    const models = await Promise.all(names.map((n) => golden(n, true)));
    const out = await compareAttentionPatterns({ models, sets: [set], bootstrap: 50 });
    for (const [k, name] of names.entries()) {
      const m = out.inf![name]!;
      const { value_weighted: vw, ...raw } = m;
      const metrics = Object.fromEntries(
        Object.entries(raw.metrics).filter(([n]) => !n.startsWith('vw_')),
      );
      // the raw numbers are the bytes a run without value norms writes
      expect(JSON.stringify({ ...raw, metrics })).toBe(JSON.stringify(plain.inf![name]));
      expect(Object.keys(raw.metrics).filter((n) => n.startsWith('vw_'))).toEqual([
        ...VALUE_WEIGHTED_METRICS,
      ]);
      expect(vw).toBeDefined();
      expect(vw!.clean.ni_mean).toBe(0);
      expect(vw!.noisy.ni_mean).toBeGreaterThan(0);
      // per head, sample by sample: the pipeline's grid means equal the direct computation's
      const perSample = await Promise.all(set.noisy.map((it) => expected(models[k]!, it)));
      const mean = (l: number, h: number, c: number) =>
        perSample.reduce((a, s) => a + s[l]![h]![c]!, 0) / perSample.length;
      const grid = (c: number) => vw!.per_head.noisy[(['kmi', 'ni', 'oc'] as const)[c]!];
      let err = 0;
      for (let c = 0; c < 3; c++)
        grid(c).forEach((heads, l) =>
          heads.forEach((v, h) => (err = Math.max(err, Math.abs(v - mean(l, h, c))))),
        );
      expect(err).toBeLessThanOrEqual(1e-9);
      // and they are not the raw shares
      expect(Math.abs(vw!.noisy.kmi_mean - m.noisy.kmi_mean)).toBeGreaterThan(1e-4);
    }
    const settled = out.inf!['tiny-diffllama']! as ModelAttention;
    expect(settled.value_weighted!.per_head.noisy.kmi.map((h) => h.length)).toEqual([2, 2, 2]);
  });
});
