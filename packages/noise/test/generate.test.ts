import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadGsm8kFile, parseJsonl, type Problem } from '@exp/data';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  compileTopicPattern,
  generateNoisyDatasets,
  getNoise,
  manifestFileName,
  NoisyProblemSchema,
  noisyRecords,
  questionSentenceIndex,
  sdTopicOf,
  splitSentences,
  stripNoise,
  type NoiseGenerateResult,
  type NoisyProblem,
} from '../src/index.js';
import { sdSentencesOf } from '../src/banks/sd.js';
import { GSM8K_TEST, ORIGINAL_TEMPLATES, tmpDir } from './shared.js';

const TYPES = ['inf', 'rcs', 'sd'] as const;
const KEYS = [
  'id',
  'question',
  'answer',
  'final',
  'original_question',
  'noise_type',
  'noise',
  'noise_kind',
  'position',
  'sentences',
  'topic',
  'seed',
];
const problems = loadGsm8kFile(GSM8K_TEST, 'gsm8k-test');
const original = JSON.parse(readFileSync(ORIGINAL_TEMPLATES, 'utf8')) as {
  inf: string[];
  rcs: string[];
  sd: { topics: { pattern: string; sentences: string[] }[]; default: string };
};

function read(file: string): { text: string; records: NoisyProblem[] } {
  const text = readFileSync(file, 'utf8');
  return { text, records: parseJsonl(text, NoisyProblemSchema, file) };
}

/**
 * Invariants every noisy file must hold, for any bank. Violations are collected and compared
 * with [] once (an expect() per record would dominate the suite's run time).
 */
function checkInvariants(records: NoisyProblem[], type: string): void {
  expect(records).toHaveLength(1319);
  const bad: string[] = [];
  const check = (ok: boolean, id: string, what: string): void => {
    if (!ok) bad.push(`${id}: ${what}`);
  };
  let prepended = 0;
  records.forEach((r, i) => {
    const p: Problem = problems[i];
    check(Object.keys(r).join() === KEYS.join(), r.id, 'key order');
    check(r.id === p.id && r.answer === p.answer && r.final === p.final, r.id, 'problem fields');
    check(r.original_question === p.question, r.id, 'original_question');
    check(r.noise_type === type.toUpperCase() && r.seed === 42, r.id, 'noise_type/seed');
    check(r.noise_kind === 'insertion' && r.position === 'random', r.id, 'kind/position');
    check(r.noise.length === 1 && r.sentences === 1, r.id, 'one span');
    check(r.noise[0].type === type.toUpperCase(), r.id, 'span type');
    check((r.topic !== null) === (type === 'sd'), r.id, 'topic only for SD');
    const [span] = r.noise;
    check(r.question.slice(span.start, span.end) === span.text, r.id, 'span text');
    // Removing the span and the whitespace that joined it gives back the original exactly.
    check(stripNoise(r.question, r.noise) === p.question, r.id, 'strip gives the original');
    check(!r.question.includes('..'), r.id, "'..'");
    // Decimals and comma numbers of the original are intact at their shifted positions.
    const shift = r.question.length - p.question.length;
    for (const m of p.question.matchAll(/\d+\.\d+|\d{1,3}(?:,\d{3})+(?:\.\d+)?/g)) {
      const at = m.index >= span.start ? m.index + shift : m.index;
      check(r.question.slice(at, at + m[0].length) === m[0], r.id, `number ${m[0]}`);
    }
    // The noise is exactly one sentence of the noisy question, placed before the question block
    // and never first (unless the question is a single sentence); first and last sentences stay.
    const before = splitSentences(p.question);
    const after = splitSentences(r.question);
    check(after.length === before.length + 1, r.id, 'one more sentence');
    const k = after.findIndex((s) => s.start === span.start && s.end === span.end);
    const q = questionSentenceIndex(before);
    if (q === 0) {
      check(k === 0, r.id, 'prepended to a one-sentence question');
      prepended++;
    } else {
      check(k >= 1 && k <= q, r.id, `noise is sentence ${k}, question block starts at ${q}`);
      check(after[0].text === before[0].text, r.id, 'first sentence kept');
    }
    check(after[after.length - 1].text === before[before.length - 1].text, r.id, 'question last');
  });
  expect(bad).toEqual([]);
  expect(prepended).toBe(16);
}

