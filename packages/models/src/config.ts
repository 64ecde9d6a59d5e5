// HF config.json of the decoders we export (Llama, DiffLlama), validated with zod and normalised
// into one shape the graph builders read. Accepts the transformers v4 layout (`rope_theta`,
// `rope_scaling`) and the v5 one (`rope_parameters`).
import { ExpError } from '@exp/data';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** A config.json the exporter cannot use; the message names the file and field. */
export class ConfigError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const SUPPORTED_MODEL_TYPES = ['llama', 'diffllama'] as const;
export type ModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

export type RopeScaling =
  | { type: 'default' }
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

/** The normalised model config (camelCase; defaults filled in as transformers does). */
export interface ModelConfig {
  modelType: ModelType;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling;
  tieWordEmbeddings: boolean;
  maxPositionEmbeddings: number | null;
  bosTokenId: number | null;
  /** Every end-of-sequence id (config may give one int or a list). */
  eosTokenIds: number[];
  padTokenId: number | null;
  /** DiffLlama only: std of the lambda init (informational for export). */
  lambdaStdDev: number | null;
  /** The raw JSON, for anything else a caller needs. */
  raw: Record<string, unknown>;
}

const posInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

const llama3Schema = z.object({
  factor: z.number().positive(),
  low_freq_factor: z.number().positive(),
  high_freq_factor: z.number().positive(),
  original_max_position_embeddings: posInt,
});

const ropeTypeSchema = z.looseObject({
  rope_type: z.string().optional(),
  type: z.string().optional(),
});

const configSchema = z.looseObject({
  model_type: z.enum(SUPPORTED_MODEL_TYPES),
  vocab_size: posInt,
  hidden_size: posInt,
  intermediate_size: posInt,
  num_hidden_layers: posInt,
  num_attention_heads: posInt,
  num_key_value_heads: posInt.nullish(),
  head_dim: posInt.nullish(),
  hidden_act: z.literal('silu', { error: 'only silu is supported' }).default('silu'),
  rms_norm_eps: z.number().positive().default(1e-6),
  rope_theta: z.number().positive().default(10000),
  rope_scaling: ropeTypeSchema.nullish(),
  rope_parameters: z
    .looseObject({ rope_theta: z.number().positive().optional() })
    .and(ropeTypeSchema)
    .nullish(),
  tie_word_embeddings: z.boolean().default(false),
  attention_bias: z.literal(false, { error: 'bias terms are not supported' }).default(false),
  mlp_bias: z.literal(false, { error: 'bias terms are not supported' }).default(false),
  max_position_embeddings: posInt.nullish(),
  bos_token_id: tokenId.nullish(),
  eos_token_id: z.union([tokenId, z.array(tokenId)]).nullish(),
  pad_token_id: tokenId.nullish(),
  lambda_std_dev: z.number().nonnegative().nullish(),
});

function issueMessage(file: string, issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.join('.') : '(root)';
  return `${file}: field ${field}: ${issue.message}`;
}

function parseRope(
  file: string,
  field: string,
  raw: Record<string, unknown> | null | undefined,
): RopeScaling {
  if (!raw) return { type: 'default' };
  const kind = (raw.rope_type ?? raw.type ?? 'default') as string;
  if (kind === 'default') return { type: 'default' };
  if (kind !== 'llama3') {
    throw new ConfigError(
      `${file}: field ${field}: rope type '${kind}' is not supported (supported: default, llama3)`,
    );
  }
  const r = llama3Schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ConfigError(issueMessage(file, { ...issue, path: [field, ...issue.path] }));
  }
  const { factor, low_freq_factor, high_freq_factor, original_max_position_embeddings } = r.data;
  if (!(high_freq_factor > low_freq_factor)) {
    throw new ConfigError(
      `${file}: field ${field}: high_freq_factor (${high_freq_factor}) must exceed low_freq_factor (${low_freq_factor})`,
    );
  }
  return {
    type: 'llama3',
    factor,
    lowFreqFactor: low_freq_factor,
    highFreqFactor: high_freq_factor,
    originalMaxPositionEmbeddings: original_max_position_embeddings,
  };
}

/**
 * Validates a parsed config.json object. `file` only labels error messages.
 * Throws ConfigError ("unsupported architecture X in <file>; supported: llama, diffllama" for other
 * model types).
 */
export function parseModelConfig(json: unknown, file = 'config.json'): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(`${file}: expected a JSON object`);
  }
  const modelType = (json as { model_type?: unknown }).model_type;
  if (!SUPPORTED_MODEL_TYPES.includes(modelType as ModelType)) {
    throw new ConfigError(
      `unsupported architecture ${JSON.stringify(modelType ?? null)} in ${file}; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
    );
  }
  const r = configSchema.safeParse(json);
  if (!r.success) throw new ConfigError(issueMessage(file, r.error.issues[0]!));
  const c = r.data;

  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % numKvHeads !== 0) {
    throw new ConfigError(
      `${file}: field num_key_value_heads: ${numKvHeads} must divide num_attention_heads (${c.num_attention_heads})`,
    );
  }
  let headDim = c.head_dim;
  if (headDim == null) {
    if (c.hidden_size % c.num_attention_heads !== 0) {
      throw new ConfigError(
        `${file}: field head_dim: missing, and hidden_size (${c.hidden_size}) is not a multiple of num_attention_heads (${c.num_attention_heads})`,
      );
    }
    headDim = c.hidden_size / c.num_attention_heads;
  }
  if (headDim % 2 !== 0) {
    throw new ConfigError(`${file}: field head_dim: ${headDim} must be even for rotary embeddings`);
  }
  if (c.model_type === 'diffllama' && c.num_attention_heads % 2 !== 0) {
    throw new ConfigError(
      `${file}: field num_attention_heads: DiffLlama pairs heads, so ${c.num_attention_heads} must be even`,
    );
  }

  // transformers v5 moves theta and scaling into rope_parameters; prefer it when present.
  const ropeParams = c.rope_parameters;
  const ropeTheta = ropeParams?.rope_theta ?? c.rope_theta;
  const ropeScaling = ropeParams
    ? parseRope(file, 'rope_parameters', ropeParams)
    : parseRope(file, 'rope_scaling', c.rope_scaling);

  const eos = c.eos_token_id;
  return {
    modelType: c.model_type,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta,
    ropeScaling,
    tieWordEmbeddings: c.tie_word_embeddings,
    maxPositionEmbeddings: c.max_position_embeddings ?? null,
    bosTokenId: c.bos_token_id ?? null,
    eosTokenIds: eos == null ? [] : Array.isArray(eos) ? eos : [eos],
    padTokenId: c.pad_token_id ?? null,
    lambdaStdDev: c.model_type === 'diffllama' ? (c.lambda_std_dev ?? 0.1) : null,
    raw: json as Record<string, unknown>,
  };
}

/** Reads and validates `<dir>/config.json` (or a config.json path). */
export function loadModelConfig(dirOrFile: string): ModelConfig {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return parseModelConfig(json, file);
}
