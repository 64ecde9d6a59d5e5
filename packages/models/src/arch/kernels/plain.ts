// The plain kernel set: standard ONNX ops that reproduce transformers eager (modeling_llama.py)
// op for op, so the exported file runs anywhere and training can differentiate every op.
// onnxruntime still fuses the RMSNorm pattern and folds the weight Transposes at load.
import { DataType } from '../../onnx/dtype.js';
import type { Value } from '../../onnx/graph.js';
import type { FloatType, Ops } from '../../onnx/ops.js';
import type { KernelSet } from '../kernels.js';
import { castIf, type DecoderContext } from '../layers.js';
import { headWeightName } from '../weights.js';

/**
 * cos/sin [B, 1, S, d] from position_ids [B, S] and a precomputed inv_freq [d/2] (float32 math,
 * then cast to `dtype`, as LlamaRotaryEmbedding does).
 */
export function rotaryCosSin(
  g: { o: Ops; dtype: FloatType },
  positionIds: Value,
  invFreq: Float32Array,
  invFreqExact: readonly number[],
): { cos: Value; sin: Value } {
  const { o } = g;
  const pos = o.unsqueeze(o.cast(positionIds, DataType.FLOAT), [2]); // [B, S, 1]
  const inv = o.float([...invFreq], DataType.FLOAT, [invFreq.length], invFreqExact);
  const freqs = o.mul(pos, inv); // [B, S, d/2]
  const emb = o.unsqueeze(o.concat([freqs, freqs], -1), [1]); // [B, 1, S, d]
  const cos = o.cos(emb);
  const sin = o.sin(emb);
  if (g.dtype === DataType.FLOAT) return { cos, sin };
  return { cos: o.cast(cos, g.dtype), sin: o.cast(sin, g.dtype) };
}

/** x @ W^T as MatMul against the weight's Transpose, then times `scale` when given. */
function plainLinear(ctx: DecoderContext, x: Value, weightName: string, scale?: number): Value {
  const { o } = ctx;
  const y = o.matMul(x, o.transpose(ctx.weight(weightName), [1, 0]));
  return scale === undefined ? y : o.mul(y, o.float([scale], ctx.dtype));
}

function rmsNorm(
  ctx: DecoderContext,
  x: Value,
  weightName: string | null,
  eps: number,
  inputType: DataType,
): Value {
  const { o } = ctx;
  const x32 = castIf(ctx, x, inputType, DataType.FLOAT);
  // Pow / ReduceMean / Add / Sqrt / Div / Mul is the pattern onnxruntime fuses into one
  // SimplifiedLayerNormalization at load (x * rsqrt, as HF, differs by float32 rounding only),
  // while the file stays standard ONNX for other runtimes.
  const variance = o.reduceMean(o.pow(x32, o.float([2])), [-1]);
  const normed = castIf(
    ctx,
    o.div(x32, o.sqrt(o.add(variance, o.float([eps])))),
    DataType.FLOAT,
    inputType,
  );
  return weightName ? o.mul(ctx.weight(weightName), normed) : normed;
}

export const PLAIN_KERNELS: KernelSet = {
  opsets: [],
  check: () => {},
  rotary: ({ o, dtype, positionIds, invFreq, invFreqExact }) => ({
    kind: 'computed',
    ...rotaryCosSin({ o, dtype }, positionIds, invFreq, invFreqExact),
  }),
  applyRope: (ctx, x) => {
    const { o, rotary } = ctx;
    if (rotary.kind !== 'computed') throw new Error('plain RoPE needs computed cos/sin');
    const half = ctx.config.headDim / 2;
    const [x1, x2] = o.split(x, [half, half], -1);
    const rotated = o.concat([o.neg(x2!), x1!], -1);
    return o.add(o.mul(x, rotary.cos), o.mul(rotated, rotary.sin));
  },
  rmsNorm,
  residualRmsNorm: (ctx, residual, delta, weightName, eps) => {
    const sum = ctx.o.add(residual, delta);
    return { sum, normed: rmsNorm(ctx, sum, weightName, eps, ctx.dtype) };
  },
  linear: (ctx, x, weightName) => plainLinear(ctx, x, weightName),
  qkvProjection: (ctx, x, prefix, qScale) => [
    plainLinear(ctx, x, `${prefix}.q_proj.weight`, qScale),
    plainLinear(ctx, x, `${prefix}.k_proj.weight`),
    plainLinear(ctx, x, `${prefix}.v_proj.weight`),
  ],
  gateUpProjection: (ctx, x, prefix) => [
    plainLinear(ctx, x, `${prefix}.gate_proj.weight`),
    plainLinear(ctx, x, `${prefix}.up_proj.weight`),
  ],
  lmHead: (ctx, x) => plainLinear(ctx, x, headWeightName(ctx.config)),
};