describe('generateNoisyDatasets over the whole GSM8K test set', () => {
  const dirs = {
    ours: tmpDir('ours'),
    again: tmpDir('again'),
    orig: tmpDir('orig'),
    seed7: tmpDir('seed7'),
    sdinf: tmpDir('sdinf'),
  };
  const results: Record<string, NoiseGenerateResult> = {};

  beforeAll(async () => {
    const progress: [number, number][] = [];
    results.ours = await generateNoisyDatasets({
      input: GSM8K_TEST,
      out: dirs.ours,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(progress[0]).toEqual([0, 3957]);
    expect(progress[progress.length - 1]).toEqual([3957, 3957]);
    results.again = await generateNoisyDatasets({ input: GSM8K_TEST, out: dirs.again, seed: 42 });
    results.orig = await generateNoisyDatasets({
      input: GSM8K_TEST,
      out: dirs.orig,
      templates: ORIGINAL_TEMPLATES,
    });
    results.seed7 = await generateNoisyDatasets({ input: GSM8K_TEST, out: dirs.seed7, seed: 7 });
    results.sdinf = await generateNoisyDatasets({
      input: GSM8K_TEST,
      out: dirs.sdinf,
      types: 'sd,inf',
    });
  });

  it('writes a manifest beside each file: seed, input and template hashes, output hash', () => {
    for (const f of results.orig.files) {
      const m = JSON.parse(readFileSync(manifestFileName(f.path), 'utf8'));
      expect(m).toMatchObject({
        generator: '@exp/noise',
        noise_type: f.type,
        seed: 42,
        input: GSM8K_TEST,
        input_sha256: '3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14',
        templates: ORIGINAL_TEMPLATES,
        file: path.basename(f.path),
        records: 1319,
        sha256: f.sha256,
      });
      expect(m.templates_sha256).toBe(
        createHash('sha256').update(readFileSync(ORIGINAL_TEMPLATES)).digest('hex'),
      );
    }
    const ours = JSON.parse(readFileSync(manifestFileName(results.ours.files[0].path), 'utf8'));
    expect(ours.templates).toBeNull();
    expect(readFileSync(manifestFileName(results.again.files[0].path))).toEqual(
      readFileSync(manifestFileName(results.ours.files[0].path)),
    );
  });

  it('reports the files it wrote', () => {
    expect(results.ours.seed).toBe(42);
    expect(results.ours.files.map((f) => [f.type, f.path, f.records])).toEqual(
      TYPES.map((t) => [t, path.join(dirs.ours, `gsm8k_${t}_test.jsonl`), 1319]),
    );
    for (const f of results.ours.files) {
      expect(f.sha256).toBe(createHash('sha256').update(readFileSync(f.path)).digest('hex'));
    }
  });

  it.each(TYPES)('%s (exp bank) holds every invariant', (type) => {
    checkInvariants(read(path.join(dirs.ours, `gsm8k_${type}_test.jsonl`)).records, type);
  });

  it.each(TYPES)('%s (original templates) holds every invariant', (type) => {
    checkInvariants(read(path.join(dirs.orig, `gsm8k_${type}_test.jsonl`)).records, type);
  });

  it("exp bank: SD sentences come from the question's topic, recorded per record", () => {
    const { records } = read(path.join(dirs.ours, 'gsm8k_sd_test.jsonl'));
    const wrong = records.filter((r) => {
      const topic = sdTopicOf(r.original_question);
      return (
        r.topic !== topic ||
        r.noise[0].topic !== topic ||
        !sdSentencesOf(topic).includes(r.noise[0].text)
      );
    });
    expect(wrong).toEqual([]);
  });

  it('original templates: each inserted sentence is one of the file sentences of its type', () => {
    for (const type of ['inf', 'rcs'] as const) {
      const { records } = read(path.join(dirs.orig, `gsm8k_${type}_test.jsonl`));
      expect(records.filter((r) => !original[type].includes(r.noise[0].text))).toEqual([]);
      // All ten sentences are used.
      expect(new Set(records.map((r) => r.noise[0].text)).size).toBe(10);
    }
  });

  it('original templates: SD takes the first whole-word topic, else the default', () => {
    const { records } = read(path.join(dirs.orig, 'gsm8k_sd_test.jsonl'));
    const patterns = original.sd.topics.map((t) => ({ ...t, re: compileTopicPattern(t.pattern) }));
    let defaults = 0;
    const wrong = records.filter((r) => {
      const topic = patterns.find((t) => t.re.test(r.original_question.toLowerCase()));
      if (!topic) defaults++;
      return !(topic ? topic.sentences : [original.sd.default]).includes(r.noise[0].text);
    });
    expect(wrong).toEqual([]);
    // Whole-word matching leaves 723 questions on the default (substring matching: 625).
    expect(defaults).toBe(723);
    // A question with "care" but no whole-word keyword gets the default, not the car topic.
    const care = records.find(
      (r) =>
        /\bcare\b/i.test(r.original_question) &&
        !original.sd.topics.some((t) => compileTopicPattern(t.pattern).test(r.original_question)),
    );
    expect(care?.noise[0].text).toBe(original.sd.default);
  });

  it('same seed -> byte-identical files; another seed -> different files', () => {
    for (const t of TYPES) {
      const a = readFileSync(path.join(dirs.ours, `gsm8k_${t}_test.jsonl`));
      expect(readFileSync(path.join(dirs.again, `gsm8k_${t}_test.jsonl`)).equals(a)).toBe(true);
      expect(readFileSync(path.join(dirs.seed7, `gsm8k_${t}_test.jsonl`)).equals(a)).toBe(false);
    }
    expect(results.again.files.map((f) => f.sha256)).toEqual(
      results.ours.files.map((f) => f.sha256),
    );
  });

  it('puts every type of a problem in the same slot', () => {
    const starts = TYPES.map((t) =>
      read(path.join(dirs.ours, `gsm8k_${t}_test.jsonl`)).records.map((r) => r.noise[0].start),
    );
    const same = starts[0].filter((s, i) => s === starts[1][i] && s === starts[2][i]).length;
    expect(same).toBe(1319);
    // The original protocol (a slot per type) shares it in only 422 of the 1,319 problems.
    const indep = TYPES.map((t) =>
      noisyRecords(problems, getNoise(t), 42, {
        sentences: 1,
        position: 'random',
        slots: 'independent',
      }).map((r) => r.noise[0].start),
    );
    const shared = indep[0].filter((s, i) => s === indep[1][i] && s === indep[2][i]).length;
    expect(shared).toBe(422);
  });

  it('does not depend on --types order or on other problems', () => {
    expect(results.sdinf.files.map((f) => f.type)).toEqual(['sd', 'inf']);
    for (const f of results.sdinf.files) {
      expect(f.sha256).toBe(results.ours.files.find((g) => g.type === f.type)?.sha256);
    }
    const full = noisyRecords(problems, getNoise('inf'), 42);
    const some = noisyRecords([problems[900], problems[3]], getNoise('inf'), 42);
    expect(some).toEqual([full[900], full[3]]);
  });
});
