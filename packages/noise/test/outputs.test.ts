import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  generateNoisyDatasets,
  manifestFileName,
  noiseCellName,
  NoisyProblemSchema,
  parseNoiseCell,
  stripNoise,
  sweepNoisyDatasets,
} from '../src/index.js';
import { GSM8K_TEST, tmpDir } from './shared.js';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => NoisyProblemSchema.parse(JSON.parse(l)));
const write = (dir: string, name: string, text: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('outputs are named after their input', () => {
  const dir = tmpDir('inputs');
  const mini = write(
    dir,
    'mini.jsonl',
    '{"question":"Tom has 3 apples. He buys 2 more. How many?","answer":"3+2=<<3+2=5>>5\\n#### 5"}\n',
  );
  const mine = write(
    dir,
    'my-set.jsonl',
    '{"id":"q-17","question":"Ann has 4 pens. She loses 1. How many?","answer":"#### 3","final":"3"}\n',
  );

  it('another set: <name>_<type>.jsonl, ids kept (or derived from the name)', async () => {
    const out = tmpDir('named');
    const a = await generateNoisyDatasets({ input: mine, out, types: 'inf' });
    expect(a.name).toBe('my-set');
    expect(a.files.map((f) => path.basename(f.path))).toEqual(['my-set_inf.jsonl']);
    expect(lines(a.files[0]!.path).map((r) => r.id)).toEqual(['q-17']);
    const b = await generateNoisyDatasets({ input: mini, out, types: 'sd', name: 'tiny' });
    expect(b.files.map((f) => path.basename(f.path))).toEqual(['tiny_sd.jsonl']);
    expect(lines(b.files[0]!.path).map((r) => r.id)).toEqual(['tiny-0']);
    expect(readdirSync(out).sort()).toEqual([
      'my-set_inf.jsonl',
      'my-set_inf.manifest.json',
      'tiny_sd.jsonl',
      'tiny_sd.manifest.json',
    ]);
    const m = JSON.parse(readFileSync(manifestFileName(a.files[0]!.path), 'utf8'));
    expect(m).toMatchObject({ dataset: 'inf', input_name: 'my-set', input: mine });
  });

  it('the GSM8K test split keeps the canonical names wherever its file lies', async () => {
    const copy = path.join(tmpDir('copy'), 'whatever.jsonl');
    copyFileSync(GSM8K_TEST, copy);
    const out = tmpDir('canonical');
    const r = await generateNoisyDatasets({ input: copy, out, types: 'rcs' });
    expect(r.name).toBe('gsm8k');
    expect(r.files.map((f) => path.basename(f.path))).toEqual(['gsm8k_rcs_test.jsonl']);
    expect(lines(r.files[0]!.path)[1319 - 1]!.id).toBe('gsm8k-test-1318');
  });

  it('a dose or position other than the default never overwrites the canonical files', async () => {
    const out = tmpDir('dose');
    const r = await generateNoisyDatasets({
      input: GSM8K_TEST,
      out,
      types: 'inf,mix',
      sentences: 2,
      position: 'late',
      typesMix: 'inf,sd',
    });
    expect(r.files.map((f) => [f.dataset, path.basename(f.path)])).toEqual([
      ['inf-k2-late', 'gsm8k_inf-k2-late_test.jsonl'],
      ['mix.inf.sd-k2-late', 'gsm8k_mix.inf.sd-k2-late_test.jsonl'],
    ]);
    const m = JSON.parse(readFileSync(manifestFileName(r.files[1]!.path), 'utf8'));
    expect(m).toMatchObject({
      dataset: 'mix.inf.sd-k2-late',
      noise_type: 'mix',
      types_mix: ['inf', 'sd'],
      placement: { sentences: 2, position: 'late', slots: 'shared' },
    });
  });

  it.each([
    ['empty', ''],
    ['blank-only', '\n  \n\t\n'],
    ['BOM-only', '\uFEFF'],
    ['BOM and newline', '\uFEFF\n'],
  ])('an %s input fails in one line naming the file, writing nothing', async (_what, text) => {
    const file = write(tmpDir('empty'), 'empty.jsonl', text);
    const out = tmpDir('empty-out');
    await expect(generateNoisyDatasets({ input: file, out })).rejects.toThrow(
      new Error(`${file}: no records (expected one JSON object per line)`),
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it('names the problem whose question is only whitespace', async () => {
    const file = write(tmpDir('blank-q'), 'blank.jsonl', '{"question":"  ","answer":"#### 1"}\n');
    await expect(
      generateNoisyDatasets({ input: file, out: tmpDir('blank-q-out') }),
    ).rejects.toThrow(new Error(`${file}:1: question: expected some text, got only whitespace`));
  });

  it('names the line and field of a bad record', async () => {
    const file = write(
      tmpDir('bad'),
      'bad.jsonl',
      '{"question":"Q?","answer":"#### 1"}\n{"question":"Q?"}\n',
    );
    await expect(generateNoisyDatasets({ input: file, out: tmpDir('bad-out') })).rejects.toThrow(
      `${file}:2: answer: `,
    );
  });
});

describe('sweep', () => {
  it('writes one set per type x dose x position, named for exp run --datasets', async () => {
    const out = tmpDir('sweep');
    // 200 GSM8K test problems: the cells' placement and spans are checked on each (the full set's
    // 1,319 are generate's tests above; 16 sets of them made this test the slowest of the package)
    const input = path.join(tmpDir('sweep-input'), 'test.jsonl');
    writeFileSync(
      input,
      readFileSync(GSM8K_TEST, 'utf8').split('\n').slice(0, 200).join('\n') + '\n',
    );
    const opts = {
      input,
      out,
      types: 'inf,sd',
      sentences: '1,2',
      positions: 'early,late',
    };
    const r = await sweepNoisyDatasets(opts);
    const names = r.files.map((f) => f.dataset);
    expect(names).toEqual([
      'inf-k1-early',
      'inf-k1-late',
      'inf-k2-early',
      'inf-k2-late',
      'sd-k1-early',
      'sd-k1-late',
      'sd-k2-early',
      'sd-k2-late',
    ]);
    for (const f of r.files) {
      const cell = parseNoiseCell(f.dataset)!;
      const records = lines(f.path);
      expect(records).toHaveLength(200);
      expect(records.every((x) => x.noise.length === cell.sentences)).toBe(true);
      expect(records.every((x) => x.position === cell.position)).toBe(true);
      const inexact = records.filter(
        (x) =>
          x.noise.some((n) => x.question.slice(n.start, n.end) !== n.text) ||
          stripNoise(x.question, x.noise) !== x.original_question,
      );
      expect(inexact).toEqual([]);
      const m = JSON.parse(readFileSync(manifestFileName(f.path), 'utf8'));
      expect(m.placement).toEqual({
        sentences: cell.sentences,
        position: cell.position,
        slots: 'shared',
      });
    }
    const again = await sweepNoisyDatasets({ ...opts, out: tmpDir('sweep-again') });
    expect(again.files.map((f) => f.sha256)).toEqual(r.files.map((f) => f.sha256));
  });

  it('cell names round-trip', () => {
    for (const name of ['inf', 'sd-k2-late', 'mix', 'mix.inf.sd-k4-early', 'rcs-k1-random-indep']) {
      expect(noiseCellName(parseNoiseCell(name)!)).toBe(name);
    }
    expect(noiseCellName(parseNoiseCell('inf')!, { explicit: true })).toBe('inf-k1-random');
    expect(parseNoiseCell('mix.inf.sd')).toMatchObject({ type: 'mix', typesMix: ['inf', 'sd'] });
    expect(parseNoiseCell('inf.sd')).toBeNull();
    expect(parseNoiseCell('inf-k0-late')).toMatchObject({ type: 'inf-k0-late' });
    expect(parseNoiseCell('Bad name')).toBeNull();
  });
});
