// verifyAgainstGolden: runs an exported model folder on the golden inputs (shared/golden/<model>/
// golden.safetensors, see its README) and reports the max abs error of every check: case_a logits
// and attentions (DiffLlama: attn1/attn2 halves, lambda_full), case_b left-padded logits and
// attentions at valid positions, case_long (when present) and greedy decoding through the cache.
import path from 'node:path';
import { loadModelConfig, type ModelConfig } from './config.js';
import { readSafetensors, type RawTensor } from './safetensors/read.js';
import { ort } from './runtime/ort.js';

type Tensor = InstanceType<typeof ort.Tensor>;
type Session = Awaited<ReturnType<typeof ort.InferenceSession.create>>;

export interface VerifyTolerances {
  logits: number;
  attentions: number;
  lambda: number;
  /** Greedy ids allowed to differ (0 for fp32). */
  generatedIdMismatches: number;
}

/** fp32: the acceptance bounds (golden README suggests 1e-5 / 1e-6; we see ~6e-7 / 6e-8). */
export const FP32_TOLERANCES: VerifyTolerances = {
  logits: 1e-4,
  attentions: 1e-5,
  lambda: 1e-5,
  generatedIdMismatches: 0,
};
/** fp16 weights and compute: loose bounds; greedy ids may flip where top-2 logits are close. */
export const FP16_TOLERANCES: VerifyTolerances = {
  logits: 5e-2,
  attentions: 1e-2,
  lambda: 1e-3,
  generatedIdMismatches: Number.POSITIVE_INFINITY,
};

export interface VerifyCheck {
  name: string;
  /** Max abs error, or for `generate.generated_ids` the number of differing ids. */
  maxAbsError: number;
  tolerance: number;
  pass: boolean;
}

export interface VerifyReport {
  modelDir: string;
  goldenFile: string;
  dtype: 'fp32' | 'fp16';
  checks: VerifyCheck[];
  pass: boolean;
}

export interface VerifyOptions {
  tolerances?: Partial<VerifyTolerances>;
  /** Greedy steps to run (default: all the golden has). */
  steps?: number;
}

