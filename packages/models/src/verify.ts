// verifyAgainstGolden: runs an exported model folder on the golden inputs (shared/golden/<model>/
// golden.safetensors, see its README) and reports the max abs error of every check: case_a logits
// and attentions (DiffLlama: attn1/attn2 halves, lambda_full), case_b left-padded logits and
// attentions at valid positions, case_long (when present) and greedy decoding through the cache.
// It drives CausalLM.forward/generate, so the check covers the very path evaluation runs
// (the external-kv decode graph where it can be built), on the asked device.
import { ExpError } from '@exp/data';
import { loadCausalLM, type CausalLM } from './causal-lm.js';
import type { GenerationPath } from './runtime/step-decoder.js';
import type { Device } from './runtime/session.js';
import { readSafetensors, type RawTensor } from './safetensors/read.js';

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
  /**
   * False when the tolerance is unbounded (fp16 greedy ids): the value was measured but nothing
   * was checked; `note` says why.
   */
  checked: boolean;
  note?: string;
}

/** Checks the golden file has but this model folder cannot run, and why. */
export interface SkippedCheck {
  name: string;
  reason: string;
}

export interface VerifyReport {
  modelDir: string;
  goldenFile: string;
  dtype: 'fp32' | 'fp16';
  /** The generation path the greedy check ran (what generate() runs for this folder). */
  generationPath: GenerationPath;
  checks: VerifyCheck[];
  /** Golden checks that did not run (e.g. attentions of an export without attention outputs). */
  skipped: SkippedCheck[];
  pass: boolean;
}

export interface VerifyOptions {
  tolerances?: Partial<VerifyTolerances>;
  /** Greedy steps to run (default: all the golden has). */
  steps?: number;
  /** Where onnxruntime runs the model (default cpu). */
  device?: Device;
  /** Intra-op threads (default: all cores). */
  threads?: number;
}

export class VerifyError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** Max |a - b| over elements where `keep(index)` (all when omitted). */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, keep?: (i: number) => boolean) {
  if (a.length !== b.length) throw new VerifyError(`size mismatch: ${a.length} vs ${b.length}`);
  return maxAbsDiffSameSize(a, b, keep);
}

function maxAbsDiffSameSize(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  keep?: (i: number) => boolean,
) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (keep && !keep(i)) continue;
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}

