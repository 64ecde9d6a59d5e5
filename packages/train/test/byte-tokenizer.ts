// A tokenizer for the tiny golden checkpoints (vocab 512, bos 1, eos 2), which ship none:
// SentencePiece-shaped with no merges, so every byte is its byte-fallback token 3 + byte.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const SPECIALS = ['<unk>', '<s>', '</s>'];

/** Writes tokenizer.json + tokenizer_config.json (ids 0..259: <unk> <s> </s>, 256 bytes, ▁). */
export function writeByteTokenizer(dir: string): void {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++)
    vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  vocab['▁'] = 259;
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
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
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
      merges: [],
    },
  };
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' }),
  );
}
