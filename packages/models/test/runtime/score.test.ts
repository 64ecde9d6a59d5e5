// CausalLM.score(): the LM head reduced in onnxruntime (runtime/score-graph.ts) against the same
// model's forward() logits reduced in JS (float64), and, with attention knockout, against
// transformers' log-sum-exp and logits (fixtures/knockout-logits.json).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCausalLM, type CausalLM, type ScoreExtra } from '../../src/causal-lm.js';
import { exportCheckpoint } from '../../src/export.js';
import { goldenDir, type GoldenModel } from '../helpers/shared.js';
import { knockoutFixture, logSumExp } from '../helpers/knockout-fixture.js';

const fixture = knockoutFixture;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-score-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function withModel(name: string, knockout: boolean, f: (lm: CausalLM) => Promise<void>) {
  const dir = path.join(tmp, `${name}-${knockout}`);
  await exportCheckpoint(goldenDir(name as GoldenModel), dir, { knockout });
  const lm = await loadCausalLM(dir, { decoder: 'present', threads: 1 });
  try {
    await f(lm);
  } finally {
    await lm.dispose();
  }
}

const ids = [
  [3, 17, 99, 4, 250, 8, 1, 77, 12],
  [5, 6, 7, 8, 9, 10, 11, 12, 13],
];
const mask = [
  [1, 1, 1, 1, 1, 1, 1, 1, 1],
  [0, 0, 0, 1, 1, 1, 1, 1, 1],
];

test.each(['tiny-llama', 'tiny-llama-tied', 'tiny-diffllama-l3'])(
  '%s: score() equals forward() logits reduced in float64 JS',
  (name) =>
    withModel(name, false, async (lm) => {
      const seq = ids[0]!.length;
      // teacher forcing on the real tokens, skipping row 1's padding and the last position
      const targets = ids.map((row, b) =>
        row.map((_, t) => (t + 1 < seq && mask[b]![t]! === 1 ? row[t + 1]! : -1)),
      );
      const extraIds: ScoreExtra[] = [
        { row: 0, position: 2, ids: [0, 5, 300] },
        { row: 1, position: 8, ids: [42] }, // a position with no target
      ];
      const scored = await lm.score({ inputIds: ids, attentionMask: mask, targets, extraIds });
      const { logits } = await lm.forward({ inputIds: ids, attentionMask: mask });
      const vocab = logits.dims[2]!;
      const at = (b: number, t: number) => (b * seq + t) * vocab;
      const row = (b: number, t: number) => logits.data.subarray(at(b, t), at(b, t) + vocab);
      let worst = 0;
      let count = 0;
      targets.forEach((r, b) =>
        r.forEach((id, t) => {
          const lp = scored.targetLogprobs.data[b * seq + t]!;
          if (id < 0) {
            expect(lp).toBeNaN();
            return;
          }
          const lse = logSumExp(row(b, t));
          worst = Math.max(worst, Math.abs(lp - (row(b, t)[id]! - lse)));
          worst = Math.max(worst, Math.abs(scored.logsumexp.data[b * seq + t]! - lse));
          count++;
        }),
      );
      expect(count).toBe(8 + 5);
      expect(scored.logsumexp.data[1 * seq + 0]).toBeNaN(); // padding: not scored
      extraIds.forEach((e, j) => {
        const lse = logSumExp(row(e.row, e.position));
        expect(scored.extraLogprobs[j]).toHaveLength(e.ids.length);
        e.ids.forEach((id, i) => {
          const want = row(e.row, e.position)[id]! - lse;
          worst = Math.max(worst, Math.abs(scored.extraLogprobs[j]![i]! - want));
        });
      });
      console.log(`${name}: score vs forward+JS max abs diff ${worst}`);
      expect(worst).toBeLessThanOrEqual(2e-6);
    }),
);

// the presets' knockout logits are checked by knockout.test.ts; these are the golden checkpoints
const golden = fixture.cases.filter((c) => !c.model.startsWith('preset:'));
describe.each(golden.map((c) => [`${c.model} from layer ${c.from_layer}`, c] as const))(
  'score() with knockout vs transformers 4D mask: %s',
  (_name, c) => {
    it('log-sum-exp and log-probabilities within 1e-5', async () => {
      await withModel(c.model, true, async (lm) => {
        const seq = c.input_ids[0]!.length;
        const targets = c.input_ids.map((r) => r.map(() => -1));
        const extraIds: ScoreExtra[] = [];
        for (const r of c.knockout) {
          targets[r.row]![r.pos] = c.picked_ids[0]!;
          extraIds.push({ row: r.row, position: r.pos, ids: c.picked_ids });
        }
        const scored = await lm.score({
          inputIds: c.input_ids,
          attentionMask: c.attention_mask,
          targets,
          extraIds,
          knockout: { spans: c.spans, fromLayer: c.from_layer },
        });
        let worst = 0;
        c.knockout.forEach((r, j) => {
          worst = Math.max(worst, Math.abs(scored.logsumexp.data[r.row * seq + r.pos]! - r.lse));
          r.picked?.forEach((v, i) => {
            const got = scored.extraLogprobs[j]![i]!;
            worst = Math.max(worst, Math.abs(got - (v - r.lse)));
            if (i === 0) expect(scored.targetLogprobs.data[r.row * seq + r.pos]).toBe(got);
          });
        });
        console.log(`${c.model} from ${c.from_layer}: score vs transformers ${worst}`);
        expect(worst).toBeLessThanOrEqual(1e-5);
      });
    });
  },
);

test('bad targets and extra ids are refused in one line', () =>
  withModel('tiny-llama', false, async (lm) => {
    const inputIds = [[1, 2, 3]];
    await expect(lm.score({ inputIds, targets: [[1, 2]] })).rejects.toThrow(
      'score: targets[0] has 2 positions, expected 3',
    );
    await expect(lm.score({ inputIds, targets: [[1, 1e9, -1]] })).rejects.toThrow(
      /^score: targets\[0\]\[1\] = 1000000000, expected an integer token id in \[0, \d+\)$/,
    );
    await expect(
      lm.score({
        inputIds,
        targets: [[-1, -1, -1]],
        extraIds: [{ row: 0, position: 3, ids: [1] }],
      }),
    ).rejects.toThrow('score: extraIds[0].position = 3, expected an integer in [0, 3)');
    await expect(
      lm.score({ inputIds, targets: [[-1, -1, -1]], knockout: { spans: [[[0, 1]]] } }),
    ).rejects.toThrow('has no input knockout_keys');
  }));
