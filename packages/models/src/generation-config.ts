// generation_config.json: the one schema of the file, for every reader in exp (generate()'s
// defaults, the tokenizer's special ids). Only the fields we use are checked (HF names); the rest
// passes through untouched.
import { z } from 'zod';

const tokenId = z.number().int().nonnegative();

/** The fields of generation_config.json that exp honours, in the order their issues are reported. */
export const GenerationConfigSchema = z.looseObject({
  do_sample: z.boolean().optional(),
  temperature: z.number().positive().optional(),
  top_k: z.number().int().nonnegative().optional(),
  top_p: z.number().gt(0).lte(1).optional(),
  repetition_penalty: z.number().positive().optional(),
  eos_token_id: z.union([tokenId, z.array(tokenId)]).nullish(),
  pad_token_id: tokenId.nullish(),
  bos_token_id: tokenId.nullish(),
});
export type GenerationConfigFile = z.infer<typeof GenerationConfigSchema>;

/**
 * Its special-token ids alone: what the tokenizer reads, so that a sampling setting it does not
 * use (e.g. temperature 0) does not stop a tokenizer from loading.
 */
export const GenerationConfigTokensSchema = GenerationConfigSchema.pick({
  bos_token_id: true,
  eos_token_id: true,
  pad_token_id: true,
});
export type GenerationConfigTokens = z.infer<typeof GenerationConfigTokensSchema>;
