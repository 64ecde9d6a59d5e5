// compareAttentionPatterns on GSM8K prompts: fake models with seeded maps (determinism, models
// kept apart, NI 0 clean and > 0 noisy, seed ratios summing to 1, DiffLlama forms, heat maps),
// and the golden tiny Llama / DiffLlama exported with attentions.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportCheckpoint, loadCausalLM, type CausalLM, type HfTokenizer } from '@exp/models';
import { classifyTokens } from '../src/classes.js';
import {
  compareAttentionPatterns,
  type AttentionSet,
  type CompareOptions,
} from '../src/compare.js';
import { forEachLayerAttention } from '../src/maps.js';
import { reduceLayer, type SampleValues } from '../src/reduce.js';
import { SampleMapSchema } from '../src/index.js';
import type { AttentionModel, ModelAttention, SampleMap } from '../src/types.js';
import { causalMaps, fakeLM } from './fake-lm.js';
import { SHARED_DIR, cleanItem, llama3, noisy, noisyItem, problems } from './gsm8k-items.js';

let tok: HfTokenizer;
let set: AttentionSet;
beforeAll(async () => {
  tok = await llama3();
  const ps = problems(4);
  // answers known for the noisy items: wrong on problems 0 and 2 (metric 10)
  set = {
    name: 'inf',
    clean: ps.map(cleanItem),
    noisy: noisy(4).map((r, i) => noisyItem(r, i % 2 === 1)),
  };
});

const llama = (label = 'llama'): AttentionModel => ({
  name: label,
  lm: fakeLM(label, 2, 4).lm,
  tokenizer: tok,
});
const diff = (): AttentionModel => ({
  name: 'diffllama',
  lm: fakeLM('diffllama', 2, 4, [0.25, 0.5]).lm,
  tokenizer: tok,
});
const run = (o: Partial<CompareOptions> = {}) =>
  compareAttentionPatterns({ models: [llama(), diff()], sets: [set], bootstrap: 200, ...o });

describe('compareAttentionPatterns with fake models', () => {
  let a: ModelAttention;
  let d: ModelAttention;
  beforeAll(async () => {
    const out = await run();
    a = out.inf!.llama!;
    d = out.inf!.diffllama!;
  });

  it('identical inputs give identical numbers', async () => {
    expect(await run()).toEqual({ inf: { llama: a, diffllama: d } });
  });

  it('two models with different maps get different numbers', () => {
    expect(a.clean.kmi_mean).not.toBe(d.clean.kmi_mean);
    expect(a.noisy.ni_mean).not.toBe(d.noisy.ni_mean);
    expect(a.per_head.noisy.ni).not.toEqual(d.per_head.noisy.ni);
  });

  it('NI gets nothing on clean prompts and something on noisy ones', () => {
    for (const m of [a, d]) {
      expect(m.clean.ni_mean).toBe(0);
      expect(m.clean.ni_std).toBe(0);
      expect(m.metrics.mass_ni!.clean!.mean).toBe(0);
      expect(m.noisy.ni_mean).toBeGreaterThan(0);
      expect(m.metrics.mass_ni!.noisy!.mean).toBeGreaterThan(0);
      // NI lift and signal-to-noise are undefined on clean prompts
      expect(m.metrics.lift_ni!.clean).toBeUndefined();
      expect(m.metrics.snr!.clean).toBeUndefined();
    }
  });

  it('seed ratios sum to 1 per layer and head, clean and noisy', () => {
    for (const m of [a, d]) {
      for (const cond of ['clean', 'noisy'] as const) {
        const { kmi, ni, oc } = m.per_head[cond];
        kmi.forEach((heads, l) =>
          heads.forEach((k, h) =>
            expect(Math.abs(k + ni[l]![h]! + oc[l]![h]! - 1)).toBeLessThanOrEqual(1e-6),
          ),
        );
        expect(
          Math.abs(m[cond].kmi_mean + m[cond].ni_mean + m[cond].oc_mean - 1),
        ).toBeLessThanOrEqual(1e-6);
      }
    }
  });

  it('the seed block is metric 1 averaged over layers and heads, then over samples', () => {
    expect(a.clean.kmi_mean).toBe(a.metrics.seed_kmi!.clean!.mean);
    expect(a.noisy.oc_std).toBe(a.metrics.seed_oc!.noisy!.std);
    expect(a.per_layer.noisy.ni).toEqual(a.metrics.seed_ni!.per_layer!.noisy);
    expect(a.metrics.seed_kmi!.clean!.n).toBe(4);
  });

  it('records its settings: Llama in softmax (4 heads), DiffLlama differential-normalised (2 pairs)', () => {
    expect(a.settings).toEqual({
      form: 'softmax',
      classifier: 'exp',
      query: 'last',
      excludeSpecial: true,
      samples: 4,
      layers: 2,
      heads: 4,
      seed: 42,
      bootstrap: 200,
    });
    expect(d.settings).toMatchObject({ form: 'differential-normalised', heads: 2 });
    expect(d.per_head.clean.kmi[0]).toHaveLength(2);
  });

  it('metric 8 only for DiffLlama; metrics 6, 9, 10 for both', () => {
    expect(a.metrics.neg_fraction).toBeUndefined();
    expect(d.metrics.neg_fraction!.noisy!.mean).toBeGreaterThan(0);
    expect(d.metrics.cancellation_ni!.noisy!.n).toBe(4);
    expect(d.metrics.cancellation_ni!.clean).toBeUndefined();
    for (const m of [a, d]) {
      expect(m.metrics.distraction!.value).toMatchObject({ n: 4 });
      expect(m.metrics.layer_profile!.per_layer!.noisy).toEqual(
        m.metrics.lift_ni!.per_layer!.noisy,
      );
      expect(m.metrics.auc_wrong_ni!.extra).toEqual({ of: 'mass_ni', n_wrong: 2, n_right: 2 });
      expect(typeof m.metrics.auc_wrong_ni!.value).toBe('number');
    }
  });

  it('another seed changes the intervals only', async () => {
    const b = (await run({ seed: 7 })).inf!.llama!;
    expect(b.clean).toEqual(a.clean);
    expect(b.metrics.seed_kmi!.clean!.mean).toBe(a.metrics.seed_kmi!.clean!.mean);
    expect(b.metrics.seed_kmi!.clean!.ci_low).not.toBe(a.metrics.seed_kmi!.clean!.ci_low);
  });
});

