// The decoder graph with KV cache for Llama and DiffLlama, in the optimum / transformers.js naming:
//   inputs  input_ids [B,S] int64, attention_mask [B,past+S] int64, position_ids [B,S] int64,
//           past_key_values.{i}.key|value [B,KV,past,d]
//   outputs logits [B,S,V] float32, present.{i}.key|value [B,KV,past+S,d],
//           and with `attentions`: attentions.{i} [B,H,S,past+S] float32 (+ lambda_full.{i} for DiffLlama)
import type { ModelConfig } from '../config.js';
import { DataType } from '../onnx/dtype.js';
import { GraphBuilder, GraphError, type Value } from '../onnx/graph.js';
import { Ops, type FloatType } from '../onnx/ops.js';
import { f32ToF16 } from '../safetensors/half.js';
import { ATTENTION_IMPLS, type AttentionImplementation } from './attention.js';
import { additiveMask, mlp, rmsNorm, linear, rotaryCosSin, type DecoderContext } from './layers.js';
import { ropeInvFreq } from './rope.js';
import { checkWeights, headWeightName, type DecoderWeightSource } from './weights.js';

export type ExportDtype = 'fp32' | 'fp16';

export interface DecoderExportOptions {
  /** Weights and compute type (default 'fp32'); logits and attentions stay float32. */
  dtype?: ExportDtype;
  /** Add attentions.{i} (and DiffLlama lambda_full.{i}) outputs. */
  attentions?: boolean;
  /** Attention implementation (only 'eager' so far). */
  attention?: AttentionImplementation;
}

/** Symbolic dimension names, as optimum writes them. */
export const DECODER_DIMS = {
  batch: 'batch_size',
  sequence: 'sequence_length',
  past: 'past_sequence_length',
  total: 'total_sequence_length',
} as const;

/** Names of the graph inputs and outputs for a config (the contract with the runtime). */
export function decoderIoNames(config: ModelConfig, attentions: boolean) {
  const layers = Array.from({ length: config.numLayers }, (_, i) => i);
  const inputs = ['input_ids', 'attention_mask', 'position_ids'];
  const outputs = ['logits'];
  for (const i of layers) {
    inputs.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    outputs.push(`present.${i}.key`, `present.${i}.value`);
  }
  if (attentions) {
    for (const i of layers) outputs.push(`attentions.${i}`);
    if (config.modelType === 'diffllama') for (const i of layers) outputs.push(`lambda_full.${i}`);
  }
  return { inputs, outputs };
}

function floatBytes(values: Float32Array, dtype: FloatType): Uint8Array {
  const arr = dtype === DataType.FLOAT ? values : f32ToF16(values);
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

/**
 * Builds the decoder graph. Weights become lazy initializers named by their state-dict names,
 * read from `source` only when the model is written.
 */
export function buildDecoderGraph(
  source: DecoderWeightSource,
  config: ModelConfig,
  opts: DecoderExportOptions = {},
): GraphBuilder {
  checkWeights(source, config);
  const dtype: FloatType = opts.dtype === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
  const attentionFn = ATTENTION_IMPLS[opts.attention ?? 'eager'][config.modelType];
  const g = new GraphBuilder(`${config.modelType}_decoder`);
  const o = new Ops(g);
  const { batch: B, sequence: S, past: P, total: T } = DECODER_DIMS;
  const { numKvHeads: kv, headDim: d, numHeads: h } = config;

  const inputIds = g.input('input_ids', DataType.INT64, [B, S]);
  const attentionMask = g.input('attention_mask', DataType.INT64, [B, T]);
  const positionIds = g.input('position_ids', DataType.INT64, [B, S]);
  const past: { key: Value; value: Value }[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    past.push({
      key: g.input(`past_key_values.${i}.key`, dtype, [B, kv, P, d]),
      value: g.input(`past_key_values.${i}.value`, dtype, [B, kv, P, d]),
    });
  }

  const weights = new Map<string, Value>();
  const weight = (name: string, wopts: { float32?: boolean } = {}): Value => {
    const hit = weights.get(name);
    if (hit) return hit;
    const wtype: FloatType = wopts.float32 ? DataType.FLOAT : dtype;
    const v = g.lazyInitializer(name, wtype, source.info(name).shape, () =>
      floatBytes(source.readFloat32(name), wtype),
    );
    weights.set(name, v);
    return v;
  };

  const shared = g.scope('model/rotary_emb', () => ({
    ...rotaryCosSin({ o, dtype }, positionIds, ropeInvFreq(config)),
    mask: g.scope('mask', () => additiveMask(o, inputIds, attentionMask)),
  }));
  const ctx: DecoderContext = { g, o, config, dtype, weight, ...shared };

  let hidden = g.scope('model/embed_tokens', () =>
    o.gather(weight('model.embed_tokens.weight'), inputIds),
  );
  const presents: { key: Value; value: Value }[] = [];
  const probs: Value[] = [];
  const lambdas: Value[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    hidden = g.scope(`model/layers.${i}`, () => {
      const normed = rmsNorm(ctx, hidden, `${p}.input_layernorm.weight`, config.rmsNormEps);
      const attn = g.scope('self_attn', () =>
        attentionFn(ctx, { x: normed, layer: i, pastKey: past[i]!.key, pastValue: past[i]!.value }),
      );
      presents.push({ key: attn.presentKey, value: attn.presentValue });
      if (attn.probs) probs.push(attn.probs);
      if (attn.lambdaFull) lambdas.push(attn.lambdaFull);
      const h1 = o.add(hidden, attn.output);
      const normed2 = rmsNorm(ctx, h1, `${p}.post_attention_layernorm.weight`, config.rmsNormEps);
      return o.add(
        h1,
        g.scope('mlp', () => mlp(ctx, normed2, `${p}.mlp`)),
      );
    });
  }
  const logits = g.scope('lm_head', () => {
    const final = rmsNorm(ctx, hidden, 'model.norm.weight', config.rmsNormEps);
    const out = linear(ctx, final, headWeightName(config));
    return dtype === DataType.FLOAT ? out : o.cast(out, DataType.FLOAT);
  });
  // Output order as optimum writes it: logits, presents, then the optional extras.
  g.output(logits, 'logits', DataType.FLOAT, [B, S, config.vocabSize]);
  presents.forEach(({ key, value }, i) => {
    g.output(key, `present.${i}.key`, dtype, [B, kv, T, d]);
    g.output(value, `present.${i}.value`, dtype, [B, kv, T, d]);
  });

  if (opts.attentions) {
    if (probs.length !== config.numLayers) {
      throw new GraphError(
        `attention implementation '${opts.attention}' cannot output attention maps`,
      );
    }
    probs.forEach((p, i) => g.output(p, `attentions.${i}`, DataType.FLOAT, [B, h, S, T]));
    lambdas.forEach((l, i) => g.output(l, `lambda_full.${i}`, DataType.FLOAT, []));
  }
  return g;
}
