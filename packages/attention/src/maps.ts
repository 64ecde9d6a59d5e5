// Attention maps of one prompt, handed to the caller one decoder layer at a time. onnxruntime
// returns every output of a run together, so during one forward all layers' maps of the prompt
// exist at once; after it each layer's map is let go once its callback returns, so a caller that
// keeps only reductions (sums, ratios) holds one prompt's maps at a time, never a dataset's.
import type { CausalLM, FloatTensor } from '@exp/models';
import type { LayerAttention } from './types.js';

/**
 * What one forward of a batch-1 prompt gives: per layer [1, H, S, S], DiffLlama's lambda_full,
 * and per layer [1, H', S] value norms when the model has them (value-weighted.ts).
 */
export interface AttentionOutputs {
  attentions: FloatTensor[];
  lambdaFull?: number[];
  valueNorms?: FloatTensor[];
}

/**
 * Any decoder: runs one forward of `ids` (batch 1) and returns its maps, e.g. an ONNX model
 * whose maps exposeAttention made outputs, run by the caller's own session.
 */
export type AttentionRunner = (ids: number[]) => Promise<AttentionOutputs>;

export interface AttentionShape {
  layers: number;
  heads: number;
  seq: number;
}

/** The runner of a CausalLM exported with attentions (or exposed: loadCausalLM's modelPath). */
export function causalLMRunner(lm: CausalLM): AttentionRunner {
  let withNorms: Promise<boolean> | null = null;
  return async (ids) => {
    // value norms come along whenever the export has them (export option valueNorms)
    withNorms ??= lm.outputsInfo().then((i) => i.valueNorms);
    const out = await lm.forward({
      inputIds: [ids],
      outputAttentions: true,
      outputValueNorms: await withNorms,
    });
    return {
      attentions: out.attentions!,
      ...(out.lambdaFull ? { lambdaFull: out.lambdaFull } : {}),
      ...(out.valueNorms ? { valueNorms: out.valueNorms } : {}),
    };
  };
}

/**
 * Runs one forward of `ids` and calls `fn` with each layer's maps in layer order, awaiting each
 * call before the next. Keeping `layer.data` past the call keeps its memory (slice what is needed).
 */
export async function forEachLayerAttention(
  source: CausalLM | AttentionRunner,
  ids: number[],
  fn: (layer: LayerAttention) => void | Promise<void>,
): Promise<AttentionShape> {
  if (ids.length === 0) throw new Error('forEachLayerAttention: ids is empty');
  const run = typeof source === 'function' ? source : causalLMRunner(source);
  const { attentions: maps, lambdaFull, valueNorms } = await run(ids);
  const attentions: (FloatTensor | undefined)[] = maps;
  const seq = ids.length;
  const layers = attentions.length;
  if (layers === 0) throw new Error('forEachLayerAttention: the model returned no attention maps');
  if (lambdaFull && lambdaFull.length !== layers) {
    throw new Error(
      `forEachLayerAttention: ${lambdaFull.length} lambda_full values for ${layers} layers`,
    );
  }
  if (valueNorms && valueNorms.length !== layers) {
    throw new Error(`forEachLayerAttention: ${valueNorms.length} value norms for ${layers} layers`);
  }
  const heads = attentions[0]!.dims[1]!;
  for (let l = 0; l < layers; l++) {
    const t = attentions[l];
    const want = [1, heads, seq, seq];
    if (!t) throw new Error(`forEachLayerAttention: attentions.${l} is missing`);
    if (
      t.dims.length !== 4 ||
      t.dims.some((d, i) => d !== want[i]) ||
      t.data.length !== heads * seq * seq
    ) {
      throw new Error(
        `forEachLayerAttention: attentions.${l} has dims [${t.dims.join(', ')}], expected [${want.join(', ')}]`,
      );
    }
    const norms = valueNorms?.[l];
    const normHeads = lambdaFull ? heads / 2 : heads;
    if (
      norms &&
      (norms.dims.length !== 3 ||
        norms.dims[0] !== 1 ||
        norms.dims[1] !== normHeads ||
        norms.dims[2] !== seq)
    ) {
      throw new Error(
        `forEachLayerAttention: value_norms.${l} has dims [${norms.dims.join(', ')}], expected [1, ${normHeads}, ${seq}]`,
      );
    }
    // drop our reference first, so the map can be collected as soon as the caller lets go of it
    attentions[l] = undefined;
    await fn({
      layer: l,
      heads,
      seq,
      data: t.data,
      lambdaFull: lambdaFull ? lambdaFull[l]! : null,
      ...(norms ? { valueNorms: norms.data } : {}),
    });
  }
  return { layers, heads, seq };
}
