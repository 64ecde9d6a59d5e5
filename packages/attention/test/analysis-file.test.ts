// attention_analysis.json: a written analysis reads back equal, byte-stable, and bad files are
// refused in one line.
import { readFileSync, rmSync, writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HfTokenizer } from '@exp/models';
import { readAttentionAnalysis, writeAttentionAnalysis } from '../src/analysis-file.js';
import { compareAttentionPatterns } from '../src/compare.js';
import { AttentionAnalysisSchema } from '../src/index.js';
import type { AttentionAnalysis } from '../src/types.js';
import { fakeLM } from './fake-lm.js';
import { cleanItem, llama3, noisy, noisyItem, problems } from './gsm8k-items.js';

let tmp: string;
let analysis: AttentionAnalysis;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'exp-attn-file-'));
  const tok: HfTokenizer = await llama3();
  analysis = await compareAttentionPatterns({
    models: [
      { name: 'llama', lm: fakeLM('l', 2, 4).lm, tokenizer: tok },
      { name: 'diffllama', lm: fakeLM('d', 2, 4, [0.3, 0.6]).lm, tokenizer: tok },
    ],
    sets: [
      {
        name: 'inf',
        clean: problems(3).map(cleanItem),
        noisy: noisy(3).map((r) => noisyItem(r, true)),
      },
    ],
    bootstrap: 100,
  });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('reads back what it wrote, at full precision, and leaves no temp file', () => {
  const file = path.join(tmp, 'attention_analysis.json');
  writeAttentionAnalysis(file, analysis);
  expect(readAttentionAnalysis(file)).toEqual(analysis);
  expect(readdirSync(tmp)).toEqual(['attention_analysis.json']);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(`"kmi_mean": ${analysis.inf!.llama!.clean.kmi_mean}`);
  // the file parses with the exported schema (AttentionAnalysis is inferred from it)
  expect(AttentionAnalysisSchema.parse(JSON.parse(text))).toEqual(analysis);
});

it('the same analysis gives the same bytes, whatever order its keys were built in', () => {
  const a = path.join(tmp, 'a.json');
  const b = path.join(tmp, 'b.json');
  writeAttentionAnalysis(a, analysis);
  const m = analysis.inf!.llama!;
  const reordered = {
    inf: {
      llama: {
        settings: m.settings,
        metrics: m.metrics,
        noisy: m.noisy,
        clean: m.clean,
        per_head: m.per_head,
        per_layer: m.per_layer,
      },
      diffllama: analysis.inf!.diffllama!,
    },
  };
  writeAttentionAnalysis(b, reordered);
  expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
  expect(Object.keys(JSON.parse(readFileSync(a, 'utf8')).inf.llama)).toEqual([
    'clean',
    'noisy',
    'per_layer',
    'per_head',
    'metrics',
    'settings',
  ]);
});

it('refuses a file that is not an analysis, naming the field', () => {
  const file = path.join(tmp, 'bad.json');
  const m = analysis.inf!.llama!;
  writeFileSync(
    file,
    JSON.stringify({ inf: { llama: { ...m, clean: { ...m.clean, kmi_mean: 'x' } } } }),
  );
  expect(() => readAttentionAnalysis(file)).toThrow(
    `${file}: inf.llama.clean.kmi_mean: Invalid input: expected number, received string`,
  );
  writeFileSync(file, '{');
  expect(() => readAttentionAnalysis(file)).toThrow(`${file}: not JSON`);
  expect(() => readAttentionAnalysis(path.join(tmp, 'none.json'))).toThrow(
    'none.json: file not found',
  );
});

it('refuses to write an analysis with a non-finite number', () => {
  const m = analysis.inf!.llama!;
  const bad = { inf: { llama: { ...m, noisy: { ...m.noisy, ni_mean: Number.NaN } } } };
  const file = path.join(tmp, 'nan.json');
  expect(() => writeAttentionAnalysis(file, bad)).toThrow(
    `${file} (not written): inf.llama.noisy.ni_mean:`,
  );
  expect(readdirSync(tmp)).not.toContain('nan.json');
});
