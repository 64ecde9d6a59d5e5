// The one generation_config.json schema: generate()'s defaults read all of it, the tokenizer
// only its special-token ids.
import { GenerationConfigSchema, GenerationConfigTokensSchema } from '../src/index.js';

test('the tokenizer part checks the ids alone, in the file order bos, eos, pad', () => {
  const file = { temperature: 0, eos_token_id: [1, -3], pad_token_id: [2], bos_token_id: -1 };
  expect(GenerationConfigSchema.safeParse(file).error?.issues[0]?.path).toEqual(['temperature']);
  const tokens = GenerationConfigTokensSchema.safeParse(file).error!.issues;
  expect(tokens.map((i) => i.path.join('.'))).toEqual([
    'bos_token_id',
    'eos_token_id.1',
    'pad_token_id',
  ]);
});

test('unknown fields pass through both', () => {
  const file = { transformers_version: '4.46.0', temperature: 0.6, eos_token_id: 7 };
  expect(GenerationConfigSchema.parse(file)).toEqual(file);
  expect(GenerationConfigTokensSchema.parse(file)).toEqual(file);
});
