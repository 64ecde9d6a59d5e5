/** Special tokens that end a turn in the tokenizers of the models we evaluate. */
export const END_TOKENS: readonly string[] = [
  '</s>',
  '<|im_end|>',
  '<|eot_id|>',
  '<|end_of_text|>',
  '<|endoftext|>',
];

// A line of its own starting with "Q:" is the model inventing the next question.
const Q_LINE = /(?:^|\n)[ \t]*Q:/u;

/**
 * The completion up to where the model stopped answering: before the first `Question:`, the
 * first line starting with `Q:`, or an end token, whichever comes first. Small base models
 * ramble on into new questions with their own answers, whose numbers must not be read.
 */
export function cutCompletion(text: string): string {
  let end = text.length;
  for (const stop of ['Question:', ...END_TOKENS]) {
    const at = text.indexOf(stop);
    if (at >= 0 && at < end) end = at;
  }
  const q = Q_LINE.exec(text);
  if (q && q.index < end) end = q.index;
  return text.slice(0, end);
}
