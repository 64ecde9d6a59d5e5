// A stand-in CausalLM whose forward returns seeded causal softmax maps (and lambda_full when
// `lambdas` is given), so compare.ts can be tested without an ONNX model.
import { createRng } from '@exp/data';
import type {
  CausalLM,
  ForwardInput,
  ForwardOutput,
  GenerateOptions,
  GenerationResult,
} from '@exp/models';

/** Row-softmax of seeded logits (scale `sharpness`) over keys 0..i of each row i. */
export function causalMaps(
  label: string,
  ids: readonly number[],
  heads: number,
  sharpness = 3,
): Float32Array {
  const seq = ids.length;
  const rng = createRng(`${label}/${ids.join(',')}`);
  const out = new Float32Array(heads * seq * seq);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < seq; i++) {
      const logits = Array.from({ length: i + 1 }, () => rng.next() * sharpness);
      const max = Math.max(...logits);
      const e = logits.map((x) => Math.exp(x - max));
      const z = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => (out[h * seq * seq + i * seq + j] = v / z));
    }
  }
  return out;
}

export interface FakeLM {
  lm: CausalLM;
  /** How many forwards ran. */
  calls: () => number;
}

/** A fake model with `layers` layers of `heads` heads; a DiffLlama when `lambdas` is given. */
export function fakeLM(label: string, layers: number, heads: number, lambdas?: number[]): FakeLM {
  let calls = 0;
  const forward = async (input: ForwardInput): Promise<ForwardOutput> => {
    calls++;
    const ids = input.inputIds[0]!;
    const seq = ids.length;
    return {
      logits: { data: new Float32Array(seq), dims: [1, seq, 1] },
      attentions: Array.from({ length: layers }, (_, l) => ({
        data: causalMaps(`${label}/${l}`, ids, heads),
        dims: [1, heads, seq, seq],
      })),
      ...(lambdas ? { lambdaFull: lambdas } : {}),
    };
  };
  // generate: the ids 1, 2, ... up to maxNewTokens (query 'generated' only reads their rows)
  const generate = async (prompts: number[][], o: GenerateOptions): Promise<GenerationResult[]> =>
    prompts.map(() => ({
      tokens: Array.from({ length: o.maxNewTokens }, (_, k) => k + 1),
      finishReason: 'length',
      stoppedBy: 'max_new_tokens',
    }));
  const outputsInfo = async () => ({ attentions: true, valueNorms: false, cacheType: 'float32' });
  return { lm: { forward, generate, outputsInfo } as unknown as CausalLM, calls: () => calls };
}
