// The metric functions on hand-made maps and rows, with exact expected values.
import { createRng } from '@exp/data';
import {
  aucWrong,
  differentialRowStats,
  distractionEffect,
  distractorHeads,
  layerProfile,
  liftOverUniform,
  normalisedRow,
  rowEntropy,
  rowMass,
  seedRatios,
  signalToNoise,
} from '../src/metrics.js';
import type { TokenClass } from '../src/types.js';
import { causalMaps } from './fake-lm.js';

// Four keys: a special token (the sink), one KMI, one NI and one OC token; dyadic values.
const CLASSES: TokenClass[] = ['special', 'KMI', 'NI', 'OC'];
// prettier-ignore
const MAP = [
  1,     0,    0,     0,
  0.5,   0.5,  0,     0,
  0.25,  0.25, 0.5,   0,
  0.125, 0.25, 0.375, 0.25,
];
const LAST = MAP.slice(12);

describe('metric 1: seed ratios (column sums over every query row)', () => {
  it('excluding special: KMI 8/17, NI 7/17, OC 2/17 of the 2.125 the other columns receive', () => {
    const r = seedRatios(MAP, 4, CLASSES);
    expect(r.KMI).toBeCloseTo(8 / 17, 15);
    expect(r.NI).toBeCloseTo(7 / 17, 15);
    expect(r.OC).toBeCloseTo(2 / 17, 15);
    expect(r.special).toBe(0);
  });

  it('with special: the four ratios of the total 4', () => {
    expect(seedRatios(MAP, 4, CLASSES, false)).toEqual({
      special: 0.46875,
      KMI: 0.25,
      NI: 0.21875,
      OC: 0.0625,
    });
  });

  it('sum to 1 within 1e-6 on seeded random causal maps, for every head', () => {
    const seq = 37;
    const maps = causalMaps(
      'sum',
      Array.from({ length: seq }, (_, i) => i),
      8,
    );
    const classes = Array.from(
      { length: seq },
      (_, j): TokenClass => (['special', 'KMI', 'NI', 'OC'] as const)[j % 4]!,
    );
    for (let h = 0; h < 8; h++) {
      const r = seedRatios(maps.subarray(h * seq * seq, (h + 1) * seq * seq), seq, classes);
      expect(Math.abs(r.KMI + r.NI + r.OC - 1)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('refuses a map of the wrong size in one line', () => {
    expect(() => seedRatios(MAP, 3, CLASSES)).toThrow('seedRatios map: expected 9 values, got 16');
  });
});

describe('metrics 2-5 on the last row [1/8, 1/4, 3/8, 1/4]', () => {
  it('metric 2: span mass, special removed and renormalised over 7/8', () => {
    const m = rowMass(LAST, CLASSES);
    expect(m.KMI).toBeCloseTo(2 / 7, 15);
    expect(m.NI).toBeCloseTo(3 / 7, 15);
    expect(m.OC).toBeCloseTo(2 / 7, 15);
    expect(m.special).toBe(0);
    expect(rowMass(LAST, CLASSES, { excludeSpecial: false })).toEqual({
      special: 0.125,
      KMI: 0.25,
      NI: 0.375,
      OC: 0.25,
    });
  });

  it('metric 3: the sink (key 0) removed, also where key 0 is no special token', () => {
    const classes: TokenClass[] = ['KMI', 'KMI', 'NI', 'OC'];
    const m = rowMass(LAST, classes, { excludeSpecial: false, dropSink: true });
    expect(m.KMI).toBeCloseTo(2 / 7, 15);
    expect(m.NI).toBeCloseTo(3 / 7, 15);
    expect(rowMass(LAST, classes, { excludeSpecial: false }).KMI).toBe(0.375);
    expect(Array.from(normalisedRow(LAST, classes, { dropSink: true }))).toEqual([
      0,
      0.25 / 0.875,
      0.375 / 0.875,
      0.25 / 0.875,
    ]);
  });

  it('metric 4: lift over uniform over the 3 counted keys', () => {
    const lift = liftOverUniform(rowMass(LAST, CLASSES), 4, CLASSES);
    expect(lift.KMI).toBeCloseTo(6 / 7, 14);
    expect(lift.NI).toBeCloseTo(9 / 7, 14);
    expect(lift.OC).toBeCloseTo(6 / 7, 14);
    expect(lift.special).toBeNull();
    // without exclusion the baseline is |c| / (q + 1)
    expect(
      liftOverUniform(rowMass(LAST, CLASSES, { excludeSpecial: false }), 4, CLASSES, {
        excludeSpecial: false,
      }),
    ).toEqual({
      special: 0.5,
      KMI: 1,
      NI: 1.5,
      OC: 1,
    });
    // an empty class has no lift: NI on row 1
    expect(liftOverUniform(rowMass(MAP.slice(4, 6), CLASSES), 2, CLASSES).NI).toBeNull();
  });

  it('metric 5: ln(KMI / NI), null without NI tokens', () => {
    expect(signalToNoise(rowMass(LAST, CLASSES), 1)).toBeCloseTo(Math.log(2 / 3), 15);
    expect(signalToNoise({ KMI: 0.5, NI: 0, OC: 0.5, special: 0 }, 0)).toBeNull();
    expect(signalToNoise({ KMI: 0.5, NI: -0.1, OC: 0.6, special: 0 }, 2)).toBeNull();
  });
});

describe('metrics 6-8', () => {
  it('metric 6: noisy minus clean share over aligned KMI tokens', () => {
    expect(
      distractionEffect(
        [0, 0.5, 0.5],
        [0, 0.25, 0.5, 0.25],
        [
          [1, 1],
          [2, 3],
        ],
      ),
    ).toBe(-0.5);
  });

  it('metric 7: entropy of [1/8, 1/4, 3/8, 1/4] over ln 4; 1 for uniform, 0 for one key', () => {
    const h =
      -(0.125 * Math.log(0.125) + 0.5 * Math.log(0.25) + 0.375 * Math.log(0.375)) / Math.log(4);
    expect(rowEntropy(LAST)).toBeCloseTo(h, 15);
    expect(rowEntropy(LAST)).toBeCloseTo(0.9528195311147831, 15);
    expect(rowEntropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1, 15);
    expect(rowEntropy([0, 1, 0])).toBe(0);
    expect(rowEntropy([1])).toBeNull();
  });

  it('metric 8: D = a1 - 0.5 a2 with its negative mass on the NI key', () => {
    // D = [0.125, 0.25, -0.125, 0.25]: |D| sums to 0.75, the negative 0.125 all on NI
    expect(differentialRowStats(LAST, [0, 0, 1, 0], 0.5, CLASSES)).toEqual({
      negFraction: 0.125 / 0.75,
      negShareNi: 1,
      negShareKmi: 0,
      cancellationNi: 0.5 / 0.375,
    });
    // no NI, no negative entry
    expect(differentialRowStats([0.5, 0.5], [0.5, 0.5], 0.5, ['KMI', 'OC'])).toEqual({
      negFraction: 0,
      negShareNi: null,
      negShareKmi: null,
      cancellationNi: null,
    });
  });
});

describe('metric 9: layer profile and distractor heads', () => {
  it('the profile averages defined heads; the peak is the first highest layer', () => {
    expect(
      layerProfile([
        [1, 3],
        [null, 2],
        [0.5, 0.5],
      ]),
    ).toEqual({ profile: [2, 2, 0.5], peak: 0 });
    expect(layerProfile([[null], [null]])).toEqual({ profile: [null, null], peak: null });
  });

  it('head 7 stands out (z = sqrt(7) on identical samples), stable in every resample', () => {
    const sample = [[1, 1, 1, 1, 1, 1, 1, 5]];
    const heads = distractorHeads([sample, sample, sample], createRng(1), { resamples: 200 });
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatchObject({ layer: 0, head: 7, lift: 5, stability: 1 });
    expect(heads[0]!.z).toBeCloseTo(Math.sqrt(7), 14);
  });

  it('stability counts the resamples that keep it above z 2 (seeded)', () => {
    const values = [
      [[1, 1, 1, 1, 1, 1, 1, 5]],
      [[1, 1, 1, 1, 1, 1, 1, 5]],
      [[1, 1, 1, 1, 1, 1, 1, 1.2]],
      [[1, 1, 1, 1, 1, 1, 1.1, 1]],
    ];
    const [head] = distractorHeads(values, createRng(3), { resamples: 1000 });
    expect(head).toEqual({ layer: 0, head: 7, lift: 3.05, z: 2.645557934695153, stability: 0.978 });
  });
});

describe('metric 10: AUC of NI mass for a wrong answer', () => {
  it('3 of the 4 wrong/right pairs rank the wrong answer higher', () => {
    expect(aucWrong([0.1, 0.4, 0.35, 0.8], [true, true, false, false])).toBe(0.75);
  });
  it('ties count one half; one empty group gives null', () => {
    expect(aucWrong([0.5, 0.5], [true, false])).toBe(0.5);
    expect(aucWrong([0.5, 0.7], [true, true])).toBeNull();
  });
});
