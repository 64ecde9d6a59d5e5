// Decoding as transformers 5 does: Llama 3's tokenizer_config says clean_up_tokenization_spaces
// true, and transformers 5 ignores it for BPE models (it strips spaces before punctuation, so
// "1 ,000" would reach the answer filters as "1,000"); transformers 4 applied it. Expected texts
// from transformers 5.25 (tools/crosscheck/decode_fixture.py, committed fixture).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePresetTokenizer } from '../src/init/presets.js';
import { loadTokenizer, type HfTokenizer } from '../src/tokenizer/tokenizer.js';

interface Fixture {
  transformers: string;
  config_clean_up_tokenization_spaces: boolean;
  cases: { text: string; ids: number[]; decode: string; decode_cleanup: string }[];
}
const FIXTURE = JSON.parse(
  readFileSync(
    path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/decode-cleanup.json'),
    'utf8',
  ),
) as Fixture;

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-decode-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the Llama 3 tokenizer (BPE, tokenizer_config clean-up true)', () => {
  let tok: HfTokenizer;
  beforeAll(async () => {
    const dir = path.join(tmp, 'llama3');
    mkdirSync(dir);
    await writePresetTokenizer(dir);
    tok = await loadTokenizer(dir);
  });

  test('the fixture is what it claims: transformers 5, config true, the clean-up changes 10 of 12', () => {
    expect(FIXTURE.transformers).toMatch(/^5\./);
    expect(FIXTURE.config_clean_up_tokenization_spaces).toBe(true);
    expect(FIXTURE.cases.filter((c) => c.decode !== c.decode_cleanup)).toHaveLength(10);
  });

  test.each(FIXTURE.cases.map((c) => [c.text, c] as const))('%j', (text, c) => {
    expect(tok.encode(text, { addSpecialTokens: false }).ids).toEqual(c.ids);
    // by default as transformers 5: no clean-up for BPE, whatever the config says
    expect(tok.decode(c.ids)).toBe(c.decode);
    expect(tok.decode(c.ids, { cleanUpTokenizationSpaces: false })).toBe(c.decode);
    // asked for, the clean-up of transformers 4
    expect(tok.decode(c.ids, { cleanUpTokenizationSpaces: true })).toBe(c.decode_cleanup);
  });
});

describe('a WordPiece tokenizer: the config decides, as in transformers 5', () => {
  const vocab = ['[UNK]', 'a', 'b', ',', '.', "'", 's'];
  const tokenizerJson = {
    version: '1.0',
    added_tokens: [
      { id: 0, content: '[UNK]', single_word: false, lstrip: false, rstrip: false },
    ].map((t) => ({ ...t, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    // the decoder's own clean-up off: only transformers' step is under test
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };

  async function wordPiece(cleanUp: boolean | undefined): Promise<HfTokenizer> {
    const dir = mkdtempSync(path.join(tmp, 'wp-'));
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    const config = cleanUp === undefined ? {} : { clean_up_tokenization_spaces: cleanUp };
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config }));
    return loadTokenizer(dir);
  }

  test.each([
    [true, "a, b's."],
    [false, "a , b ' s ."],
    [undefined, "a , b ' s ."], // transformers 5's default when the config is silent
  ])('clean_up_tokenization_spaces %s', async (cleanUp, expected) => {
    const tok = await wordPiece(cleanUp);
    const ids = tok.encode("a, b's.", { addSpecialTokens: false }).ids;
    expect(ids).toEqual([1, 3, 2, 5, 6, 4]);
    expect(tok.decode(ids)).toBe(expected);
    expect(tok.decode(ids, { cleanUpTokenizationSpaces: true })).toBe("a, b's.");
  });
});
