// Which ids mean begin / end / padding, merged from the folder's files the way transformers
// does it (see resolveSpecialIds for the precedence rules).
import path from 'node:path';
import { TokenizerError } from './errors.js';
import { tokenContent, type TokenizerFiles, type TokenRef } from './files.js';

export interface SpecialToken {
  id: number;
  content: string;
}

/** Where the pad id came from; 'eos' means no file named one and the first eos id is used. */
export type PadTokenSource = 'tokenizer_config' | 'generation_config' | 'config' | 'eos';

export interface SpecialIds {
  bos?: SpecialToken;
  /** The tokenizer's own eos token (tokenizer_config / special_tokens_map). */
  eos?: SpecialToken;
  pad?: SpecialToken;
  unk?: SpecialToken;
  bosTokenId?: number;
  /** generation_config eos ids first (in file order), then the tokenizer's eos token. */
  eosTokenIds: number[];
  padTokenId?: number;
  padTokenSource?: PadTokenSource;
}

function asList(ids: number | number[] | null | undefined): number[] {
  if (ids === null || ids === undefined) return [];
  return Array.isArray(ids) ? ids : [ids];
}

/**
 * Precedence, following transformers:
 * - token strings: special_tokens_map.json overrides tokenizer_config.json (HF loads the map
 *   last); each named token must exist in the vocabulary.
 * - bos id: the tokenizer's bos token, else generation_config / config.json bos_token_id.
 * - eos ids: generation_config.json eos_token_id (int or list) or, when that file is absent,
 *   config.json's (HF derives the generation config from the model config then), united with
 *   the tokenizer's eos token.
 * - pad id: the tokenizer's pad token, else generation_config pad_token_id, else config.json
 *   pad_token_id, else the first eos id (what `generate` does when no pad id is set).
 */
export function resolveSpecialIds(
  files: TokenizerFiles,
  tokenToId: (token: string) => number | undefined,
): SpecialIds {
  const { tokenizerConfig: cfg, specialTokensMap: map, generationConfig: gen } = files;
  const model = files.modelConfig;
  const lookup = (field: 'bos_token' | 'eos_token' | 'pad_token' | 'unk_token') => {
    const fromMap = tokenContent(map?.[field] as TokenRef);
    const content = fromMap ?? tokenContent(cfg[field] as TokenRef);
    if (content === undefined) return undefined;
    const id = tokenToId(content);
    if (id === undefined) {
      const file = fromMap !== undefined ? 'special_tokens_map.json' : 'tokenizer_config.json';
      throw new TokenizerError(
        `${path.join(files.dir, file)}: ${field} ${JSON.stringify(content)} is not in the vocabulary of tokenizer.json`,
      );
    }
    return { id, content };
  };
  const bos = lookup('bos_token');
  const eos = lookup('eos_token');
  const pad = lookup('pad_token');
  const unk = lookup('unk_token');

  const eosIds = new Set<number>(asList(gen ? gen.eos_token_id : model?.eos_token_id));
  if (eos) eosIds.add(eos.id);
  const eosTokenIds = [...eosIds];

  const bosTokenId = bos?.id ?? gen?.bos_token_id ?? model?.bos_token_id ?? undefined;

  let padTokenId: number | undefined;
  let padTokenSource: PadTokenSource | undefined;
  if (pad) [padTokenId, padTokenSource] = [pad.id, 'tokenizer_config'];
  else if (gen?.pad_token_id != null)
    [padTokenId, padTokenSource] = [gen.pad_token_id, 'generation_config'];
  else if (model?.pad_token_id != null)
    [padTokenId, padTokenSource] = [model.pad_token_id, 'config'];
  else if (eosTokenIds.length > 0) [padTokenId, padTokenSource] = [eosTokenIds[0], 'eos'];

  return { bos, eos, pad, unk, bosTokenId, eosTokenIds, padTokenId, padTokenSource };
}
