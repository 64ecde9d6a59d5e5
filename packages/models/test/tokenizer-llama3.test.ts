// Parity with transformers on the real Llama 3 tokenizer: ids, offsets and decodes of every
// GSM8K test question, its INF / RCS / SD variants (exp's generator, default seed) and every test
// answer, against test/fixtures/llama3-tokenizer.json (written by
// tools/crosscheck/tokenizer_fixture.py, whose docstring defines the serialisations hashed here).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadGsm8kFile } from '@exp/data';
import { DEFAULT_NOISE_SEED, getNoise, noisyRecords } from '@exp/noise';
import { writePresetTokenizer } from '../src/init/presets.js';
import { bundledLlama3TokenizerDir } from '../src/tokenizer/llama3.js';
import type { Span } from '../src/tokenizer/offsets.js';
import { loadTokenizer, type HfTokenizer } from '../src/tokenizer/tokenizer.js';
import { SHARED_DIR } from './helpers/shared.js';

interface SetFixture {
  texts: number;
  tokens: number;
  tokens_sharing_a_character: number;
  texts_sha256: string;
  ids_sha256: string;
  offsets_sha256: string;
  decode_sha256: string;
  decode_skip_special_sha256: string;
  decode_skip_special_differs_from_text: number;
  source: string;
  sample: { index: number; text_sha256: string; ids: string; offsets: string }[];
}
interface CaseFixture {
  folder: 'preset' | 'bundled';
  text: string;
  add_special_tokens: boolean;
  ids: number[];
  tokens: string[];
  offsets: Span[];
  decode: string;
  decode_skip_special: string;
}
interface SpecialsFixture {
  bos_token_id: number;
  eos_token_id: number;
  pad_token_id: number | null;
  adds_bos: boolean;
  len: number;
}
interface Fixture {
  versions: { transformers: string; tokenizers: string };
  tokenizer: {
    preset_tokenizer_json_sha256: string;
    bundled_tokenizer_json_sha256: string;
    tokenizer_config_json_sha256: string;
  };
  specials: Record<'preset' | 'bundled', SpecialsFixture>;
  noise_seed: number;
  sets: Record<string, SetFixture>;
  cases: CaseFixture[];
}

const FIXTURE = JSON.parse(
  readFileSync(new URL('./fixtures/llama3-tokenizer.json', import.meta.url), 'utf8'),
) as Fixture;
const GSM8K_TEST = path.join(SHARED_DIR, 'data/gsm8k/test.jsonl');

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const fileSha256 = (file: string) => sha256(readFileSync(file));
const idsLine = (ids: readonly number[]) => ids.join(',');
const offsetsLine = (offsets: readonly Span[]) => offsets.map(([a, b]) => `${a}:${b}`).join(',');

/** The texts of each set, as the fixture script read them (ids `gsm8k-test-<i>` seed the noise). */
function setTexts(): Record<string, string[]> {
  const problems = loadGsm8kFile(GSM8K_TEST, 'gsm8k-test');
  const noisy = (type: string) =>
    noisyRecords(problems, getNoise(type), FIXTURE.noise_seed).map((r) => r.question);
  return {
    questions: problems.map((p) => p.question),
    inf: noisy('inf'),
    rcs: noisy('rcs'),
    sd: noisy('sd'),
    answers: problems.map((p) => p.answer),
  };
}

/** The fixture's per-set figures, recomputed with exp's tokenizer. */
function measure(tok: HfTokenizer, texts: readonly string[], sample: readonly number[]) {
  const h = {
    texts: createHash('sha256'),
    ids: createHash('sha256'),
    offsets: createHash('sha256'),
    decode: createHash('sha256'),
    decodeSkip: createHash('sha256'),
  };
  let tokens = 0;
  let sharing = 0;
  let differs = 0;
  const lines = new Map<number, { ids: string; offsets: string }>();
  texts.forEach((text, i) => {
    const enc = tok.encode(text);
    tokens += enc.ids.length;
    for (let k = 1; k < enc.offsets.length; k++)
      if (enc.offsets[k]![0] < enc.offsets[k - 1]![1]) sharing++;
    const line = { ids: idsLine(enc.ids), offsets: offsetsLine(enc.offsets) };
    if (sample.includes(i)) lines.set(i, line);
    h.texts.update(text + '\0');
    h.ids.update(line.ids + '\n');
    h.offsets.update(line.offsets + '\n');
    // exp's default decode, as transformers 5's: no clean-up of spaces for byte-level BPE
    const decode = (skipSpecialTokens: boolean) => tok.decode(enc.ids, { skipSpecialTokens });
    h.decode.update(decode(false) + '\0');
    const skipped = decode(true);
    h.decodeSkip.update(skipped + '\0');
    if (skipped !== text) differs++;
  });
  return {
    figures: {
      texts: texts.length,
      tokens,
      tokens_sharing_a_character: sharing,
      texts_sha256: h.texts.digest('hex'),
      ids_sha256: h.ids.digest('hex'),
      offsets_sha256: h.offsets.digest('hex'),
      decode_sha256: h.decode.digest('hex'),
      decode_skip_special_sha256: h.decodeSkip.digest('hex'),
      decode_skip_special_differs_from_text: differs,
    },
    lines,
  };
}

