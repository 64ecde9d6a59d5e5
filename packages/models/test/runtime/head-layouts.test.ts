// The golden checkpoints all have 2 kv heads. The fast decode graph groups query heads per kv
// head and (DiffLlama) forms the differential map before the values, so other layouts must give
// the same step scores as the exported eager graph: MHA, GQA 2:1 and 4:1, and MQA.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCausalLM } from '../../src/causal-lm.js';
import { exportCheckpoint } from '../../src/export.js';
import type { LogitsProcessor } from '../../src/generation/logits-process.js';
import { initRandomCheckpoint } from '../../src/init/random-checkpoint.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'exp-heads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Records every row's scores as the generation loop sees them. */
class Capture implements LogitsProcessor {
  readonly rows: Float32Array[] = [];
  process(_ids: readonly number[], scores: Float32Array): void {
    this.rows.push(Float32Array.from(scores));
  }
}

const PROMPTS = [
  [5, 17, 29, 41, 53, 65, 77, 89, 101],
  [7, 19, 31, 43, 55],
];

describe.each([
  ['llama', 8, 8],
  ['llama', 8, 2],
  ['diffllama', 8, 4],
  ['diffllama', 8, 2],
  ['diffllama', 4, 1],
  ['diffllama', 8, 8],
] as const)('%s with %i query heads / %i kv heads', (modelType, heads, kvHeads) => {
  it("the fast decode graph gives the exported graph's step scores", async () => {
    const name = `${modelType}-${heads}-${kvHeads}`;
    const ckpt = path.join(tmp, name, 'ckpt');
    const out = path.join(tmp, name, 'onnx');
    await initRandomCheckpoint(
      ckpt,
      {
        model_type: modelType,
        vocab_size: 160,
        hidden_size: 64,
        intermediate_size: 96,
        num_hidden_layers: 2,
        num_attention_heads: heads,
        num_key_value_heads: kvHeads,
        head_dim: 16,
        tie_word_embeddings: true,
        // larger weights than HF's 0.02 so that attention is far from uniform
        initializer_range: 0.2,
      },
      { seed: heads * 10 + kvHeads, tokenizerDir: false },
    );
    await exportCheckpoint(ckpt, out);
    const scores: Record<string, Capture> = {};
    const tokens: Record<string, number[][]> = {};
    for (const decoder of ['present', 'external-kv'] as const) {
      const lm = await loadCausalLM(out, { decoder, threads: 1 });
      expect(lm.generationPath).toBe(decoder);
      scores[decoder] = new Capture();
      const res = await lm.generate(PROMPTS, {
        maxNewTokens: 6,
        logitsProcessors: [scores[decoder]],
      });
      tokens[decoder] = res.map((r) => r.tokens);
      await lm.dispose();
    }
    expect(tokens['external-kv']).toEqual(tokens.present);
    const a = scores.present.rows;
    const b = scores['external-kv'].rows;
    expect(b).toHaveLength(a.length);
    let worst = 0;
    for (let r = 0; r < a.length; r++)
      for (let i = 0; i < a[r].length; i++) worst = Math.max(worst, Math.abs(a[r][i] - b[r][i]));
    expect(worst).toBeLessThan(1e-4);
    // the scores must carry signal for the comparison to mean anything
    const spread = Math.max(...a[0]) - Math.min(...a[0]);
    expect(spread).toBeGreaterThan(0.5);
  });
});
