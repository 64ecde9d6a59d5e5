// SFT formatting of real GSM8K train items with the bundled Llama-3 tokenizer (which adds no
// BOS: its template is empty, so the ids start with "Question").
import { loadGsm8kFile, type Problem } from '@exp/data';
import { bundledLlama3TokenizerDir, loadTokenizer, type HfTokenizer } from '@exp/models';
import { fileURLToPath } from 'node:url';
import { SFT_FORMATS, encodeSftDataset, selectSftProblems, sftEosId } from '../src/index.js';
import { encodeSftExample, sftPadId } from '../src/data/format.js';

const SHARED =
  process.env.EXP_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url));
const TRAIN = `${SHARED}/data/gsm8k/train.jsonl`;

// gsm8k-train-0 (read from ../shared) + EOS (128001).
const IDS_0 = [
  14924, 25, 42701, 689, 6216, 27203, 311, 220, 2166, 315, 1077, 4885, 304, 5936, 11, 323, 1243,
  1364, 6216, 4376, 439, 1690, 27203, 304, 3297, 13, 2650, 1690, 27203, 1550, 42701, 689, 4662,
  31155, 304, 5936, 323, 3297, 1980, 16533, 25, 42701, 689, 6216, 220, 2166, 14, 17, 284, 1134,
  2166, 14, 17, 28, 1187, 2511, 1187, 27203, 304, 3297, 627, 45, 4306, 689, 6216, 220, 2166, 10,
  1187, 284, 1134, 2166, 10, 1187, 28, 5332, 2511, 5332, 27203, 31155, 304, 5936, 323, 3297, 627,
  827, 220, 5332, 128001,
];

let tok: HfTokenizer;
let train: Problem[];
beforeAll(async () => {
  tok = await loadTokenizer(bundledLlama3TokenizerDir());
  train = loadGsm8kFile(TRAIN, 'gsm8k-train');
});

describe('encodeSftExample', () => {
  test('sft format, completion loss: exact ids, -100 up to " Natal" (token 41), EOS last', () => {
    const e = encodeSftExample(tok, train[0]!);
    expect(sftEosId(tok)).toBe(128001);
    expect(e.id).toBe('gsm8k-train-0');
    expect(e.inputIds).toEqual(IDS_0);
    expect(e.completionStart).toBe(41);
    // 16533 25 = "Answer" ":" end the prompt; 42701 = " Natal" (the separator space included).
    expect(e.inputIds.slice(38, 42)).toEqual([1980, 16533, 25, 42701]);
    expect(e.labels).toEqual([...Array<number>(41).fill(-100), ...IDS_0.slice(41)]);
    expect(e.labels.at(-1)).toBe(128001);
    expect(e.truncated).toBe(false);
  });

  test("lossOn 'all' labels every token (the original's choice)", () => {
    const e = encodeSftExample(tok, train[0]!, { lossOn: 'all' });
    expect(e.inputIds).toEqual(IDS_0);
    expect(e.labels).toEqual(IDS_0);
    expect(e.completionStart).toBe(41);
  });

  test('qa format: the eval prompt "Question: {q}\\nAnswer:", same completion tokens', () => {
    const sft = encodeSftExample(tok, train[0]!);
    const qa = encodeSftExample(tok, train[0]!, { format: 'qa' });
    expect(SFT_FORMATS.qa.prompt(train[0]!)).toBe(`Question: ${train[0]!.question}\nAnswer:`);
    expect(qa.completionStart).toBe(41);
    expect(qa.inputIds[38]).not.toBe(1980); // "?\n" instead of "?\n\n"
    expect(qa.inputIds.slice(41)).toEqual(sft.inputIds.slice(41));
  });

  test('maxLength keeps the first tokens and counts truncated items', () => {
    const e = encodeSftExample(tok, train[0]!, { maxLength: 50 });
    expect(e.inputIds).toEqual(IDS_0.slice(0, 50));
    expect(e.labels).toEqual([...Array<number>(41).fill(-100), ...IDS_0.slice(41, 50)]);
    expect(e.truncated).toBe(true);
    const full = encodeSftDataset(tok, train.slice(0, 500));
    expect(full.truncated).toBe(0);
    expect(Math.max(...full.examples.map((x) => x.inputIds.length))).toBe(444);
    const cut = encodeSftDataset(tok, train.slice(0, 500), { maxLength: 200 });
    expect(cut.truncated).toBe(128);
    for (const x of cut.examples.filter((c) => c.truncated)) {
      expect([x.inputIds.length, x.labels.length]).toEqual([200, 200]);
      expect(x.inputIds.at(-1)).not.toBe(128001); // the EOS was cut off
    }
  });

  test('first ten items: lengths and completion starts', () => {
    const { examples } = encodeSftDataset(tok, train.slice(0, 10));
    expect(examples.map((e) => [e.inputIds.length, e.completionStart])).toEqual([
      [89, 41],
      [88, 33],
      [142, 61],
      [158, 54],
      [96, 30],
      [199, 67],
      [133, 60],
      [222, 110],
      [207, 105],
      [365, 68],
    ]);
    for (const e of examples) {
      expect(e.inputIds.at(-1)).toBe(128001);
      expect(e.labels.slice(0, e.completionStart).every((l) => l === -100)).toBe(true);
      expect(e.labels.slice(e.completionStart)).toEqual(e.inputIds.slice(e.completionStart));
    }
  });

  test('clear errors', () => {
    expect(() => encodeSftExample(tok, train[0]!, { format: 'chat' as 'sft' })).toThrow(
      "unknown SFT format 'chat' (known: sft, qa)",
    );
    expect(() => encodeSftExample(tok, train[0]!, { maxLength: 0 })).toThrow(
      'maxLength: expected a positive integer, got 0',
    );
    expect(sftPadId(tok)).toBe(128001); // no pad token: eos
  });
});

describe('selectSftProblems', () => {
  test('first n (the original), or a seeded sample in file order', () => {
    expect(selectSftProblems(train, { n: 3 }).map((p) => p.id)).toEqual([
      'gsm8k-train-0',
      'gsm8k-train-1',
      'gsm8k-train-2',
    ]);
    expect(selectSftProblems(train, { n: 5, seed: 42 }).map((p) => p.id)).toEqual([
      'gsm8k-train-2092',
      'gsm8k-train-4939',
      'gsm8k-train-5472',
      'gsm8k-train-6589',
      'gsm8k-train-7091',
    ]);
    expect(selectSftProblems(train)).toHaveLength(7473);
  });

  test('duplicate ids are refused', () => {
    expect(() => selectSftProblems([train[0]!, train[0]!])).toThrow(
      "selectSftProblems: duplicate problem id 'gsm8k-train-0'",
    );
  });
});