describe(`Llama 3 tokenizer = transformers ${FIXTURE.versions.transformers} / tokenizers ${FIXTURE.versions.tokenizers}`, () => {
  let tmp: string;
  const tok: Partial<Record<'preset' | 'bundled', HfTokenizer>> = {};
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-llama3-tok-'));
    await writePresetTokenizer(tmp);
    tok.preset = await loadTokenizer(tmp);
    tok.bundled = await loadTokenizer(bundledLlama3TokenizerDir());
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('the tokenizer files are those the fixture was made from', () => {
    const bundled = bundledLlama3TokenizerDir();
    expect({
      preset_tokenizer_json_sha256: fileSha256(path.join(tmp, 'tokenizer.json')),
      bundled_tokenizer_json_sha256: fileSha256(path.join(bundled, 'tokenizer.json')),
      tokenizer_config_json_sha256: fileSha256(path.join(bundled, 'tokenizer_config.json')),
    }).toEqual({
      preset_tokenizer_json_sha256: FIXTURE.tokenizer.preset_tokenizer_json_sha256,
      bundled_tokenizer_json_sha256: FIXTURE.tokenizer.bundled_tokenizer_json_sha256,
      tokenizer_config_json_sha256: FIXTURE.tokenizer.tokenizer_config_json_sha256,
    });
  });

  test.each(['preset', 'bundled'] as const)('%s folder: BOS, EOS, pad and size', (folder) => {
    const t = tok[folder]!;
    const want = FIXTURE.specials[folder];
    expect({
      bos: t.bosTokenId,
      eos: t.specials.eos?.id,
      pad: t.specials.pad?.id ?? null,
      addsBos: t.addBosToken,
      size: t.size,
    }).toEqual({
      bos: want.bos_token_id,
      eos: want.eos_token_id,
      pad: want.pad_token_id,
      addsBos: want.adds_bos,
      size: want.len,
    });
    expect(want.adds_bos).toBe(folder === 'preset'); // the fixture covers both templates
  });

  test('special tokens, BOS, whitespace and split characters: exact ids, tokens, offsets, decodes', () => {
    expect(FIXTURE.cases.length).toBeGreaterThanOrEqual(60);
    const got = FIXTURE.cases.map((c) => {
      const t = tok[c.folder]!;
      const enc = t.encode(c.text, { addSpecialTokens: c.add_special_tokens });
      const decode = (skipSpecialTokens: boolean) =>
        t.decode(enc.ids, { skipSpecialTokens, cleanUpTokenizationSpaces: false });
      return {
        ...c,
        ids: enc.ids,
        tokens: enc.tokens,
        offsets: enc.offsets,
        decode: decode(false),
        decode_skip_special: decode(true),
      };
    });
    expect(got).toEqual(FIXTURE.cases);
  });

  describe('GSM8K test sets (all 1,319 texts each)', () => {
    let texts: Record<string, string[]>;
    beforeAll(() => {
      texts = setTexts();
    });

    test('the fixture covers 5 sets of 1,319 texts, 504,428 tokens, 6 tokens sharing a character', () => {
      const sets = Object.values(FIXTURE.sets);
      expect(Object.keys(FIXTURE.sets)).toEqual(['questions', 'inf', 'rcs', 'sd', 'answers']);
      expect(sets.map((s) => s.texts)).toEqual([1319, 1319, 1319, 1319, 1319]);
      expect(sets.reduce((n, s) => n + s.tokens, 0)).toBe(504_428);
      expect(sets.reduce((n, s) => n + s.tokens_sharing_a_character, 0)).toBe(6);
      expect(FIXTURE.noise_seed).toBe(DEFAULT_NOISE_SEED);
    });

    test.each(['questions', 'inf', 'rcs', 'sd', 'answers'])(
      '%s: ids, offsets and decodes hash as in transformers; the sample is exact',
      (name) => {
        const want = FIXTURE.sets[name]!;
        const sample = want.sample.map((s) => s.index);
        const { figures, lines } = measure(tok.preset!, texts[name]!, sample);
        // A texts_sha256 mismatch means the data or the noise generator changed, not the tokenizer.
        const { sample: _sample, source: _source, ...wantFigures } = want;
        expect(figures).toEqual(wantFigures);
        expect(
          want.sample.map((s) => ({
            index: s.index,
            text_sha256: sha256(texts[name]![s.index]!),
            ...lines.get(s.index),
          })),
        ).toEqual(
          want.sample.map(({ index, text_sha256, ids, offsets }) => ({
            index,
            text_sha256,
            ids,
            offsets,
          })),
        );
      },
    );
  });
});
