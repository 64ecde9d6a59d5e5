import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGsm8k } from '@exp/data';
import { getExtractor, listExtractors } from '../../src/extract/registry.js';

// The shared GSM8K copy beside the repository (EXP_SHARED_DIR overrides), as @exp/data's tests.
const SHARED_DIR =
  process.env.EXP_SHARED_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared');
const GSM8K_DIR = path.join(SHARED_DIR, 'data/gsm8k');
const have = existsSync(path.join(GSM8K_DIR, 'test.jsonl'));

(have ? describe : describe.skip)('every extractor on the GSM8K test solutions themselves', () => {
  const problems = loadGsm8k('test', { dir: GSM8K_DIR });

  const misread = (name: string) => {
    const ex = getExtractor(name);
    return problems.filter((p) => !ex.isCorrect(ex.extract(p.answer), p.answer)).map((p) => p.id);
  };

  test.each(listExtractors().filter((n) => n !== 'seed'))(
    '%s reads every gold solution',
    (name) => {
      expect(problems).toHaveLength(1319);
      expect(misread(name)).toEqual([]);
    },
  );

  test('seed misreads 555 of them: its early patterns ("So ... N", "= N") beat "#### N"', () => {
    const ids = misread('seed');
    expect(ids).toHaveLength(555);
    // gsm8k-test-1: "So the total amount of fabric is 2+1=<<2+1=3>>3 bolts ... #### 3" reads 2.
    expect(ids[0]).toBe('gsm8k-test-1');
  });
});
