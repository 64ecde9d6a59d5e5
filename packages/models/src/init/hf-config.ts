// config.json contents for a randomly initialised Llama / DiffLlama, with the keys transformers
// 4.5x writes (`to_diff_dict`: every model-specific key plus the base keys that differ from the
// defaults), validated with zod so a bad override fails before any tensor is drawn.
import { ExpError } from '@exp/data';
import { z } from 'zod';

export class InitError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'InitError';
  }
}

/** The transformers version we write as a label (the golden checkpoints use the same). */
export const TRANSFORMERS_VERSION_LABEL = '4.51.3';

const posInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

const RopeScalingSchema = z
  .looseObject({
    rope_type: z.string(),
    factor: z.number().positive().optional(),
    low_freq_factor: z.number().positive().optional(),
    high_freq_factor: z.number().positive().optional(),
    original_max_position_embeddings: posInt.optional(),
  })
  .nullable();

export const RandomConfigSchema = z
  .looseObject({
    model_type: z.enum(['llama', 'diffllama']),
    architectures: z.array(z.string()),
    vocab_size: posInt,
    hidden_size: posInt,
    intermediate_size: posInt,
    num_hidden_layers: posInt,
    num_attention_heads: posInt,
    num_key_value_heads: posInt,
    head_dim: posInt,
    hidden_act: z.literal('silu'),
    max_position_embeddings: posInt,
    initializer_range: z.number().nonnegative(),
    rms_norm_eps: z.number().positive(),
    rope_theta: z.number().positive(),
    rope_scaling: RopeScalingSchema,
    attention_bias: z.literal(false, { error: 'only false is supported (no bias terms)' }),
    attention_dropout: z.number().nonnegative(),
    tie_word_embeddings: z.boolean(),
    torch_dtype: z.enum(['float32', 'float16', 'bfloat16']),
    bos_token_id: tokenId.nullable().optional(),
    eos_token_id: z
      .union([tokenId, z.array(tokenId)])
      .nullable()
      .optional(),
    pad_token_id: tokenId.nullable().optional(),
    mlp_bias: z.literal(false, { error: 'only false is supported (no bias terms)' }).optional(),
    lambda_std_dev: z.number().nonnegative().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.num_attention_heads % c.num_key_value_heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_key_value_heads'],
        message: `must divide num_attention_heads (${c.num_attention_heads})`,
      });
    }
    if (c.model_type === 'diffllama' && c.num_attention_heads % 2 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_attention_heads'],
        message: 'DiffLlama pairs its heads: must be even',
      });
    }
    if (c.pad_token_id != null && c.pad_token_id >= c.vocab_size) {
      ctx.addIssue({ code: 'custom', path: ['pad_token_id'], message: 'must be < vocab_size' });
    }
  });
export type RandomConfig = z.infer<typeof RandomConfigSchema>;

/** Defaults shared by both model types (transformers' own defaults, float32). */
function baseConfig(modelType: 'llama' | 'diffllama'): Record<string, unknown> {
  const common = {
    model_type: modelType,
    attention_bias: false,
    attention_dropout: 0.0,
    hidden_act: 'silu',
    initializer_range: 0.02,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    rope_theta: 10000.0,
    rope_scaling: null,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    transformers_version: TRANSFORMERS_VERSION_LABEL,
    use_cache: true,
    bos_token_id: 1,
    eos_token_id: 2,
  };
  return modelType === 'llama'
    ? { ...common, architectures: ['LlamaForCausalLM'], mlp_bias: false, pretraining_tp: 1 }
    : { ...common, architectures: ['DiffLlamaForCausalLM'], lambda_std_dev: 0.1 };
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * The full config for `overrides` (snake_case HF keys; `model_type` picks the base). Unset
 * `num_key_value_heads` means MHA and unset `head_dim` means hidden_size / num_attention_heads,
 * as in transformers. A key set to `undefined` is dropped from the file.
 */
export function buildRandomConfig(overrides: Record<string, unknown>): RandomConfig {
  const modelType = overrides.model_type ?? 'llama';
  if (modelType !== 'llama' && modelType !== 'diffllama') {
    throw new InitError(
      `config: model_type ${JSON.stringify(modelType)} is not supported (llama, diffllama)`,
    );
  }
  const merged: Record<string, unknown> = { ...baseConfig(modelType), ...overrides };
  merged.num_key_value_heads ??= merged.num_attention_heads;
  if (
    merged.head_dim === undefined &&
    typeof merged.hidden_size === 'number' &&
    typeof merged.num_attention_heads === 'number'
  ) {
    merged.head_dim = Math.floor(merged.hidden_size / merged.num_attention_heads);
  }
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const parsed = RandomConfigSchema.safeParse(merged);
  if (!parsed.success) throw new InitError(`config: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
