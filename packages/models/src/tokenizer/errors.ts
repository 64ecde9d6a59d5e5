import { ExpError } from '@exp/data';
/** A tokenizer folder or call that cannot be used; the message names the file and field. */
export class TokenizerError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

/** A token id the model has no embedding row for (id >= config.json vocab_size). */
export class TokenIdOutOfRangeError extends TokenizerError {
  constructor(
    message: string,
    readonly id: number,
    readonly position: number,
    readonly modelVocabSize: number,
  ) {
    super(message);
    this.name = 'TokenIdOutOfRangeError';
  }
}
