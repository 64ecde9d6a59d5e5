// Which state-dict tensors a Llama / DiffLlama checkpoint must hold, with the shapes config.json
// implies, checked before any graph is built so a mismatch fails with one clear message.
import { ExpError } from '@exp/data';
import path from 'node:path';
import type { ModelConfig } from '../config.js';

/** Where weights come from (a Checkpoint satisfies this). */
export interface DecoderWeightSource {
  /** Label for error messages (the checkpoint folder). */
  readonly dir: string;
  has(name: string): boolean;
  /** `file`: the weight file holding the tensor, for error messages. */
  info(name: string): { shape: number[]; file?: string };
  /** The weight files, for error messages (a missing tensor names where it was looked for). */
  readonly weightFiles?: readonly string[];
  readFloat32(name: string): Float32Array;
}

export class WeightShapeError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'WeightShapeError';
  }
}

/** The LM head's weight name: lm_head.weight, or the embedding when tied. */
export function headWeightName(config: ModelConfig): string {
  return config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
}

/** Every tensor the exporter reads, with its expected shape. */
export function expectedWeights(config: ModelConfig): Map<string, number[]> {
  const { hiddenSize: h, numHeads: nh, numKvHeads: kv, headDim: d, intermediateSize: im } = config;
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [config.vocabSize, h]);
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    m.set(`${p}.input_layernorm.weight`, [h]);
    m.set(`${p}.post_attention_layernorm.weight`, [h]);
    m.set(`${p}.self_attn.q_proj.weight`, [nh * d, h]);
    m.set(`${p}.self_attn.k_proj.weight`, [kv * d, h]);
    m.set(`${p}.self_attn.v_proj.weight`, [kv * d, h]);
    m.set(`${p}.self_attn.o_proj.weight`, [h, nh * d]);
    m.set(`${p}.mlp.gate_proj.weight`, [im, h]);
    m.set(`${p}.mlp.up_proj.weight`, [im, h]);
    m.set(`${p}.mlp.down_proj.weight`, [h, im]);
    if (config.modelType === 'diffllama') {
      for (const l of ['lambda_q1', 'lambda_k1', 'lambda_q2', 'lambda_k2']) {
        m.set(`${p}.self_attn.${l}`, [d]);
      }
    }
  }
  m.set('model.norm.weight', [h]);
  if (!config.tieWordEmbeddings) m.set('lm_head.weight', [config.vocabSize, h]);
  return m;
}

/** Throws WeightShapeError for the first missing tensor or shape mismatch. */
export function checkWeights(source: DecoderWeightSource, config: ModelConfig): void {
  for (const [name, shape] of expectedWeights(config)) {
    if (!source.has(name)) {
      const hint =
        name === 'lm_head.weight' ? ' (config.json says tie_word_embeddings is false)' : '';
      const files = source.weightFiles?.length
        ? ` in ${source.weightFiles.map((f) => path.basename(f)).join(', ')}`
        : '';
      throw new WeightShapeError(
        `${source.dir}: checkpoint has no tensor '${name}'${files}${hint}`,
      );
    }
    const { shape: got, file } = source.info(name);
    if (got.length !== shape.length || got.some((v, i) => v !== shape[i])) {
      throw new WeightShapeError(
        `${file ?? source.dir}: tensor '${name}' has shape [${got.join(', ')}], ${path.join(source.dir, 'config.json')} implies [${shape.join(', ')}]`,
      );
    }
  }
}
