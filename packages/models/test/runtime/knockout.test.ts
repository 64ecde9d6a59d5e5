// Attention knockout (export option `knockout`, forward({ knockout })) against transformers'
// equivalent 4D attention masks (fixture from tools/crosscheck/knockout_fixture.py), and the
// plain model's logits, bitwise, when the knockout is off or empty.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCausalLM, ModelLoadError, type CausalLM } from '../../src/causal-lm.js';
import { exportCheckpoint } from '../../src/export.js';
import { initPreset } from '../../src/init/presets.js';
import { goldenDir, type GoldenModel } from '../helpers/shared.js';
import {
  knockoutFixture,
  logSumExp,
  type FixtureCase,
  type PositionRow,
} from '../helpers/knockout-fixture.js';

const fixture = knockoutFixture;

let tmp: string;
const models = new Map<string, Promise<CausalLM>>();
/** The case's checkpoint exported with the knockout inputs (once per model). */
function knockoutModel(name: string): Promise<CausalLM> {
  let lm = models.get(name);
  if (!lm) {
    lm = (async () => {
      let ckpt: string;
      if (name.startsWith('preset:')) {
        ckpt = path.join(tmp, `${name.slice(7)}-ckpt`);
        await initPreset(name.slice(7) as 'tiny-llama' | 'tiny-diffllama', ckpt);
      } else ckpt = goldenDir(name as GoldenModel);
      const dir = path.join(tmp, name.replace(':', '-'));
      await exportCheckpoint(ckpt, dir, { knockout: true, attentions: true });
      return loadCausalLM(dir, { decoder: 'present', threads: 1 });
    })();
    models.set(name, lm);
  }
  return lm;
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-knockout-'));
});
afterAll(async () => {
  for (const lm of models.values()) await (await lm).dispose();
  rmSync(tmp, { recursive: true, force: true });
});

/** Max abs difference of the fixture's rows (picked logits and log-sum-exp) and ours. */
function worstDiff(rows: PositionRow[], logits: Float32Array, seq: number, c: FixtureCase) {
  const vocab = logits.length / (c.input_ids.length * seq);
  let worst = 0;
  for (const r of rows) {
    const at = (r.row * seq + r.pos) * vocab;
    const row = logits.subarray(at, at + vocab);
    worst = Math.max(worst, Math.abs(logSumExp(row) - r.lse));
    r.picked?.forEach((v, j) => (worst = Math.max(worst, Math.abs(row[c.picked_ids[j]!]! - v))));
  }
  return worst;
}

describe.each(fixture.cases.map((c) => [`${c.model} from layer ${c.from_layer}`, c] as const))(
  'knockout vs transformers 4D mask: %s',
  (_name, c) => {
    it('logits within 1e-5, and the knockout moves them as in transformers', async () => {
      const lm = await knockoutModel(c.model);
      const seq = c.input_ids[0]!.length;
      const input = { inputIds: c.input_ids, attentionMask: c.attention_mask };
      const knocked = await lm.forward({
        ...input,
        knockout: { spans: c.spans, fromLayer: c.from_layer },
      });
      const plain = await lm.forward(input);
      const dKnock = worstDiff(c.knockout, knocked.logits.data, seq, c);
      const dPlain = worstDiff(c.plain, plain.logits.data, seq, c);
      console.log(`${c.model} from ${c.from_layer}: knockout ${dKnock}, plain ${dPlain}`);
      expect(dKnock).toBeLessThanOrEqual(1e-5);
      expect(dPlain).toBeLessThanOrEqual(1e-5);
      // the knockout matters: transformers' logits moved, and ours by the same largest amount
      expect(c.max_abs_change).toBeGreaterThan(0.05);
      let change = 0;
      c.attention_mask.forEach((mask, b) =>
        mask.forEach((m, p) => {
          if (!m) return;
          const vocab = plain.logits.dims[2]!;
          for (let v = 0, at = (b * seq + p) * vocab; v < vocab; v++, at++) {
            change = Math.max(change, Math.abs(knocked.logits.data[at]! - plain.logits.data[at]!));
          }
        }),
      );
      expect(Math.abs(change - c.max_abs_change)).toBeLessThanOrEqual(1e-5);
    });
  },
);

