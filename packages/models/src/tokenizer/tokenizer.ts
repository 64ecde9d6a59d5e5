// Tokenizer wrapper: @huggingface/tokenizers (pure JS) does the encoding; this file adds what
// it lacks (character offsets, batch encode, special-id resolution, HF config merging).
import { Tokenizer } from '@huggingface/tokenizers';
import path from 'node:path';
import { byteLevelTokenBytes } from './byte-level.js';
import { TokenizerError } from './errors.js';
import {
  readTokenizerFiles,
  tokenContent,
  type TokenizerFiles,
  type TokenizerJson,
} from './files.js';
import {
  byteLevelOffsets,
  prefixDecodeOffsets,
  type AddedTokenMatch,
  type Span,
} from './offsets.js';
import { resolveSpecialIds, type PadTokenSource, type SpecialToken } from './specials.js';
import { assertIdsInModelVocab } from './vocab-guard.js';

export interface EncodeOptions {
  /** Add the template's special tokens (e.g. BOS); default true, like transformers. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
  /**
   * transformers' `clean_up_tokenization_spaces` (" ." -> ".", " 's" -> "'s", "1 ,000" ->
   * "1,000"): true applies it, false does not. Default: as transformers 5 decodes, i.e. the
   * folder's tokenizer_config value (false when unset) except for BPE models (Llama 3), where
   * transformers 5 ignores it as destructive. transformers 4 applied it to BPE too: pass true
   * to reproduce its text.
   */
  cleanUpTokenizationSpaces?: boolean;
}

export interface TokenEncoding {
  ids: number[];
  /** The token strings (byte-level alphabet for Llama-3, e.g. "Ġworld"). */
  tokens: string[];
  /**
   * UTF-16 [start, end) into the input for every token, as transformers' offset mapping (which
   * counts code points) gives them: sorted by start and by end. Template tokens (BOS/EOS added
   * by the post-processor) are zero-width: [0,0] before the text, [len,len] after it. A special
   * token written in the text spans its literal text (plus the whitespace its lstrip/rstrip
   * swallowed). A character split across byte-level tokens is in the span of every token
   * holding one of its bytes (" ÷" as "ĠÃ" + "·": [2,4] and [3,4] in "12 ÷ 3"), so only those
   * tokens overlap; spans are otherwise contiguous.
   */
  offsets: Span[];
}

export interface LoadTokenizerOptions {
  /**
   * The model's vocab_size (ids the embedding accepts); default: config.json's vocab_size in
   * the same folder, if any.
   */
  modelVocabSize?: number;
}

export interface TokenizerSpecials {
  bos?: SpecialToken;
  eos?: SpecialToken;
  pad?: SpecialToken;
  unk?: SpecialToken;
  /** Every added token marked special, by id. */
  all: SpecialToken[];
}

/** A BPE model (`type` may be omitted in older tokenizer.json files: merges say BPE). */
function isBpe(json: TokenizerJson): boolean {
  return json.model.type === undefined ? 'merges' in json.model : json.model.type === 'BPE';
}

// A string no tokenizer produces: used to read the post-processor's template.
const SENTINEL = '\u0000exp-template-sentinel\u0000';

/** A loaded Hugging Face tokenizer with exact offsets. Create it with {@link loadTokenizer}. */
export class HfTokenizer {
  readonly dir: string;
  readonly bosTokenId: number | undefined;
  /** Ids that end generation: generation_config eos (int or list) ∪ the tokenizer's eos. */
  readonly eosTokenIds: ReadonlySet<number>;
  readonly padTokenId: number | undefined;
  readonly padTokenSource: PadTokenSource | undefined;
  /** Whether encode() with special tokens starts with the BOS id. */
  readonly addBosToken: boolean;
  readonly specials: TokenizerSpecials;
  /** Number of ids the tokenizer knows (largest id + 1), added tokens included. */
  readonly size: number;
  /** The model's vocab_size, when known; ids at or above it are refused by checkIds(). */
  readonly modelVocabSize: number | undefined;

  private readonly tok: Tokenizer;
  private readonly prefix: { tokens: string[]; ids: number[] };
  private readonly suffix: { tokens: string[]; ids: number[] };
  private readonly addedTokens: Map<string, AddedTokenMatch>;
  private readonly specialIds: Set<number>;
  private readonly byteLevel: boolean;
  private readonly cleanUpDefault: boolean;