describe('per sample and layer', () => {
  it('seed ratios of every layer and head sum to 1 within 1e-6', async () => {
    const item = noisyItem(noisy(1)[0]!);
    const enc = tok.encode(item.prompt);
    const { classes } = classifyTokens(item, enc);
    const values: SampleValues = new Map();
    const fake = fakeLM('per-layer', 3, 6, [0.2, 0.4, 0.6]).lm;
    await forEachLayerAttention(fake, enc.ids, (layer) =>
      reduceLayer(
        layer,
        {
          classes,
          rows: [enc.ids.length - 1],
          excludeSpecial: true,
          form: 'differential-normalised',
        },
        values,
      ),
    );
    const [k, n, o] = (['seed_kmi', 'seed_ni', 'seed_oc'] as const).map((m) => values.get(m)!);
    expect(k).toHaveLength(3);
    k!.forEach((heads, l) => {
      expect(heads).toHaveLength(3);
      heads.forEach((x, h) =>
        expect(Math.abs(x! + n![l]![h]! + o![l]![h]! - 1)).toBeLessThanOrEqual(1e-6),
      );
    });
  });
});

describe('heat maps, progress, options', () => {
  it('one SampleMap per model, problem and condition: last layer, head mean, rows of softmax sum to 1', async () => {
    const maps: SampleMap[] = [];
    await run({ onSampleMap: (m) => maps.push(m), samples: 2 });
    expect(
      maps.map((m) => `${m.model}/${m.id}/${m.condition}/${m.layer}/${m.head}/${m.form}`),
    ).toEqual([
      'llama/gsm8k-test-0/clean/1/mean/softmax',
      'llama/gsm8k-test-0/noisy/1/mean/softmax',
      'llama/gsm8k-test-1/clean/1/mean/softmax',
      'llama/gsm8k-test-1/noisy/1/mean/softmax',
      'diffllama/gsm8k-test-0/clean/1/mean/differential-normalised',
      'diffllama/gsm8k-test-0/noisy/1/mean/differential-normalised',
      'diffllama/gsm8k-test-1/clean/1/mean/differential-normalised',
      'diffllama/gsm8k-test-1/noisy/1/mean/differential-normalised',
    ]);
    const m = maps[2]!;
    expect(m.tokens).toHaveLength(30);
    expect(m.matrix).toHaveLength(30);
    expect(m.question).toEqual([2, 28]);
    expect(m.classes.filter((c) => c === 'KMI')).toHaveLength(7);
    for (const row of m.matrix)
      expect(Math.abs(row.reduce((s, x) => s + x, 0) - 1)).toBeLessThanOrEqual(1e-6);
    // each map, written as JSON (as the CLI writes attention_samples/), parses back equal with
    // the exported schema
    for (const map of maps)
      expect(SampleMapSchema.parse(JSON.parse(JSON.stringify(map)))).toEqual(map);
    const short = SampleMapSchema.safeParse({ ...m, matrix: m.matrix.slice(1) });
    expect(short.error?.issues[0]).toMatchObject({
      path: ['matrix'],
      message: 'expected 30 rows (one per token), got 29',
    });
  });

  it('a chosen layer and head: the map itself, never post-processed', async () => {
    const maps: SampleMap[] = [];
    await compareAttentionPatterns({
      models: [llama()],
      sets: [set],
      samples: 1,
      heatmap: { layer: 0, head: 3 },
      onSampleMap: (m) => maps.push(m),
    });
    const ids = tok.encode(set.clean[0]!.prompt).ids;
    const S = ids.length;
    const want = causalMaps('llama/0', ids, 4).subarray(3 * S * S, 4 * S * S);
    expect(maps[0]!.matrix.flat()).toEqual(Array.from(want));
  });

  it('reports progress per problem over all sets and models', async () => {
    const seen: string[] = [];
    await run({ samples: 2, onProgress: (done, total) => seen.push(`${done}/${total}`) });
    expect(seen).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it("query 'generated' averages the rows of the generated tokens", async () => {
    const g = (await run({ query: 'generated', generatedTokens: 3, samples: 2 })).inf!.llama!;
    const l = (await run({ samples: 2 })).inf!.llama!;
    expect(g.settings).toMatchObject({ query: 'generated', generatedTokens: 3 });
    expect(g.metrics.mass_kmi!.clean!.mean).not.toBe(l.metrics.mass_kmi!.clean!.mean);
    // seed ratios over all rows also see the generated rows
    expect(g.clean.kmi_mean).not.toBe(l.clean.kmi_mean);
  });

  it("the 'seed' classifier and excludeSpecial false are recorded and change the numbers", async () => {
    const s = (await run({ classifier: 'seed', excludeSpecial: false, samples: 2 })).inf!.llama!;
    const e = (await run({ samples: 2 })).inf!.llama!;
    expect(s.settings).toMatchObject({ classifier: 'seed', excludeSpecial: false });
    expect(s.clean.kmi_mean).not.toBe(e.clean.kmi_mean);
    expect(s.metrics.seed_special!.clean!.mean).toBeGreaterThan(0);
  });

  it('refuses mismatched pairs, clean items with noise and bad heads in one line', async () => {
    const swapped = { ...set, noisy: [...set.noisy].reverse() };
    await expect(run({ sets: [swapped] })).rejects.toThrow(
      'set inf: item 0 is gsm8k-test-0 clean but gsm8k-test-3 noisy',
    );
    await expect(run({ sets: [{ ...set, clean: set.noisy }] })).rejects.toThrow(
      'set inf: clean item gsm8k-test-0 has noise spans',
    );
    await expect(run({ heatmap: { head: 4 }, onSampleMap: () => {} })).rejects.toThrow(
      'heatmap head 4: the softmax maps have 4 heads',
    );
    await expect(run({ heatmap: { layer: 5 }, onSampleMap: () => {} })).rejects.toThrow(
      'heatmap layer 5: model llama has 2 layers',
    );
    await expect(run({ models: [llama(), llama()] })).rejects.toThrow(
      'models: llama is given twice',
    );
  });
});

describe('golden tiny-llama vs tiny-diffllama, exported with attentions', () => {
  let tmp: string;
  const lms: CausalLM[] = [];
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-attn-compare-'));
  });
  afterAll(async () => {
    for (const lm of lms) await lm.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  // The tiny models have 512 ids: Llama-3 ids are folded into them (the maps are what is compared).
  const folded = (): HfTokenizer =>
    ({
      encode: (text: string) => {
        const e = tok.encode(text);
        return { ...e, ids: e.ids.map((id) => id % 512) };
      },
    }) as unknown as HfTokenizer;

  async function golden(name: string): Promise<AttentionModel> {
    const dir = path.join(tmp, name);
    await exportCheckpoint(path.join(SHARED_DIR, 'golden', name), dir, { attentions: true });
    const lm = await loadCausalLM(dir, { threads: 1, decoder: 'present' });
    lms.push(lm);
    return { name, lm, tokenizer: folded() };
  }

  it('gives each model its own numbers; NI 0 clean, > 0 noisy; ratios sum to 1', async () => {
    const models = [await golden('tiny-llama'), await golden('tiny-diffllama')];
    const out = await compareAttentionPatterns({ models, sets: [set], samples: 2, bootstrap: 100 });
    const [l, d] = [out.inf!['tiny-llama']!, out.inf!['tiny-diffllama']!];
    expect(l.settings).toMatchObject({ form: 'softmax', layers: 2, heads: 4 });
    expect(d.settings).toMatchObject({ form: 'differential-normalised', layers: 3, heads: 2 });
    expect(l.noisy.kmi_mean).not.toBe(d.noisy.kmi_mean);
    expect(l.noisy.ni_mean).not.toBe(d.noisy.ni_mean);
    for (const m of [l, d]) {
      expect(m.clean.ni_mean).toBe(0);
      expect(m.noisy.ni_mean).toBeGreaterThan(0);
      expect(
        Math.abs(m.noisy.kmi_mean + m.noisy.ni_mean + m.noisy.oc_mean - 1),
      ).toBeLessThanOrEqual(1e-6);
    }
    expect(d.metrics.neg_fraction!.noisy!.n).toBe(2);
    // measured (random tiny models attend almost uniformly, yet the two differ in the 4th digit)
    expect(l.noisy.kmi_mean).toBeCloseTo(0.177206285, 6);
    expect(d.noisy.kmi_mean).toBeCloseTo(0.176953508, 6);
    expect(l.noisy.ni_mean).toBeCloseTo(0.148332189, 6);
    expect(d.noisy.ni_mean).toBeCloseTo(0.148416337, 6);
  });
});
