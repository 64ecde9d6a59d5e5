// Kernel strategies for the decoder blocks that have two implementations, selected by the
// `kernels` option like the attention implementations (attention.ts). 'plain' (kernels/plain.ts):
// standard ONNX ops that reproduce transformers eager op for op, the graph that is exported and
// that training differentiates. 'fused' (kernels/fused.ts): com.microsoft kernels and weights
// packed once at build time, float32, for the runtime's decode graph. The layer code (layers.ts,
// the attention functions, decoder.ts) calls these through ctx.kernels and never asks which.
import type { DataType } from '../onnx/dtype.js';
import type { GraphBuilder, Value } from '../onnx/graph.js';
import type { FloatType, Ops } from '../onnx/ops.js';
import { FUSED_KERNELS } from './kernels/fused.js';
import { PLAIN_KERNELS } from './kernels/plain.js';
import type { DecoderContext, Rotary } from './layers.js';

export const DECODER_KERNEL_NAMES = ['plain', 'fused'] as const;
/** 'plain': standard ONNX ops (portable, HF op for op). 'fused': com.microsoft kernels, float32. */
export type DecoderKernels = (typeof DECODER_KERNEL_NAMES)[number];

/** What the rotary tensors are built from (once per graph, in the model/rotary_emb scope). */
export interface RotaryInputs {
  readonly g: GraphBuilder;
  readonly o: Ops;
  readonly dtype: FloatType;
  /** position_ids [B, S] int64. */
  readonly positionIds: Value;
  /** inv_freq [d/2], as rope.ts computes it (HF's float32 build). */
  readonly invFreq: Float32Array;
  /** The same in float64 (ropeInvFreqExact), for a float64 replay of the graph. */
  readonly invFreqExact: readonly number[];
  /** Rows of precomputed tables, for the sets that read tables. */
  readonly maxPositions: number | undefined;
}

/** The blocks whose graph depends on the kernel strategy; everything else is shared. */
export interface KernelSet {
  /** Opset imports the set needs besides the default domain. */
  readonly opsets: readonly { domain: string; version: number }[];
  /** Throws GraphError for build options the set cannot serve. */
  check(opts: { dtype: FloatType; maxPositions: number | undefined }): void;
  /** The rotary tensors every layer's applyRope reads. */
  rotary(inputs: RotaryInputs): Rotary;
  /**
   * q*cos + rotate_half(q)*sin with rotate_half([x1, x2]) = [-x2, x1] (halves, not pairs), on
   * [B, heads, S, d].
   */
  applyRope(ctx: DecoderContext, x: Value, heads: number): Value;
  /**
   * RMSNorm over the last axis: x / sqrt(mean(x^2) + eps), times `weight` when given. Like HF,
   * the statistics are computed in float32 and the result cast back before the weight multiply.
   * `width` (the last axis' size) is needed only for a weightless fused norm (a ones weight).
   */
  rmsNorm(
    ctx: DecoderContext,
    x: Value,
    weightName: string | null,
    eps: number,
    inputType: DataType,
    width?: number,
  ): Value;
  /** residual + delta, and the RMSNorm of that sum. */
  residualRmsNorm(
    ctx: DecoderContext,
    residual: Value,
    delta: Value,
    weightName: string,
    eps: number,
  ): { sum: Value; normed: Value };
  /** x @ W^T for an HF Linear weight [out, in] (no bias). */
  linear(ctx: DecoderContext, x: Value, weightName: string): Value;
  /**
   * The q, k, v projections of `<prefix>.{q,k,v}_proj.weight`, [B, S, heads*d] each, q times
   * `qScale` when given.
   */
  qkvProjection(
    ctx: DecoderContext,
    x: Value,
    prefix: string,
    qScale?: number,
  ): [Value, Value, Value];
  /** The gate and up projections of `<prefix>.{gate,up}_proj.weight`. */
  gateUpProjection(ctx: DecoderContext, x: Value, prefix: string): [Value, Value];
  /** hidden @ head^T (lm_head, or the embedding when tied). */
  lmHead(ctx: DecoderContext, x: Value, shareTiedHead: boolean): Value;
}

export const DECODER_KERNELS: Record<DecoderKernels, KernelSet> = {
  plain: PLAIN_KERNELS,
  fused: FUSED_KERNELS,
};
