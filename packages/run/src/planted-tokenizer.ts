// A word-level tokenizer for the planted models: a BPE tokenizer.json (the format @exp/models
// loads) whose merges build each word of the planted texts into one token, with byte fallback for
// anything else. Short sequences and a vocabulary of a few hundred ids make SFT of a tiny model
// fast enough for a test (the Llama 3 vocabulary's 128,256-way head costs ~100x more per step).
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const SPECIALS = ['<unk>', '<s>', '</s>'];
export const PLANTED_BOS_ID = 1;
export const PLANTED_EOS_ID = 2;

/** Words of a text: a space (or none) then letters, runs of '#' or newlines, or one character. */
function segments(text: string): string[] {
  return text.match(/ ?[A-Za-z]+| ?#+|\n+|[^A-Za-z]/gu) ?? [];
}

/**
 * Writes tokenizer.json and tokenizer_config.json to `dir`: ids 0..2 `<unk> <s> </s>`, then the
 * 256 byte-fallback tokens, then every character of `texts`, then one token per word (merge
 * chains built left to right; chains that start with a space rank first, so " Ann" is never
 * split as " " + "An" + "n"). Digits stay single-character tokens. Same texts, same files.
 * Returns the vocabulary size.
 */
export function writePlantedTokenizer(dir: string, texts: readonly string[]): number {
  const vocab: Record<string, number> = {};
  SPECIALS.forEach((s, i) => (vocab[s] = i));
  for (let b = 0; b < 256; b++)
    vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  const add = (t: string) => (vocab[t] ??= Object.keys(vocab).length);
  const words = new Set<string>();
  const chars = new Set<string>();
  for (const t of texts) {
    for (const s of segments(t)) {
      words.add(s);
      for (const c of s) chars.add(c);
    }
  }
  [...chars].sort().forEach(add);
  const merges: [string, string][] = [];
  const seen = new Set<string>();
  const sorted = [...words].filter((w) => w.length > 1 && !/\d/u.test(w)).sort();
  const ordered = [
    ...sorted.filter((w) => w.startsWith(' ')),
    ...sorted.filter((w) => !w.startsWith(' ')),
  ];
  for (const w of ordered) {
    const cs = [...w];
    let prefix = cs[0]!;
    for (const c of cs.slice(1)) {
      const merged = prefix + c;
      if (!seen.has(merged)) {
        seen.add(merged);
        merges.push([prefix, c]);
        add(merged);
      }
      prefix = merged;
    }
  }
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [],
      special_tokens: { '<s>': { id: '<s>', ids: [PLANTED_BOS_ID], tokens: ['<s>'] } },
    },
    decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges,
    },
  };
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' }),
  );
  return Object.keys(vocab).length;
}
