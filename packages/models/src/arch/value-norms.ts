// Value norms for norm-based attention analysis (Kobayashi et al. 2020, "Attention is Not Only a
// Weight"): per head h and key j, ‖W_O^h v_j‖, where W_O^h is head h's slice of o_proj (the
// columns its output occupies) and v_j the value head h reads. Since α_ij is a scalar,
// ‖α_ij W_O^h v_j‖ = |α_ij| ‖W_O^h v_j‖: the graph outputs these [B, H', T] norms once per layer
// and the analysis multiplies them into the attention maps, instead of a [B, H, S, T, hidden]
// tensor of transformed vectors.
//   Llama: H' = H, v_j = value of head h's KV head (repeat_kv), W_O^h = W_O[:, h*d:(h+1)*d].
//   DiffLlama: H' = H/2 differential pairs; pair i reads the 2d-wide value [v_j^{kv(i)} |
//     v_j^{kv(i+H/2)}] through W_O[:, i*2d:(i+1)*2d] (see diffllama.ts).
import type { ModelType } from '../config.js';
import { DataType } from '../onnx/dtype.js';
import type { Value } from '../onnx/graph.js';
import { castIf, repeatKv, type DecoderContext } from './layers.js';

/** Graph output of layer `layer`'s value norms (option `valueNorms`), float32 [B, H', past+S]. */
export const VALUE_NORMS_OUTPUT = (layer: number): string => `value_norms.${layer}`;

/** How many norms per key a layer gives: H for Llama, H/2 (differential pairs) for DiffLlama. */
export function valueNormHeads(modelType: ModelType, heads: number): number {
  return modelType === 'diffllama' ? heads / 2 : heads;
}

/**
 * ‖W_O^h v_j‖ for every head (pair) h and key j, float32 [B, H', T], from the layer's values
 * [B, KV, T, d] (every key the layer attends to: the 'present' cache output).
 */
export function valueNorms(ctx: DecoderContext, layer: number, values: Value): Value {
  const { o, config } = ctx;
  const { numHeads: h, headDim: d, hiddenSize: e } = config;
  const v = castIf(ctx, repeatKv(ctx, values), ctx.dtype, DataType.FLOAT); // [B, H, T, d]
  const w = castIf(
    ctx,
    ctx.weight(`model.layers.${layer}.self_attn.o_proj.weight`), // [E, H*d], y = x W^T
    ctx.dtype,
    DataType.FLOAT,
  );
  let heads = h;
  let width = d;
  let per = v;
  if (config.modelType === 'diffllama') {
    const [va, vb] = o.split(v, [h / 2, h / 2], 1);
    per = o.concat([va!, vb!], -1); // [B, H/2, T, 2d]
    heads = h / 2;
    width = 2 * d;
  }
  // W_O^h as [H', width, E]: head h's columns of o_proj, transposed for v W_O^h^T
  const wHeads = o.transpose(o.reshape(w, [e, heads, width]), [1, 2, 0]);
  const mapped = o.matMul(per, wHeads); // [B, H', T, E]
  return o.sqrt(o.reduceSum(o.mul(mapped, mapped), [-1], false));
}
