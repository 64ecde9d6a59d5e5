import { describe, expect, it } from '@jest/globals';
import { DataError } from '@exp/data';
import {
  DEFAULT_NOISE_SEED,
  generateNoisyDatasets,
  NoiseError,
  NoiseGenerateOptionsSchema,
  parseNoiseGenerateOptions,
  parseNoiseSweepOptions,
} from '../src/index.js';
import { tmpDir } from './shared.js';

describe('NoiseGenerateOptionsSchema', () => {
  it('fills defaults', () => {
    expect(DEFAULT_NOISE_SEED).toBe(42);
    const defaults = {
      seed: 42,
      types: ['inf', 'rcs', 'sd'],
      typesMix: ['inf', 'rcs', 'sd'],
      slots: 'shared',
      sentences: 1,
      position: 'random',
    };
    expect(parseNoiseGenerateOptions({})).toEqual(defaults);
    expect(parseNoiseGenerateOptions(undefined)).toEqual(defaults);
    expect(parseNoiseSweepOptions({})).toEqual({
      ...defaults,
      sentences: [1],
      position: undefined,
      positions: ['random'],
    });
  });

  it('accepts CLI-style strings', () => {
    expect(
      NoiseGenerateOptionsSchema.parse({
        seed: ' 7 ',
        types: 'sd, inf,mix',
        sentences: '3',
        position: 'late',
        typesMix: 'inf,sd',
        slots: 'independent',
        name: 'my-set',
      }),
    ).toMatchObject({
      seed: 7,
      types: ['sd', 'inf', 'mix'],
      sentences: 3,
      position: 'late',
      typesMix: ['inf', 'sd'],
      slots: 'independent',
      name: 'my-set',
    });
    expect(NoiseGenerateOptionsSchema.parse({ seed: -3, types: ['rcs'] })).toMatchObject({
      seed: -3,
      types: ['rcs'],
    });
    expect(parseNoiseSweepOptions({ sentences: '1, 2,4', positions: 'early,late' })).toMatchObject({
      sentences: [1, 2, 4],
      positions: ['early', 'late'],
    });
    expect(parseNoiseSweepOptions({ sentences: 2 })).toMatchObject({ sentences: [2] });
  });

  it.each([
    [{ seed: 'abc' }, '--seed: expected an integer'],
    [{ seed: 1.5 }, '--seed: expected an integer'],
    [{ seed: 2 ** 60 }, '--seed: expected an integer'],
    [{ types: '' }, '--types: expected at least one noise type'],
    [{ types: 'inf,typo' }, "--types: unknown noise type 'typo' (known: inf, rcs, sd, mix)"],
    [{ types: 'inf,inf' }, "--types: noise type 'inf' is listed twice"],
    [{ types: 3 }, '--types: expected noise types, comma-separated'],
    [{ typesMix: 'inf,mix' }, "--types-mix: unknown noise type 'mix' (known: inf, rcs, sd)"],
    [{ sentences: 0 }, '--sentences: expected a positive integer'],
    [{ sentences: '2.5' }, '--sentences: expected a positive integer'],
    [{ sentences: 65 }, '--sentences: expected at most 64 sentences'],
    [
      { position: 'top' },
      '--position: expected one of random, early, middle, late, before-question',
    ],
    [{ slots: 'some' }, '--slots: expected shared or independent'],
    [{ name: 'a b' }, '--name: expected a name of letters, digits, ".", "_" or "-"'],
    [{ input: '' }, '--input: expected a path'],
    [{ out: 5 }, '--out: expected a path'],
    [{ onProgress: 'yes' }, '--on-progress: expected a function'],
    [{ seeds: 1 }, 'options: Unrecognized key: "seeds"'],
  ])('rejects %j', (options, message) => {
    expect(() => parseNoiseGenerateOptions(options)).toThrow(new NoiseError(message));
  });

  it.each([
    [{ positions: 'early,early' }, "--positions: position 'early' is listed twice"],
    [{ sentences: '1,x' }, '--sentences: expected a positive integer, got "x"'],
    [
      { positions: 'early,soon' },
      '--positions: expected one of random, early, middle, late, before-question, got "soon"',
    ],
    [{ position: 'late' }, 'options: Unrecognized key: "position"'],
  ])('sweep rejects %j', (options, message) => {
    expect(() => parseNoiseSweepOptions(options)).toThrow(new NoiseError(message));
  });

  it('names the missing input file', async () => {
    const promise = generateNoisyDatasets({ input: '/no/such/test.jsonl', out: tmpDir('missing') });
    await expect(promise).rejects.toThrow('/no/such/test.jsonl: file not found');
    await expect(promise).rejects.toBeInstanceOf(DataError);
  });
});
