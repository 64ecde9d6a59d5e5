import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataError } from '../src/errors.js';
import { loadGsm8kFile } from '../src/gsm8k.js';
import {
  BENCHMARK_PRESETS,
  importBenchmark,
  importPreset,
  loadDataset,
  writeDataset,
} from '../src/import.js';
import { SHARED_DIR } from './shared.js';

const GSMPLUS = path.join(SHARED_DIR, 'data/gsm-plus/gsmplus_testmini.jsonl');
const GSM8K_TEST = path.join(SHARED_DIR, 'data/gsm8k/test.jsonl');
const tmp = () => mkdtempSync(path.join(tmpdir(), 'import-'));

describe('importPreset gsmplus-distraction', () => {
  const problems = importPreset('gsmplus-distraction', GSMPLUS);

  test('selects exactly the 300 distraction-insertion problems, in file order', () => {
    expect(problems).toHaveLength(300);
    expect(problems[0]).toEqual({
      id: 'gsmplus-distraction-0',
      question: expect.stringMatching(
        /^At a cocktail party, three of the women are wearing 4 inch heels/,
      ),
      answer: expect.stringMatching(/\n#### 3$/),
      final: '3',
      // GSM-Plus's seed question is GSM8K test problem 1109, word for word.
      original_question: loadGsm8kFile(GSM8K_TEST, 'gsm8k-test')[1109]!.question,
    });
    expect(Object.keys(problems[0])).toEqual([
      'id',
      'question',
      'answer',
      'final',
      'original_question',
    ]);
    expect(problems[299].id).toBe('gsmplus-distraction-299');
    expect(problems[299].final).toBe('8');
    expect(new Set(problems.map((p) => p.id)).size).toBe(300);
  });

  test('every gold answer agrees with the "####" line of its solution', () => {
    for (const p of problems) expect(p.final).toBe(p.answer.split('####').at(-1)!.trim());
  });

  test('writes our Problem JSONL and reads it back', () => {
    const dir = tmp();
    const file = writeDataset('gsmplus-distraction', problems, dir);
    expect(file).toBe(path.join(dir, 'gsmplus-distraction.jsonl'));
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(301);
    expect(loadDataset('gsmplus-distraction', dir)).toEqual(
      problems.map(({ original_question: _o, ...p }) => p),
    );
  });

  test('presets are data: the registry holds the mapping', () => {
    expect(BENCHMARK_PRESETS['gsmplus-distraction']).toMatchObject({
      fields: {
        question: 'question',
        answer: 'solution',
        final: 'answer',
        original: 'seed_question',
      },
      filter: { field: 'perturbation_type', equals: 'distraction insertion' },
      noiseType: 'DISTRACTION',
    });
    expect(() => importPreset('toString', GSMPLUS)).toThrow(
      'unknown benchmark preset "toString"; expected one of: gsmplus-distraction',
    );
  });
});

describe('importBenchmark', () => {
  test('"4.33"-style string answers are normalised; a non-number names line and field', () => {
    const subst = importBenchmark({
      file: GSMPLUS,
      name: 'gsmplus-subst',
      fields: { question: 'question', final: 'answer' },
      filter: { field: 'perturbation_type', equals: 'numerical substitution' },
    });
    expect(subst).toHaveLength(300);
    expect(subst[0]).toMatchObject({ id: 'gsmplus-subst-0', final: '4.33', answer: '' });
    expect(() =>
      importBenchmark({
        file: GSMPLUS,
        name: 'all',
        fields: { question: 'question', final: 'answer' },
      }),
    ).toThrow(new DataError(`${GSMPLUS}:8: answer: expected a number, got "None"`));
  });

  test('JSON arrays, dotted paths, numeric finals and ids, "####" parsing', () => {
    const dir = tmp();
    const file = path.join(dir, 'bench.json');
    writeFileSync(
      file,
      JSON.stringify({
        data: [
          { meta: { uid: 7, split: 'a' }, body: { q: 'Q one?' }, sol: 'x\n#### 1,250' },
          { meta: { uid: 8, split: 'b' }, body: { q: 'Q two?' }, sol: '#### 2' },
          { meta: { uid: 9, split: 'a' }, body: { q: 'Q three?' }, sol: 'so #### -0.50' },
        ],
      }),
    );
    const got = importBenchmark({
      file,
      name: 'toy',
      records: 'data',
      fields: { question: 'body.q', answer: 'sol', id: 'meta.uid' },
      filter: { field: 'meta.split', equals: 'a' },
    });
    expect(got).toEqual([
      { id: '7', question: 'Q one?', answer: 'x\n#### 1,250', final: '1250' },
      { id: '9', question: 'Q three?', answer: 'so #### -0.50', final: '-0.5' },
    ]);
    const nums = path.join(dir, 'nums.json');
    writeFileSync(
      nums,
      JSON.stringify([
        { q: 'a?', n: 12.5 },
        { q: 'b?', n: 3 },
      ]),
    );
    expect(
      importBenchmark({ file: nums, name: 'nums', fields: { question: 'q', final: 'n' } }).map(
        (p) => [p.id, p.final],
      ),
    ).toEqual([
      ['nums-0', '12.5'],
      ['nums-1', '3'],
    ]);
  });

  test('errors name file, line or index, and field', () => {
    const dir = tmp();
    const jsonl = path.join(dir, 'b.jsonl');
    writeFileSync(jsonl, '{"q":"a?","s":"#### 1"}\n\n{"q":2,"s":"#### 1"}\n');
    expect(() =>
      importBenchmark({ file: jsonl, name: 'b', fields: { question: 'q', answer: 's' } }),
    ).toThrow(new DataError(`${jsonl}:3: q: expected a string, got 2`));
    writeFileSync(jsonl, '{"q":"a?","s":"#### 1"}\n{"q":"b?","s":"no marker"}\n');
    expect(() =>
      importBenchmark({ file: jsonl, name: 'b', fields: { question: 'q', answer: 's' } }),
    ).toThrow(`${jsonl}:2: s: expected a worked solution ending in "#### <number>"`);
    writeFileSync(jsonl, '{"q":"a?"\n');
    expect(() =>
      importBenchmark({ file: jsonl, name: 'b', fields: { question: 'q', final: 's' } }),
    ).toThrow(`${jsonl}:1: invalid JSON`);
    writeFileSync(jsonl, Buffer.from('{"q":"a?","s":"#### 1"}\n\u0000\u0001\u00ff'));
    expect(() =>
      importBenchmark({ file: jsonl, name: 'b', fields: { question: 'q', final: 's' } }),
    ).toThrow(new DataError(`${jsonl}:2: binary data (a NUL byte), expected UTF-8 text`));
    writeFileSync(jsonl, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d, 0x0a]));
    expect(() =>
      importBenchmark({ file: jsonl, name: 'b', fields: { question: 'q', final: 's' } }),
    ).toThrow(new DataError(`${jsonl}:1: not UTF-8 text (an invalid byte sequence)`));
    expect(() =>
      importBenchmark({
        file: dir,
        name: 'b',
        format: 'jsonl',
        fields: { question: 'q', final: 's' },
      }),
    ).toThrow(new DataError(`${dir}: a folder, expected a file`));

    const json = path.join(dir, 'b.json');
    writeFileSync(
      json,
      JSON.stringify([
        { q: 'a?', f: '1' },
        { q: 'b?', x: { f: 1 } },
      ]),
    );
    expect(() =>
      importBenchmark({ file: json, name: 'b', fields: { question: 'q', final: 'x.f' } }),
    ).toThrow(`${json}[0]: x.f: expected a string or number, got nothing`);
    writeFileSync(
      json,
      JSON.stringify([
        { q: 'a?', f: '1', id: 'k' },
        { q: 'b?', f: 2, id: 'k' },
      ]),
    );
    expect(() =>
      importBenchmark({ file: json, name: 'b', fields: { question: 'q', final: 'f', id: 'id' } }),
    ).toThrow(`${json}[1]: id: duplicate id "k" (first at ${json}[0])`);
    writeFileSync(json, '{"rows": 3}');
    expect(() =>
      importBenchmark({ file: json, name: 'b', fields: { question: 'q', final: 'f' } }),
    ).toThrow(`${json}: (top level): expected an array of records, got {"rows":3}`);
  });

  test('`original` maps the clean question; a missing or empty one names line and field', () => {
    const dir = tmp();
    const jsonl = path.join(dir, 'o.jsonl');
    writeFileSync(
      jsonl,
      '{"q":"A b. Noise. C?","a":"1","c":{"q":"A b. C?"}}\n{"q":"D?","a":2,"c":{"q":"D?"}}\n',
    );
    const fields = { question: 'q', final: 'a', original: 'c.q' };
    expect(importBenchmark({ file: jsonl, name: 'o', fields })).toEqual([
      {
        id: 'o-0',
        question: 'A b. Noise. C?',
        answer: '',
        final: '1',
        original_question: 'A b. C?',
      },
      { id: 'o-1', question: 'D?', answer: '', final: '2', original_question: 'D?' },
    ]);
    writeFileSync(jsonl, '{"q":"A?","a":"1","c":{"q":"A?"}}\n\n{"q":"B?","a":"2","c":{}}\n');
    expect(() => importBenchmark({ file: jsonl, name: 'o', fields })).toThrow(
      new DataError(`${jsonl}:3: c.q: expected a string, got nothing`),
    );
    writeFileSync(jsonl, '{"q":"A?","a":"1","c":{"q":7}}\n');
    expect(() => importBenchmark({ file: jsonl, name: 'o', fields })).toThrow(
      new DataError(`${jsonl}:1: c.q: expected a string, got 7`),
    );
    writeFileSync(jsonl, '{"q":"A?","a":"1","c":{"q":" "}}\n');
    expect(() => importBenchmark({ file: jsonl, name: 'o', fields })).toThrow(
      new DataError(`${jsonl}:1: c.q: empty original question`),
    );
    const json = path.join(dir, 'o.json');
    writeFileSync(
      json,
      JSON.stringify([
        { q: 'A?', a: 1, clean: 'A?' },
        { q: 'B?', a: 2 },
      ]),
    );
    expect(() =>
      importBenchmark({
        file: json,
        name: 'o',
        fields: { question: 'q', final: 'a', original: 'clean' },
      }),
    ).toThrow(new DataError(`${json}[1]: clean: expected a string, got nothing`));
    expect(() =>
      importBenchmark({ file: json, name: 'o', fields: { ...fields, original: 'a..b' } }),
    ).toThrow('import spec for o: fields.original: expected a dotted field path');
  });

  test('an empty, blank-only or BOM-only file fails in one line naming it', () => {
    const dir = tmp();
    for (const [name, content] of [
      ['empty.jsonl', ''],
      ['blank.jsonl', '\n  \n\t\r\n'],
      ['bom.jsonl', '\uFEFF'],
      ['bom-blank.jsonl', '\uFEFF\n\n'],
      ['empty.json', ''],
      ['bom.json', '\uFEFF  \n'],
    ]) {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      expect(() =>
        importBenchmark({ file, name: 'e', fields: { question: 'q', final: 'a' } }),
      ).toThrow(new DataError(`${file}: empty file (no records)`));
    }
    // A byte order mark before real JSON is not part of the data.
    const json = path.join(dir, 'bom-data.json');
    writeFileSync(json, '\uFEFF[{"q":"A?","a":"4"}]');
    expect(
      importBenchmark({ file: json, name: 'e', fields: { question: 'q', final: 'a' } }),
    ).toEqual([{ id: 'e-0', question: 'A?', answer: '', final: '4' }]);
  });

  test('bad specs are refused before reading', () => {
    expect(() =>
      importBenchmark({ file: GSMPLUS, name: 'x', fields: { question: 'question' } }),
    ).toThrow('import spec for x: fields: expected `final` or `answer`');
    expect(() =>
      importBenchmark({ file: GSMPLUS, name: '../x', fields: { question: 'q', final: 'a' } }),
    ).toThrow('dataset name "../x": expected a name of letters, digits');
    expect(() =>
      importBenchmark({
        file: GSMPLUS,
        name: 'x',
        fields: { question: 'question', final: 'answer' },
        filter: { field: 'perturbation_type', equals: 'distraction' },
      }),
    ).toThrow(`${GSMPLUS}: no record has perturbation_type == "distraction" (of 2400)`);
    expect(() =>
      importBenchmark({ file: '/tmp/x.csv', name: 'x', fields: { question: 'q', final: 'a' } }),
    ).toThrow('/tmp/x.csv: cannot tell the format from ".csv"; give format json or jsonl');
  });
});
