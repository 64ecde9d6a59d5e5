// The no-hint rule, checked with an extraction written independently of src/text/numbers.ts: no
// noise sentence may contain a number of the question (digits or words), of the worked solution
// (lines and <<...>> annotations) or the final answer.
import path from 'node:path';
import { loadGsm8kFile, type Problem } from '@exp/data';
import { describe, expect, it } from '@jest/globals';
import { getNoise, noisyRecords, RCS_LEADS, type NoisyProblem } from '../src/index.js';
import { GSM8K_TEST, SHARED_DIR } from './shared.js';

const WORDS: Record<string, number[]> = {
  zero: [0],
  one: [1],
  two: [2],
  three: [3],
  four: [4],
  five: [5],
  six: [6],
  seven: [7],
  eight: [8],
  nine: [9],
  ten: [10],
  eleven: [11],
  twelve: [12],
  thirteen: [13],
  fourteen: [14],
  fifteen: [15],
  sixteen: [16],
  seventeen: [17],
  eighteen: [18],
  nineteen: [19],
  twenty: [20],
  thirty: [30],
  forty: [40],
  fifty: [50],
  sixty: [60],
  seventy: [70],
  eighty: [80],
  ninety: [90],
  hundred: [100],
  thousand: [1000],
  million: [1000000],
  dozen: [12],
  half: [0.5, 2],
  twice: [2],
  double: [2],
  triple: [3],
  third: [3],
  quarter: [0.25, 4],
  first: [1],
  second: [2],
  once: [1],
  pair: [2],
  couple: [2],
};

/** Numbers of a text: digits (commas and trailing zeros dropped) and number words with compounds. */
function numbers(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\d[\d,]*(?:\.\d+)?|\.\d+/g)) {
    const n = Number(m[0].replace(/,/g, ''));
    if (Number.isFinite(n)) out.add(String(n));
  }
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  words.forEach((w, i) => {
    for (const n of WORDS[w] ?? []) out.add(String(n));
    // "twenty-five", "two hundred": compounds of two words
    const next = WORDS[words[i + 1] ?? '']?.[0];
    const v = WORDS[w]?.[0];
    if (v !== undefined && next !== undefined) {
      if (v >= 20 && v % 10 === 0 && next < 10) out.add(String(v + next));
      if (next === 100 || next === 1000 || next === 12) out.add(String(v * next));
    }
  });
  return out;
}

function forbidden(p: Problem): Set<string> {
  const out = numbers(p.question);
  for (const line of p.answer.split('\n')) for (const n of numbers(line)) out.add(n);
  for (const m of p.answer.matchAll(/<<([^>]*)>>/g)) for (const n of numbers(m[1]!)) out.add(n);
  out.add(String(Number(p.final)));
  return out;
}

function hints(problems: readonly Problem[], records: readonly NoisyProblem[]): string[] {
  return records.flatMap((r, i) => {
    const bad = forbidden(problems[i]!);
    return r.noise.flatMap((s) =>
      [...numbers(s.text)].filter((n) => bad.has(n)).map((n) => `${r.id}: ${n} in "${s.text}"`),
    );
  });
}

const test = loadGsm8kFile(GSM8K_TEST, 'gsm8k-test');
const train = loadGsm8kFile(path.join(SHARED_DIR, 'data/gsm8k/train.jsonl'), 'gsm8k-train');

describe('no hints in the noise', () => {
  it.each(['inf', 'rcs', 'sd'])('%s: no number of the problem, over test and train', (type) => {
    for (const problems of [test, train]) {
      const records = noisyRecords(problems, getNoise(type), 42);
      expect(records).toHaveLength(problems.length);
      expect(hints(problems, records)).toEqual([]);
    }
  });

  it('also for four sentences per question', () => {
    for (const type of ['inf', 'rcs']) {
      const records = noisyRecords(test, getNoise(type), 42, {
        sentences: 4,
        position: 'random',
        slots: 'shared',
      });
      expect(records.every((r) => r.noise.length === 4)).toBe(true);
      expect(hints(test, records)).toEqual([]);
    }
  });

  it('the reported cases: no step of the solution, no digit for a spelled number', () => {
    const rcs = noisyRecords(test, getNoise('rcs'), 42);
    const inf = noisyRecords(test, getNoise('inf'), 42);
    // test-31's solution has the step 60; test-241's question says "two".
    expect(forbidden(test[31]!).has('60')).toBe(true);
    expect(forbidden(test[241]!).has('2')).toBe(true);
    for (const r of [rcs[31]!, inf[31]!, rcs[241]!, inf[241]!]) {
      expect(numbers(r.noise[0]!.text).has(r.id === 'gsm8k-test-31' ? '60' : '2')).toBe(false);
    }
  });

  it('RCS lead-ins present facts as general knowledge, not as steps of this problem', () => {
    for (const lead of ['As a quick check', 'We know that', 'Observe that', 'Note that'])
      expect(RCS_LEADS.some((l) => l.startsWith(lead))).toBe(false);
    const leads = new Set(
      noisyRecords(test, getNoise('rcs'), 42).map((r) => r.noise[0]!.text.split(/[ ,]/)[0]),
    );
    expect(leads.size).toBeGreaterThanOrEqual(8);
  });
});