export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** Max |a - b| over elements where `keep(index)` (all when omitted). */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, keep?: (i: number) => boolean) {
  if (a.length !== b.length) throw new VerifyError(`size mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (keep && !keep(i)) continue;
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}

function i64(values: ArrayLike<number>, dims: number[]): Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims);
}

function toNumbers(t: RawTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

class DecoderRunner {
  constructor(
    readonly session: Session,
    readonly config: ModelConfig,
    readonly pastType: 'float32' | 'float16',
  ) {}

  emptyPast(batch: number): Record<string, Tensor> {
    const { numKvHeads: kv, headDim: d } = this.config;
    const feeds: Record<string, Tensor> = {};
    for (let i = 0; i < this.config.numLayers; i++) {
      for (const kind of ['key', 'value']) {
        const data = this.pastType === 'float16' ? new Uint16Array(0) : new Float32Array(0);
        feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor(this.pastType, data, [
          batch,
          kv,
          0,
          d,
        ]);
      }
    }
    return feeds;
  }

  async run(
    ids: number[],
    mask: number[],
    positions: number[],
    batch: number,
    past?: Record<string, Tensor>,
  ) {
    const seq = ids.length / batch;
    return this.session.run({
      input_ids: i64(ids, [batch, seq]),
      attention_mask: i64(mask, [batch, mask.length / batch]),
      position_ids: i64(positions, [batch, seq]),
      ...(past ?? this.emptyPast(batch)),
    });
  }
}

/**
 * Runs the model in `modelDir` (model.onnx + config.json) against `goldenFile` and reports the
 * max abs error per check. Attention checks run only when the model has attentions outputs.
 */
export async function verifyAgainstGolden(
  modelDir: string,
  goldenFile: string,
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const config = loadModelConfig(modelDir);
  const gold = readSafetensors(goldenFile);
  const need = (name: string) => {
    const t = gold.get(name);
    if (!t) throw new VerifyError(`${goldenFile}: no tensor '${name}'`);
    return t;
  };
  const session = await ort.InferenceSession.create(path.join(modelDir, 'model.onnx'));
  try {
    const pastMeta = session.inputMetadata.find((m) => m.name === 'past_key_values.0.key');
    const pastType =
      pastMeta && pastMeta.isTensor && pastMeta.type === 'float16' ? 'float16' : 'float32';
    const dtype = pastType === 'float16' ? 'fp16' : 'fp32';
    const tol = { ...(dtype === 'fp16' ? FP16_TOLERANCES : FP32_TOLERANCES), ...opts.tolerances };
    const runner = new DecoderRunner(session, config, pastType);
    const withAttentions = session.outputNames.includes('attentions.0');
    const checks: VerifyCheck[] = [];
    const add = (name: string, err: number, tolerance: number) =>
      checks.push({ name, maxAbsError: err, tolerance, pass: err <= tolerance });
    const f32 = (t: Tensor) => t.data as Float32Array;
    const { numLayers: L, numHeads: H } = config;
    /** A case without mask and with positions 0..S-1 (case_a, case_long); checks its logits. */
    const runUnmasked = async (name: string) => {
      const ids = need(`${name}.input_ids`);
      const [B, S] = ids.shape as [number, number];
      const pos = Array.from({ length: B * S }, (_, i) => i % S);
      const out = await runner.run(toNumbers(ids), Array(B * S).fill(1), pos, B);
      add(
        `${name}.logits`,
        maxAbsDiff(f32(out.logits!), need(`${name}.logits`).data as Float32Array),
        tol.logits,
      );
      return { out, B };
    };

    // case_a: no mask, positions 0..S-1.
    {
      const { out, B } = await runUnmasked('case_a');
      if (withAttentions) {
        for (let l = 0; l < L; l++) {
          const att = f32(out[`attentions.${l}`]!);
          add(
            `case_a.attentions.${l}`,
            maxAbsDiff(att, need(`case_a.attentions.${l}`).data as Float32Array),
            tol.attentions,
          );
          if (config.modelType !== 'diffllama') continue;
          // attn1 / attn2 are the first and second halves of the head axis.
          const per = (att.length / B / H) * (H / 2); // elements of one half per batch row
          for (const [k, half] of [
            ['attn1', 0],
            ['attn2', 1],
          ] as const) {
            const slice = new Float32Array(B * per);
            for (let b = 0; b < B; b++) {
              const from = b * 2 * per + half * per;
              slice.set(att.subarray(from, from + per), b * per);
            }
            add(
              `case_a.${k}.${l}`,
              maxAbsDiff(slice, need(`case_a.${k}.${l}`).data as Float32Array),
              tol.attentions,
            );
          }
          add(
            `case_a.lambda_full.${l}`,
            maxAbsDiff(
              f32(out[`lambda_full.${l}`]!),
              need(`case_a.lambda_full.${l}`).data as Float32Array,
            ),
            tol.lambda,
          );
        }
      }
    }

    // case_b: left padding; compare only valid positions / valid query rows.
    {
      const ids = need('case_b.input_ids');
      const [B, S] = ids.shape as [number, number];
      const mask = toNumbers(need('case_b.attention_mask'));
      const out = await runner.run(toNumbers(ids), mask, toNumbers(need('case_b.position_ids')), B);
      const valid = need('case_b.logits_valid').data as Uint8Array;
      const V = config.vocabSize;
      add(
        'case_b.logits',
        maxAbsDiff(
          f32(out.logits!),
          need('case_b.logits').data as Float32Array,
          (i) => valid[Math.floor(i / V)] === 1,
        ),
        tol.logits,
      );
      if (withAttentions) {
        for (let l = 0; l < L; l++) {
          // [B, H, S, S]: index -> (b, query row) -> mask[b, row].
          const keep = (i: number) => {
            const row = Math.floor(i / S) % S;
            const b = Math.floor(i / (H * S * S));
            return mask[b * S + row] === 1;
          };
          add(
            `case_b.attentions.${l}`,
            maxAbsDiff(
              f32(out[`attentions.${l}`]!),
              need(`case_b.attentions.${l}`).data as Float32Array,
              keep,
            ),
            tol.attentions,
          );
        }
      }
    }

    // case_long (llama3 checkpoints): 96 positions, past original_max_position_embeddings.
    if (gold.has('case_long.input_ids')) {
      const { out } = await runUnmasked('case_long');
      const last = `attentions.${L - 1}`;
      if (withAttentions && gold.has(`case_long.${last}`)) {
        add(
          `case_long.${last}`,
          maxAbsDiff(f32(out[last]!), need(`case_long.${last}`).data as Float32Array),
          tol.attentions,
        );
      }
    }

    // Greedy decoding through the KV cache, as HF generate(do_sample=False).
    {
      const ids = need('generate.input_ids');
      const [B, S] = ids.shape as [number, number];
      const expectedIds = toNumbers(need('generate.generated_ids'));
      const stepLogits = need('generate.step_logits');
      const V = config.vocabSize;
      const steps = Math.min(opts.steps ?? Infinity, stepLogits.shape[1]!);
      const totalSteps = stepLogits.shape[1]!;
      const mask = toNumbers(need('generate.attention_mask'));
      const rows = Array.from({ length: B }, (_, b) => mask.slice(b * S, (b + 1) * S));
      // Prefill positions: clamp(cumsum(mask) - 1, 0).
      const positions = rows.flatMap((r) => {
        let c = 0;
        return r.map((m) => Math.max((c += m) - 1, 0));
      });
      let out = await runner.run(toNumbers(ids), mask, positions, B);
      let seq = S;
      let stepErr = 0;
      let mismatches = 0;
      for (let s = 0; s < steps; s++) {
        const logits = f32(out.logits!);
        const next: number[] = [];
        for (let b = 0; b < B; b++) {
          const row = logits.subarray((b * seq + seq - 1) * V, (b * seq + seq) * V);
          const want = (stepLogits.data as Float32Array).subarray(
            (b * totalSteps + s) * V,
            (b * totalSteps + s + 1) * V,
          );
          stepErr = Math.max(stepErr, maxAbsDiff(row, want));
          let best = 0;
          for (let v = 1; v < V; v++) if (row[v]! > row[best]!) best = v;
          next.push(best);
          if (best !== expectedIds[b * totalSteps + s]) mismatches++;
        }
        if (s === steps - 1) break;
        const past: Record<string, Tensor> = {};
        for (let l = 0; l < L; l++) {
          for (const kind of ['key', 'value'])
            past[`past_key_values.${l}.${kind}`] = out[`present.${l}.${kind}`]!;
        }
        for (let b = 0; b < B; b++) rows[b]!.push(1);
        const pos = rows.map((r) => r.reduce((a, m) => a + m, 0) - 1);
        // Feeding our own argmax keeps the cache consistent even if an id mismatched.
        out = await runner.run(next, rows.flat(), pos, B, past);
        seq = 1;
      }
      add('generate.step_logits', stepErr, tol.logits);
      add('generate.generated_ids', mismatches, tol.generatedIdMismatches);
    }

    return { modelDir, goldenFile, dtype, checks, pass: checks.every((c) => c.pass) };
  } finally {
    await session.release();
  }
}