  constructor(files: TokenizerFiles, options: LoadTokenizerOptions = {}) {
    this.dir = files.dir;
    const json = prepareTokenizerJson(files);
    const libConfig = {
      ...files.tokenizerConfig,
      additional_special_tokens: (
        files.specialTokensMap?.additional_special_tokens ??
        files.tokenizerConfig.additional_special_tokens ??
        []
      ).map((t) => tokenContent(t)),
    };
    try {
      this.tok = new Tokenizer(json, libConfig);
    } catch (err) {
      throw new TokenizerError(
        `${path.join(files.dir, 'tokenizer.json')}: cannot build the tokenizer (${(err as Error).message})`,
      );
    }
    this.cleanUpDefault =
      (files.tokenizerConfig.clean_up_tokenization_spaces ?? false) && !isBpe(json);

    this.addedTokens = new Map();
    this.specialIds = new Set();
    const all: SpecialToken[] = [];
    for (const t of json.added_tokens) {
      this.addedTokens.set(t.content, { lstrip: t.lstrip ?? false, rstrip: t.rstrip ?? false });
      if (t.special) {
        this.specialIds.add(t.id);
        all.push({ id: t.id, content: t.content });
      }
    }
    all.sort((a, b) => a.id - b.id);
    this.size = this.tok.model ? this.tok.model.vocab.length : 0;

    [this.prefix, this.suffix] = this.readTemplate(files);
    this.byteLevel = usesByteLevel(json);

    const sp = resolveSpecialIds(files, (t) => this.tok.token_to_id(t));
    this.bosTokenId = sp.bosTokenId;
    this.eosTokenIds = new Set(sp.eosTokenIds);
    this.padTokenId = sp.padTokenId;
    this.padTokenSource = sp.padTokenSource;
    this.specials = { bos: sp.bos, eos: sp.eos, pad: sp.pad, unk: sp.unk, all };
    this.addBosToken = this.bosTokenId !== undefined && this.prefix.ids[0] === this.bosTokenId;
    this.modelVocabSize = options.modelVocabSize ?? files.modelConfig?.vocab_size;
  }

  /** The tokens the post-processor puts before and after a single sequence. */
  private readTemplate(files: TokenizerFiles): [typeof this.prefix, typeof this.suffix] {
    const pp = this.tok.post_processor;
    if (!pp)
      return [
        { tokens: [], ids: [] },
        { tokens: [], ids: [] },
      ];
    const out = pp([SENTINEL], null, true).tokens;
    const at = out.indexOf(SENTINEL);
    const probe = pp(['a', 'b'], null, true).tokens;
    const expected = [...out.slice(0, at), 'a', 'b', ...out.slice(at + 1)];
    if (
      at < 0 ||
      out.lastIndexOf(SENTINEL) !== at ||
      probe.join('\u0000') !== expected.join('\u0000')
    ) {
      throw new TokenizerError(
        `${path.join(files.dir, 'tokenizer.json')}: post_processor does more than add tokens around the text; not supported`,
      );
    }
    const toIds = (tokens: string[]) => {
      const ids = tokens.map((t) => this.tok.token_to_id(t));
      const missing = tokens.find((_, i) => ids[i] === undefined);
      if (missing !== undefined) {
        throw new TokenizerError(
          `${path.join(files.dir, 'tokenizer.json')}: post_processor adds ${JSON.stringify(missing)}, which is not in the vocabulary`,
        );
      }
      return { tokens, ids: ids as number[] };
    };
    return [toIds(out.slice(0, at)), toIds(out.slice(at + 1))];
  }

  encode(text: string, options: EncodeOptions = {}): TokenEncoding {
    if (typeof text !== 'string')
      throw new TokenizerError(`encode: expected a string, got ${typeof text}`);
    const enc = this.tok.encode(text, { add_special_tokens: false });
    const offsets = this.contentOffsets(text, enc.tokens, enc.ids);
    if (options.addSpecialTokens === false) return { ids: enc.ids, tokens: enc.tokens, offsets };
    const end = text.length;
    return {
      ids: [...this.prefix.ids, ...enc.ids, ...this.suffix.ids],
      tokens: [...this.prefix.tokens, ...enc.tokens, ...this.suffix.tokens],
      offsets: [
        ...this.prefix.ids.map((): Span => [0, 0]),
        ...offsets,
        ...this.suffix.ids.map((): Span => [end, end]),
      ],
    };
  }

  /** Encodes each text independently (the library has no batch API). */
  encodeBatch(texts: readonly string[], options: EncodeOptions = {}): TokenEncoding[] {
    return texts.map((t) => this.encode(t, options));
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    for (const id of ids) {
      if (this.idToToken(id) === undefined)
        throw new TokenizerError(`decode: unknown token id ${id}`);
    }
    return this.tok.decode([...ids], {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: options.cleanUpTokenizationSpaces ?? this.cleanUpDefault,
    });
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.tok.id_to_token(id) : undefined;
  }

