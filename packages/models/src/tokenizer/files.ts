// The JSON files of a Hugging Face tokenizer folder, validated at the edge with zod. Only the
// fields we use are checked; everything else passes through untouched.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TokenizerError } from './errors.js';
import { GenerationConfigTokensSchema, type GenerationConfigTokens } from '../generation-config.js';

/** A special token as tokenizer_config.json / special_tokens_map.json write it. */
const TokenRef = z
  .union([z.string(), z.looseObject({ content: z.string() })])
  .nullable()
  .optional();
export type TokenRef = z.infer<typeof TokenRef>;

const AddedTokenFields = {
  content: z.string(),
  special: z.boolean().optional(),
  lstrip: z.boolean().optional(),
  rstrip: z.boolean().optional(),
  normalized: z.boolean().optional(),
  single_word: z.boolean().optional(),
};

export const TokenizerJsonSchema = z.looseObject({
  model: z.looseObject({ type: z.string().optional() }),
  normalizer: z.unknown().optional(),
  pre_tokenizer: z.unknown().optional(),
  post_processor: z.unknown().optional(),
  decoder: z.unknown().optional(),
  added_tokens: z
    .array(z.looseObject({ id: z.number().int().nonnegative(), ...AddedTokenFields }))
    .default([]),
});
export type TokenizerJson = z.infer<typeof TokenizerJsonSchema>;

export const TokenizerConfigSchema = z.looseObject({
  bos_token: TokenRef,
  eos_token: TokenRef,
  pad_token: TokenRef,
  unk_token: TokenRef,
  add_bos_token: z.boolean().optional(),
  add_eos_token: z.boolean().optional(),
  clean_up_tokenization_spaces: z.boolean().optional(),
  tokenizer_class: z.string().optional(),
  additional_special_tokens: z
    .array(z.union([z.string(), z.looseObject({ content: z.string() })]))
    .optional(),
  added_tokens_decoder: z
    .record(z.string().regex(/^\d+$/, 'expected a token id'), z.looseObject(AddedTokenFields))
    .optional(),
});
export type TokenizerConfig = z.infer<typeof TokenizerConfigSchema>;

export const SpecialTokensMapSchema = z.looseObject({
  bos_token: TokenRef,
  eos_token: TokenRef,
  pad_token: TokenRef,
  unk_token: TokenRef,
  additional_special_tokens: z
    .array(z.union([z.string(), z.looseObject({ content: z.string() })]))
    .optional(),
});
export type SpecialTokensMap = z.infer<typeof SpecialTokensMapSchema>;

const TokenIds = z
  .union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())])
  .nullable()
  .optional();

/** The token fields of config.json (the model config is parsed in full elsewhere). */
export const ModelConfigTokensSchema = z.looseObject({
  vocab_size: z.number().int().positive().optional(),
  bos_token_id: z.number().int().nonnegative().nullable().optional(),
  eos_token_id: TokenIds,
  pad_token_id: z.number().int().nonnegative().nullable().optional(),
});
export type ModelConfigTokens = z.infer<typeof ModelConfigTokensSchema>;

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Reads and validates one JSON file; `undefined` when it is optional and absent. */
export function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  required: true,
): z.infer<S>;
export function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  required: false,
): z.infer<S> | undefined;
export function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  required: boolean,
): z.infer<S> | undefined {
  if (!existsSync(file)) {
    if (!required) return undefined;
    throw new TokenizerError(
      `${file}: not found (expected a Hugging Face tokenizer folder with tokenizer.json)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TokenizerError(`${file}: invalid JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new TokenizerError(`${file}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Everything loadTokenizer reads from a folder. */
export interface TokenizerFiles {
  dir: string;
  tokenizerJson: TokenizerJson;
  tokenizerConfig: TokenizerConfig;
  specialTokensMap?: SpecialTokensMap;
  generationConfig?: GenerationConfigTokens;
  modelConfig?: ModelConfigTokens;
}

export function readTokenizerFiles(dir: string): TokenizerFiles {
  const at = (name: string) => path.join(dir, name);
  return {
    dir,
    tokenizerJson: readJsonFile(at('tokenizer.json'), TokenizerJsonSchema, true),
    // HF treats a missing tokenizer_config.json as an empty one.
    tokenizerConfig: readJsonFile(at('tokenizer_config.json'), TokenizerConfigSchema, false) ?? {},
    specialTokensMap: readJsonFile(at('special_tokens_map.json'), SpecialTokensMapSchema, false),
    generationConfig: readJsonFile(
      at('generation_config.json'),
      GenerationConfigTokensSchema,
      false,
    ),
    modelConfig: readJsonFile(at('config.json'), ModelConfigTokensSchema, false),
  };
}

/** The content string of a special-token reference. */
export function tokenContent(ref: TokenRef): string | undefined {
  if (ref === null || ref === undefined) return undefined;
  return typeof ref === 'string' ? ref : ref.content;
}
