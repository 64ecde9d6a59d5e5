import { describe, expect, it } from '@jest/globals';
import { DataError } from '@exp/data';
import {
  DEFAULT_NOISE_SEED,
  generateNoisyDatasets,
  NoiseError,
  NoiseGenerateOptionsSchema,
  parseNoiseGenerateOptions,
} from '../src/index.js';
import { tmpDir } from './shared.js';

describe('NoiseGenerateOptionsSchema', () => {
  it('fills defaults', () => {
    expect(DEFAULT_NOISE_SEED).toBe(42);
    expect(parseNoiseGenerateOptions({})).toEqual({ seed: 42, types: ['inf', 'rcs', 'sd'] });
    expect(parseNoiseGenerateOptions(undefined)).toEqual({ seed: 42, types: ['inf', 'rcs', 'sd'] });
  });

  it('accepts CLI-style strings', () => {
    expect(NoiseGenerateOptionsSchema.parse({ seed: ' 7 ', types: 'sd, inf' })).toEqual({
      seed: 7,
      types: ['sd', 'inf'],
    });
    expect(NoiseGenerateOptionsSchema.parse({ seed: -3, types: ['rcs'] })).toEqual({
      seed: -3,
      types: ['rcs'],
    });
  });

  it.each([
    [{ seed: 'abc' }, '--seed: expected an integer'],
    [{ seed: 1.5 }, '--seed: expected an integer'],
    [{ seed: 2 ** 60 }, '--seed: expected an integer'],
    [{ types: '' }, '--types: expected at least one noise type'],
    [{ types: 'inf,typo' }, "--types: unknown noise type 'typo' (known: inf, rcs, sd)"],
    [{ types: 'inf,inf' }, "--types: noise type 'inf' is listed twice"],
    [{ types: 3 }, '--types: expected noise type names, comma-separated'],
    [{ input: '' }, '--input: expected a path'],
    [{ out: 5 }, '--out: expected a path'],
    [{ onProgress: 'yes' }, '--onProgress: expected a function'],
    [{ seeds: 1 }, 'options: Unrecognized key: "seeds"'],
  ])('rejects %j', (options, message) => {
    expect(() => parseNoiseGenerateOptions(options)).toThrow(new NoiseError(message));
  });

  it('names the missing input file', async () => {
    const promise = generateNoisyDatasets({ input: '/no/such/test.jsonl', out: tmpDir('missing') });
    await expect(promise).rejects.toThrow('/no/such/test.jsonl: file not found');
    await expect(promise).rejects.toBeInstanceOf(DataError);
  });
});
