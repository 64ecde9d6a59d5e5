import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProblemSchema, readJsonl } from '@exp/data';
import { NoisyProblemSchema } from '@exp/noise';
import { exp, SHARED_DIR } from './helpers.js';

const GSMPLUS = path.join(SHARED_DIR, 'data/gsm-plus/gsmplus_testmini.jsonl');

let root: string;
const env = { ...process.env };

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cli-import-noisy-'));
  process.env.EXP_DATA_DIR = path.join(root, 'data');
  process.env.EXP_RESULTS_DIR = path.join(root, 'results');
});
afterEach(() => {
  process.env = { ...env };
  rmSync(root, { recursive: true, force: true });
});

/** `exp data import <src> --name toy --question q --final a`, with more options. */
const importToy = (src: string, ...more: string[]) =>
  exp('data', 'import', src, '--name', 'toy', '--question', 'q', '--final', 'a', ...more);

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('exp data import of a noisy benchmark', () => {
  test('the gsmplus-distraction preset writes the records with their noise spans', async () => {
    const r = await exp('data', 'import', GSMPLUS, '--preset', 'gsmplus-distraction');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const file = path.join(root, 'data/gsmplus-distraction.jsonl');
    expect(r.out).toBe(
      `gsmplus-distraction ${file} 300 records (152 insertions with spans, 148 rewrites)`,
    );
    const records = readJsonl(file, NoisyProblemSchema);
    expect(records).toHaveLength(300);
    expect(records[36]).toEqual({
      id: 'gsmplus-distraction-36',
      question: expect.stringMatching(/^Mike's locker is 1\/5 as big as Zack's locker\. Zack's/),
      answer: expect.stringMatching(/\n#### 40$/),
      final: '40',
      original_question: expect.stringMatching(/^Zack's locker is half as big/),
      noise_type: 'DISTRACTION',
      noise: [{ text: "Mike's locker is 1/5 as big as Zack's locker.", start: 0, end: 45 }],
      noise_kind: 'insertion',
      seed: null,
    });
    for (const rec of records)
      for (const s of rec.noise) expect(rec.question.slice(s.start, s.end)).toBe(s.text);
    expect(records.reduce((n, rec) => n + rec.noise.length, 0)).toBe(222);
    // `exp run` reads the file as Problems: the extra keys are dropped.
    expect(readJsonl(file, ProblemSchema)[36]).toEqual({
      id: records[36].id,
      question: records[36].question,
      answer: records[36].answer,
      final: '40',
    });
    // --noise-type overrides the preset's label.
    const again = await exp(
      'data',
      'import',
      GSMPLUS,
      '--preset',
      'gsmplus-distraction',
      '--noise-type',
      'GSMPLUS',
    );
    expect(again.code).toBe(0);
    expect(new Set(lines(file).map((l) => l.noise_type))).toEqual(new Set(['GSMPLUS']));
  });

  test('a JSON array with --question/--final/--original, labelled EXTERNAL', async () => {
    const src = path.join(root, 'toy.json');
    writeFileSync(
      src,
      JSON.stringify([
        { q: 'Tom has 3 apples. It rains. How many?', a: 3, clean: 'Tom has 3 apples. How many?' },
        { q: 'Tim had 4 pears. How many?', a: '4', clean: 'Tim has 4 pears. How many?' },
      ]),
    );
    const r = await importToy(src, '--original', 'clean');
    expect(r.err).toBe('');
    const file = path.join(root, 'data/toy.jsonl');
    expect(r.out).toBe(`toy ${file} 2 records (1 insertions with spans, 1 rewrites)`);
    expect(readFileSync(file, 'utf8')).toBe(
      [
        '{"id":"toy-0","question":"Tom has 3 apples. It rains. How many?","answer":"","final":"3","original_question":"Tom has 3 apples. How many?","noise_type":"EXTERNAL","noise":[{"text":"It rains.","start":18,"end":27}],"noise_kind":"insertion","seed":null}',
        '{"id":"toy-1","question":"Tim had 4 pears. How many?","answer":"","final":"4","original_question":"Tim has 4 pears. How many?","noise_type":"EXTERNAL","noise":[],"noise_kind":"rewrite","seed":null}',
        '',
      ].join('\n'),
    );
  });

  test('a record without the original field fails in one line naming file:line and field', async () => {
    const src = path.join(root, 'toy.jsonl');
    writeFileSync(
      src,
      '{"q":"A b. C?","a":1,"clean":"A b. C?"}\n{"q":"D e. F?","a":2,"orig":"D e. F?"}\n',
    );
    const r = await importToy(src, '--original', 'clean');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: ${src}:2: clean: expected a string, got nothing`);
    expect(r.out).toBe('');
  });

  test('--noise-type without an original field is a usage error', async () => {
    const src = path.join(root, 'toy.jsonl');
    writeFileSync(src, '{"q":"A?","a":1}\n');
    const r = await importToy(src, '--noise-type', 'X');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --noise-type: only with --original (or a preset that has one)');
  });
});