function toNumbers(t: RawTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

/** A [B, S] integer tensor as rows, optionally keeping only the entries where `keep` is 1. */
function rowsOf(t: RawTensor, keep?: number[]): number[][] {
  const [B, S] = t.shape as [number, number];
  const all = toNumbers(t);
  return Array.from({ length: B }, (_, b) => {
    const row = all.slice(b * S, (b + 1) * S);
    return keep ? row.filter((_, i) => keep[b * S + i] === 1) : row;
  });
}

/** The architecture a golden file was made for: DiffLlama goldens have attn1 / lambda tensors. */
export function goldenModelType(names: Iterable<string>): 'llama' | 'diffllama' {
  for (const n of names) {
    if (/^case_a\.(attn1|attn2|lambda_full|lambda_init)\.\d+$/.test(n) || /\.lambda_q1$/.test(n)) {
      return 'diffllama';
    }
  }
  return 'llama';
}

/**
 * The golden file must be for this model: same architecture, layer count and vocabulary.
 * Comparing against another model's golden gives meaningless errors, so say what differs.
 */
function checkGoldenMatches(
  goldenFile: string,
  gold: Map<string, RawTensor>,
  config: { modelType: string; numLayers: number; vocabSize: number },
) {
  const goldType = goldenModelType(gold.keys());
  if (goldType !== config.modelType) {
    throw new VerifyError(
      `${goldenFile}: the golden file is for ${goldType}, the model is ${config.modelType}`,
    );
  }
  const layers = [...gold.keys()].filter((n) => /^case_a\.attentions\.\d+$/.test(n)).length;
  if (layers > 0 && layers !== config.numLayers) {
    throw new VerifyError(
      `${goldenFile}: the golden file is for a ${goldType} with ${layers} layers, the model has ${config.numLayers}`,
    );
  }
  const vocab = gold.get('case_a.logits')?.shape.at(-1);
  if (vocab !== undefined && vocab !== config.vocabSize) {
    throw new VerifyError(
      `${goldenFile}: the golden file is for a vocabulary of ${vocab}, the model's is ${config.vocabSize}`,
    );
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
  const gold = readSafetensors(goldenFile);
  const need = (name: string) => {
    const t = gold.get(name);
    if (!t) {
      throw new VerifyError(
        `${goldenFile}: no tensor '${name}' (a golden file has case_a.*, case_b.* and generate.* tensors)`,
      );
    }
    return t;
  };
  const lm = await loadCausalLM(modelDir, { device: opts.device, threads: opts.threads });
  try {
    const info = await lm.outputsInfo();
    const dtype = info.cacheType === 'float16' ? 'fp16' : 'fp32';
    const tol = { ...(dtype === 'fp16' ? FP16_TOLERANCES : FP32_TOLERANCES), ...opts.tolerances };
    checkGoldenMatches(goldenFile, gold, lm.config);
    const checks: VerifyCheck[] = [];
    const skipped: SkippedCheck[] = [];
    const add = (name: string, err: number, tolerance: number, note?: string) =>
      checks.push(
        Number.isFinite(tolerance)
          ? { name, maxAbsError: err, tolerance, pass: err <= tolerance, checked: true }
          : { name, maxAbsError: err, tolerance, pass: true, checked: false, note },
      );
    const f32 = (name: string) => need(name).data as Float32Array;
    /** Max abs error of model output `a` against golden tensor `name`. */
    const diff = (a: ArrayLike<number>, name: string, keep?: (i: number) => boolean) => {
      const b = f32(name);
      if (a.length !== b.length) {
        throw new VerifyError(
          `${goldenFile}: '${name}' has ${b.length} values, the model gives ${a.length} (is the golden file for another model?)`,
        );
      }
      return maxAbsDiffSameSize(a, b, keep);
    };
    const withAttentions = info.attentions;
    const { numLayers: L, numHeads: H } = lm.config;
    if (!withAttentions && gold.has('case_a.attentions.0')) {
      skipped.push({
        name:
          lm.config.modelType === 'diffllama'
            ? 'attentions, attn1/attn2, lambda_full'
            : 'attentions',
        reason: 'the export has no attentions.* outputs; export with --attentions',
      });
    }
    /** A case without mask and with positions 0..S-1 (case_a, case_long); checks its logits. */
    const runUnmasked = async (name: string) => {
      const ids = need(`${name}.input_ids`);
      const out = await lm.forward({ inputIds: rowsOf(ids), outputAttentions: withAttentions });
      add(`${name}.logits`, diff(out.logits.data, `${name}.logits`), tol.logits);
      return { out, B: ids.shape[0]! };
    };

    // case_a: no mask, positions 0..S-1.
    {
      const { out, B } = await runUnmasked('case_a');
      for (let l = 0; withAttentions && l < L; l++) {
        const att = out.attentions![l]!.data;
        add(`case_a.attentions.${l}`, diff(att, `case_a.attentions.${l}`), tol.attentions);
        if (lm.config.modelType !== 'diffllama') continue;
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
          add(`case_a.${k}.${l}`, diff(slice, `case_a.${k}.${l}`), tol.attentions);
        }
        add(
          `case_a.lambda_full.${l}`,
          diff([out.lambdaFull![l]!], `case_a.lambda_full.${l}`),
          tol.lambda,
        );
      }
    }

    // case_b: left padding; compare only valid positions / valid query rows.
    {
      const ids = need('case_b.input_ids');
      const S = ids.shape[1]!;
      const mask = toNumbers(need('case_b.attention_mask'));
      const out = await lm.forward({
        inputIds: rowsOf(ids),
        attentionMask: rowsOf(need('case_b.attention_mask')),
        positionIds: rowsOf(need('case_b.position_ids')),
        outputAttentions: withAttentions,
      });
      const valid = need('case_b.logits_valid').data as Uint8Array;
      const V = lm.config.vocabSize;
      add(
        'case_b.logits',
        diff(out.logits.data, 'case_b.logits', (i) => valid[Math.floor(i / V)] === 1),
        tol.logits,
      );
      for (let l = 0; withAttentions && l < L; l++) {
        // [B, H, S, S]: index -> (b, query row) -> mask[b, row].
        const keep = (i: number) => {
          const row = Math.floor(i / S) % S;
          const b = Math.floor(i / (H * S * S));
          return mask[b * S + row] === 1;
        };
        add(
          `case_b.attentions.${l}`,
          diff(out.attentions![l]!.data, `case_b.attentions.${l}`, keep),
          tol.attentions,
        );
      }
    }

    // case_long (llama3 checkpoints): 96 positions, past original_max_position_embeddings.
    if (gold.has('case_long.input_ids')) {
      const { out } = await runUnmasked('case_long');
      const last = `attentions.${L - 1}`;
      if (withAttentions && gold.has(`case_long.${last}`)) {
        add(
          `case_long.${last}`,
          diff(out.attentions![L - 1]!.data, `case_long.${last}`),
          tol.attentions,
        );
      }
    }

    const greedy = await checkGreedy(lm, need, opts.steps);
    add('generate.step_logits', greedy.stepError, tol.logits);
    add(
      'generate.generated_ids',
      greedy.mismatches,
      tol.generatedIdMismatches,
      `${dtype}: greedy ids may differ by rounding`,
    );

    const generationPath = lm.generationPath;
    return {
      modelDir,
      goldenFile,
      dtype,
      generationPath,
      checks,
      skipped,
      pass: checks.every((c) => c.pass),
    };
  } finally {
    await lm.dispose();
  }
}

/**
 * Greedy decoding of the golden prompts through generate() (as HF generate(do_sample=False)):
 * the max abs error of the logits each token was chosen from, and the ids that differ. The
 * model chooses from its own logits, so one flipped id does not derail the later checks.
 */
async function checkGreedy(
  lm: CausalLM,
  need: (name: string) => RawTensor,
  steps?: number,
): Promise<{ stepError: number; mismatches: number }> {
  const prompts = rowsOf(need('generate.input_ids'), toNumbers(need('generate.attention_mask')));
  const expected = rowsOf(need('generate.generated_ids'));
  const stepLogits = need('generate.step_logits');
  const [, total, V] = stepLogits.shape as [number, number, number];
  const gold = stepLogits.data as Float32Array;
  let stepError = 0;
  const results = await lm.generate(prompts, {
    maxNewTokens: Math.min(steps ?? Infinity, total),
    // the folder's generation_config.json (sampling, penalty, eos) must not change the check
    doSample: false,
    repetitionPenalty: 1,
    stopTokenIds: [],
    onStepLogits: (row, step, logits) => {
      const want = gold.subarray((row * total + step) * V, (row * total + step + 1) * V);
      stepError = Math.max(stepError, maxAbsDiff(logits, want));
    },
  });
  let mismatches = 0;
  results.forEach((r, b) => {
    const n = Math.min(steps ?? Infinity, total);
    for (let s = 0; s < n; s++) if (r.tokens[s] !== expected[b]![s]) mismatches++;
  });
  return { stepError, mismatches };
}