describe('knockout off', () => {
  const ids = [
    [3, 17, 99, 4, 250, 8, 1, 77],
    [5, 6, 7, 8, 9, 10, 11, 12],
  ];
  const mask = [
    [1, 1, 1, 1, 1, 1, 1, 1],
    [0, 0, 0, 1, 1, 1, 1, 1],
  ];
  it.each(['tiny-llama', 'tiny-diffllama'] as const)(
    "%s: the knockout export with empty spans (or none) gives the plain export's logits, bitwise",
    async (name) => {
      const plainDir = path.join(tmp, `${name}-plain`);
      await exportCheckpoint(goldenDir(name), plainDir);
      const plainLm = await loadCausalLM(plainDir, { decoder: 'present', threads: 1 });
      try {
        const plain = await plainLm.forward({ inputIds: ids, attentionMask: mask });
        expect((await plainLm.outputsInfo()).knockout).toBe(false);
        await expect(
          plainLm.forward({ inputIds: ids, knockout: { spans: [[], []] } }),
        ).rejects.toThrow(ModelLoadError);
        const lm = await knockoutModel(name);
        expect((await lm.outputsInfo()).knockout).toBe(true);
        const none = await lm.forward({ inputIds: ids, attentionMask: mask });
        const empty = await lm.forward({
          inputIds: ids,
          attentionMask: mask,
          knockout: { spans: [[], []], fromLayer: 1 },
        });
        const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
        expect(bytes(none.logits.data).equals(bytes(plain.logits.data))).toBe(true);
        expect(bytes(empty.logits.data).equals(bytes(plain.logits.data))).toBe(true);
      } finally {
        await plainLm.dispose();
      }
    },
  );

  it('bad spans and layers are refused in one line', async () => {
    const lm = await knockoutModel('tiny-llama');
    const run = (knockout: { spans: [number, number][][]; fromLayer?: number }) =>
      lm.forward({ inputIds: ids, knockout });
    await expect(run({ spans: [[[2, 9]], []] })).rejects.toThrow(
      'forward: knockout.spans[0][0] = [2, 9], expected integers 0 <= start < end <= 8',
    );
    await expect(run({ spans: [[]] })).rejects.toThrow(
      'forward: knockout.spans has 1 rows, expected 2',
    );
    await expect(run({ spans: [[], []], fromLayer: 2 })).rejects.toThrow(
      'forward: knockout.fromLayer = 2, expected an integer in [0, 2)',
    );
  });
});

it('from layer 0, queries outside the spans see what masking the span keys as padding gives', async () => {
  // the same finfo.min on the same keys, through attention_mask instead: equal bit for bit on
  // every row outside the spans (positions passed explicitly, so they do not shift)
  const lm = await knockoutModel('tiny-diffllama');
  const ids = [[9, 41, 300, 12, 77, 5, 260, 18, 3, 444, 70, 2]];
  const positionIds = [ids[0]!.map((_, i) => i)];
  const spans: [number, number][] = [
    [3, 6],
    [8, 9],
  ];
  const knocked = await lm.forward({ inputIds: ids, positionIds, knockout: { spans: [spans] } });
  const attentionMask = [ids[0]!.map((_, i) => (spans.some(([s, e]) => i >= s && i < e) ? 0 : 1))];
  const padded = await lm.forward({ inputIds: ids, positionIds, attentionMask });
  const vocab = knocked.logits.dims[2]!;
  let compared = 0;
  attentionMask[0]!.forEach((m, p) => {
    const row = (t: Float32Array) => Array.from(t.subarray(p * vocab, (p + 1) * vocab));
    if (m) {
      expect(row(knocked.logits.data)).toEqual(row(padded.logits.data));
      compared++;
    }
  });
  expect(compared).toBe(8);
});

it('DiffLlama from layer 1: both maps of every head give blocked keys 0 from layer 1 on, only for queries outside', async () => {
  const lm = await knockoutModel('tiny-diffllama'); // 3 layers, 4 heads (2 differential pairs)
  const ids = [[9, 41, 300, 12, 77, 5, 260, 18, 3, 444]];
  const out = await lm.forward({
    inputIds: ids,
    knockout: { spans: [[[2, 5]]], fromLayer: 1 },
    outputAttentions: true,
  });
  const mass = (layer: number, q: number) => {
    const { data, dims } = out.attentions![layer]!;
    const [, h, s, t] = dims as [number, number, number, number];
    let sum = 0;
    for (let head = 0; head < h; head++) {
      for (let k = 2; k < 5; k++) sum += data[(head * s + q) * t + k]!;
    }
    return sum;
  };
  for (const q of [5, 6, 9]) {
    expect(mass(0, q)).toBeGreaterThan(0.05);
    expect(mass(1, q)).toBe(0);
    expect(mass(2, q)).toBe(0);
  }
  // queries inside the span attend to it as usual
  expect(mass(1, 4)).toBeGreaterThan(0.05);
  expect(mass(2, 3)).toBeGreaterThan(0.05);
});
