import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  generateNoisyDatasets,
  getNoise,
  listNoise,
  NoiseError,
  NoisyProblemSchema,
  registerNoise,
  sentenceNoise,
  stripNoise,
  unregisterNoise,
  type NoiseDefinition,
} from '../src/index.js';
import { tmpDir } from './shared.js';

const INPUT = path.join(tmpDir('input'), 'mini.jsonl');
writeFileSync(
  INPUT,
  [
    {
      question: 'Tom has 3 apples and buys 2 more. How many apples does he have?',
      answer: '3+2=5\n#### 5',
    },
    { question: 'If Ann has 4 pens, how many pens do 2 Anns have?', answer: '#### 8' },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n',
);

const weather = sentenceNoise({
  name: 'weather',
  label: 'WEATHER',
  description: 'A sentence about the weather',
  sentence: (_problem, rng) => rng.pick(['It was sunny.', 'It was windy.']),
});

afterEach(() => {
  unregisterNoise('weather');
  unregisterNoise('shout');
});

describe('registerNoise', () => {
  it('lists the built-ins first', () => {
    expect(listNoise().map((d) => d.name)).toEqual(['inf', 'rcs', 'sd']);
    expect(getNoise('sd').description).toMatch(/topic/);
  });

  it('adds a sentence noise type that generate can use', async () => {
    registerNoise(weather);
    expect(listNoise().map((d) => d.name)).toEqual(['inf', 'rcs', 'sd', 'weather']);
    const out = tmpDir('custom');
    const result = await generateNoisyDatasets({ input: INPUT, out, types: ['weather'], seed: 5 });
    expect(result.files.map((f) => [f.type, path.basename(f.path), f.records])).toEqual([
      ['weather', 'mini_weather.jsonl', 2],
    ]);
    const records = readFileSync(result.files[0].path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => NoisyProblemSchema.parse(JSON.parse(l)));
    expect(records.map((r) => r.id)).toEqual(['mini-0', 'mini-1']);
    for (const r of records) {
      expect(r.noise_type).toBe('WEATHER');
      expect(r.seed).toBe(5);
      expect(['It was sunny.', 'It was windy.']).toContain(r.noise[0].text);
      expect(stripNoise(r.question, r.noise)).toBe(r.original_question);
    }
    // Tom's question has one slot (after the first sentence); Ann's is prepended.
    expect(records[0].noise[0].start).toBe('Tom has 3 apples and buys 2 more. '.length);
    expect(records[1].noise[0].start).toBe(0);
  });

  it('accepts a full definition with its own inject', async () => {
    const shout: NoiseDefinition = {
      name: 'shout',
      description: 'Appends a marker after the question',
      inject: (p) => ({
        question: `${p.question} !!`,
        noise: [{ text: '!!', start: p.question.length + 1, end: p.question.length + 3 }],
      }),
    };
    registerNoise(shout);
    const result = await generateNoisyDatasets({
      input: INPUT,
      out: tmpDir('shout'),
      types: 'shout',
    });
    const first = JSON.parse(readFileSync(result.files[0].path, 'utf8').split('\n')[0]);
    expect(first.noise_type).toBe('SHOUT');
    expect(first.question.endsWith('have? !!')).toBe(true);
  });

  it('rejects duplicates unless replace is set, and bad names', () => {
    registerNoise(weather);
    expect(() => registerNoise(weather)).toThrow("registerNoise: 'weather' is already registered");
    registerNoise({ ...weather, description: 'v2' }, { replace: true });
    expect(getNoise('weather').description).toBe('v2');
    expect(() => registerNoise({ ...weather, name: 'Bad Name' })).toThrow(NoiseError);
    expect(() => getNoise('nope')).toThrow(
      "unknown noise type 'nope' (known: inf, rcs, sd, weather)",
    );
  });

  it('stops generation when a custom type returns a wrong span, writing nothing', async () => {
    registerNoise({
      name: 'shout',
      description: 'broken',
      inject: (p) => ({ question: p.question, noise: [{ text: 'zzz', start: 0, end: 3 }] }),
    });
    const out = tmpDir('broken');
    await expect(generateNoisyDatasets({ input: INPUT, out, types: 'inf,shout' })).rejects.toThrow(
      /^noise type 'shout', problem mini-0: span .* does not match/,
    );
    expect(() => readFileSync(path.join(out, 'gsm8k_inf_test.jsonl'))).toThrow();
  });
});
