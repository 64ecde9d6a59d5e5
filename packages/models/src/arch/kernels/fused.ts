// The fused kernel set, float32 only, for the runtime's decode graph: com.microsoft kernels
// (RotaryEmbedding over precomputed tables, (Skip)SimplifiedLayerNormalization) and Linear
// weights packed once at build time (transposed; q/k/v and gate/up stacked into one GEMM each).
// It computes the plain set's function to float32 noise.
import { DataType } from '../../onnx/dtype.js';
import { GraphError, type Value } from '../../onnx/graph.js';
import type { KernelSet } from '../kernels.js';
import type { DecoderContext } from '../layers.js';
import { ropeTables } from '../rope.js';
import { headWeightName } from '../weights.js';
import { PLAIN_KERNELS } from './plain.js';

const MS = 'com.microsoft';

function floatBytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * x @ [W_1 | W_2 | ...]^T for HF Linear weights [out_i, in] (no bias), split back into the parts:
 * one MatMul against the packed, pre-transposed [in, sum out_i] weight (fewer, larger GEMMs),
 * with each part's `scale` folded into its columns.
 */
function packedLinears(
  ctx: DecoderContext,
  x: Value,
  parts: readonly { name: string; scale?: number | undefined }[],
  packedName: string,
): Value[] {
  const { o } = ctx;
  const shapes = parts.map((p) => ctx.source.info(p.name).shape);
  const inF = shapes[0]![1]!;
  const outs = shapes.map((s) => s[0]!);
  const total = outs.reduce((a, b) => a + b, 0);
  const w = ctx.packed(packedName, [inF, total], () => {
    const out = new Float32Array(inF * total);
    let col = 0;
    parts.forEach((p, k) => {
      const src = ctx.source.readFloat32(p.name);
      const rows = outs[k]!;
      const scale = p.scale;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < inF; c++) {
          const v = src[r * inF + c]!;
          out[c * total + col + r] = scale === undefined ? v : v * scale;
        }
      }
      col += rows;
    });
    return out;
  });
  const y = o.matMul(x, w);
  return parts.length === 1 ? [y] : o.split(y, outs, -1);
}

function linear(ctx: DecoderContext, x: Value, weightName: string): Value {
  return packedLinears(ctx, x, [{ name: weightName }], `${weightName}.T`)[0]!;
}

export const FUSED_KERNELS: KernelSet = {
  opsets: [{ domain: MS, version: 1 }],
  check: ({ dtype, maxPositions }) => {
    if (dtype !== DataType.FLOAT) throw new GraphError('fused kernels are float32 only');
    if (!maxPositions) {
      throw new GraphError('fused kernels need maxPositions (rows of the RoPE tables)');
    }
  },
  rotary: ({ g, positionIds, invFreq, maxPositions }) => {
    const [cos, sin] = ropeTables(invFreq, maxPositions!);
    const dims = [maxPositions!, invFreq.length];
    return {
      kind: 'tables',
      cosCache: g.initializer('rope_cos_cache', DataType.FLOAT, dims, floatBytes(cos)),
      sinCache: g.initializer('rope_sin_cache', DataType.FLOAT, dims, floatBytes(sin)),
      positionIds,
    };
  },
  applyRope: (ctx, x, heads) => {
    const { rotary } = ctx;
    if (rotary.kind !== 'tables') throw new Error('fused RoPE needs the cos/sin tables');
    return ctx.g.node(
      'RotaryEmbedding',
      [x, rotary.positionIds, rotary.cosCache, rotary.sinCache],
      { interleaved: 0, num_heads: heads },
      { domain: MS },
    )[0]!;
  },
  rmsNorm: (ctx, x, weightName, eps, inputType, width) => {
    // the contrib kernel is float32 here: other input types take the plain ops
    if (inputType !== DataType.FLOAT) {
      return PLAIN_KERNELS.rmsNorm(ctx, x, weightName, eps, inputType, width);
    }
    let w: Value;
    if (weightName) w = ctx.weight(weightName);
    else if (width) w = ctx.o.float(new Array<number>(width).fill(1), DataType.FLOAT, [width]);
    else throw new Error('rmsNorm: a weightless fused norm needs the width');
    return ctx.g.node(
      'SimplifiedLayerNormalization',
      [x, w],
      { axis: -1, epsilon: { f: eps }, stash_type: 1 },
      // onnxruntime registers this contrib kernel in the default domain, not com.microsoft
    )[0]!;
  },
  residualRmsNorm: (ctx, residual, delta, weightName, eps) => {
    // output 0 the norm, output 3 the sum
    const out = ctx.g.node(
      'SkipSimplifiedLayerNormalization',
      [residual, delta, ctx.weight(weightName)],
      { epsilon: { f: eps } },
      { domain: MS, outputs: 4 },
    );
    return { normed: out[0]!, sum: out[3]! };
  },
  linear,
  qkvProjection: (ctx, x, prefix, qScale) =>
    packedLinears(
      ctx,
      x,
      [
        { name: `${prefix}.q_proj.weight`, scale: qScale },
        { name: `${prefix}.k_proj.weight` },
        { name: `${prefix}.v_proj.weight` },
      ],
      `${prefix}.qkv_proj.weight.T`,
    ) as [Value, Value, Value],
  gateUpProjection: (ctx, x, prefix) =>
    packedLinears(
      ctx,
      x,
      [{ name: `${prefix}.gate_proj.weight` }, { name: `${prefix}.up_proj.weight` }],
      `${prefix}.gate_up_proj.weight.T`,
    ) as [Value, Value],
  lmHead: (ctx, x, shareTiedHead) => {
    const { o, config } = ctx;
    if (config.tieWordEmbeddings && shareTiedHead) {
      // a Gemm reading the embedding as stored (transB): no transposed copy
      const E = config.hiddenSize;
      const flat = o.reshape(x, [-1, E]);
      const logits2d = ctx.g.node('Gemm', [flat, ctx.weight('model.embed_tokens.weight')], {
        transB: 1,
      })[0]!;
      const shape = o.concat([o.shape(x, 0, 2), o.i64([config.vocabSize])], 0);
      return ctx.g.node('Reshape', [logits2d, shape])[0]!;
    }
    // MatMul with a transposed [E, V] copy (M = 1 takes MLAS's fast GEMV kernel)
    return linear(ctx, x, headWeightName(config));
  },
};