  /** Whether `id` is an added token marked special (BOS, EOS, <|eot_id|>, ...). */
  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }

  /**
   * Throws a TokenIdOutOfRangeError when an id is >= the model's vocab_size; call it before
   * feeding ids to the model. A no-op when the model's vocab_size is unknown.
   */
  checkIds(ids: ArrayLike<number>): void {
    if (this.modelVocabSize !== undefined) {
      assertIdsInModelVocab(ids, this.modelVocabSize, (id) => this.idToToken(id));
    }
  }

  private contentOffsets(text: string, tokens: string[], ids: number[]): Span[] {
    if (this.byteLevel) {
      const spans = byteLevelOffsets(text, tokens, this.addedTokens, byteLevelTokenBytes);
      if (spans) return spans;
    }
    return prefixDecodeOffsets(text, ids, (prefix) =>
      this.tok.decode(prefix, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
    );
  }
}

function hasType(node: unknown, type: string): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as { type?: unknown; pretokenizers?: unknown; decoders?: unknown };
  if (n.type === type) return true;
  const children = [n.pretokenizers, n.decoders].find(Array.isArray) as unknown[] | undefined;
  return children?.some((c) => hasType(c, type)) ?? false;
}

function usesByteLevel(json: TokenizerJson): boolean {
  return hasType(json.pre_tokenizer, 'ByteLevel') && hasType(json.decoder, 'ByteLevel');
}

/**
 * The tokenizer.json object handed to the library, with two transformers behaviours applied:
 * tokens declared only in tokenizer_config.json's added_tokens_decoder are added (transformers
 * adds them on load; the real 375M checkpoints declare <|eom_id|> = 128256 there), and for
 * tokenizer_class LlamaTokenizer(Fast) the template is rebuilt from add_bos_token (default
 * true) / add_eos_token (default false), as LlamaTokenizerFast.update_post_processor does.
 */
function prepareTokenizerJson(files: TokenizerFiles): TokenizerJson {
  const cfg = files.tokenizerConfig;
  const json: TokenizerJson = {
    ...files.tokenizerJson,
    added_tokens: [...files.tokenizerJson.added_tokens],
  };
  const known = new Set(json.added_tokens.map((t) => t.content));
  const decoder = Object.entries(cfg.added_tokens_decoder ?? {}).sort(
    ([a], [b]) => Number(a) - Number(b),
  );
  for (const [id, t] of decoder) {
    if (known.has(t.content)) continue;
    json.added_tokens.push({
      id: Number(id),
      content: t.content,
      special: t.special ?? false,
      lstrip: t.lstrip ?? false,
      rstrip: t.rstrip ?? false,
      normalized: t.normalized ?? false,
      single_word: t.single_word ?? false,
    });
    known.add(t.content);
  }
  for (const key of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder'] as const) {
    if (json[key] === undefined) json[key] = null;
  }

  if (cfg.tokenizer_class && /^LlamaTokenizer(Fast)?$/.test(cfg.tokenizer_class)) {
    const bos = tokenContent(files.specialTokensMap?.bos_token ?? cfg.bos_token);
    const eos = tokenContent(files.specialTokensMap?.eos_token ?? cfg.eos_token);
    const addBos = cfg.add_bos_token ?? true;
    const addEos = cfg.add_eos_token ?? false;
    const where = path.join(files.dir, 'tokenizer_config.json');
    if (addBos && bos === undefined)
      throw new TokenizerError(`${where}: add_bos_token is true but bos_token is unset`);
    if (addEos && eos === undefined)
      throw new TokenizerError(`${where}: add_eos_token is true but eos_token is unset`);
    const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
    const seq = (id: 'A' | 'B') => ({ Sequence: { id, type_id: id === 'A' ? 0 : 1 } });
    const wrap = (id: 'A' | 'B') => [
      ...(addBos ? [special(bos!)] : []),
      seq(id),
      ...(addEos ? [special(eos!)] : []),
    ];
    json.post_processor = {
      type: 'TemplateProcessing',
      single: wrap('A'),
      pair: [...wrap('A'), ...wrap('B')],
    };
  }
  return json;
}

/**
 * Loads tokenizer.json + tokenizer_config.json from `dir`, plus special_tokens_map.json,
 * generation_config.json and config.json when present (for special ids and vocab_size).
 */
export async function loadTokenizer(
  dir: string,
  options: LoadTokenizerOptions = {},
): Promise<HfTokenizer> {
  return new HfTokenizer(readTokenizerFiles(dir), options);
}
