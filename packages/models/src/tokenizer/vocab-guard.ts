import { TokenIdOutOfRangeError } from './errors.js';

/**
 * Throws when an id has no embedding row in the model (id >= config.json vocab_size). The
 * real 375M checkpoints declare an added token (<|eom_id|> = 128256) one past their
 * vocab_size 128256: the tokenizer encodes it, the model cannot take it.
 */
export function assertIdsInModelVocab(
  ids: ArrayLike<number>,
  modelVocabSize: number,
  idToToken: (id: number) => string | undefined = () => undefined,
): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= modelVocabSize) {
      const token = idToToken(id);
      throw new TokenIdOutOfRangeError(
        `token id ${id}${token === undefined ? '' : ` (${JSON.stringify(token)})`} at position ${i} ` +
          `is outside the model's vocabulary (config.json vocab_size ${modelVocabSize}); ` +
          `the model has no embedding for it, remove that token from the input`,
        id,
        i,
        modelVocabSize,
      );
    }
  }
}
