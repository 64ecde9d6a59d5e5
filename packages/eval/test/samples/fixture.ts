import type { SampleRecord } from '../../src/samples/record.js';

/** A valid sample record; `over` replaces fields (answers/correct_by stay consistent by default). */
export function sample(
  index: number,
  over: Partial<SampleRecord> & { seedOk?: boolean; strictOk?: boolean } = {},
): SampleRecord {
  const { seedOk = true, strictOk = true, ...rest } = over;
  const seedAnswer = seedOk ? '42' : '41';
  const strictAnswer = strictOk ? '42' : null;
  return {
    run: 'r1',
    model: 'llama',
    dataset: 'clean',
    id: `gsm8k-test-${index}`,
    index,
    prompt: `Question ${index}?`,
    completion: `The answer is ${seedAnswer}.`,
    gold: '42',
    answers: { seed: seedAnswer, strict: strictAnswer },
    correct_by: { seed: seedOk, strict: strictOk },
    predicted: seedAnswer,
    predicted_strict: strictAnswer,
    correct: seedOk,
    correct_strict: strictOk,
    stop_reason: 'eos',
    prompt_tokens: 12,
    new_tokens: 7,
    ms: 3.5,
    ...rest,
  };
}

/** The JSON Lines text of records, exactly as SampleLog writes them. */
export function lines(records: readonly SampleRecord[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}
