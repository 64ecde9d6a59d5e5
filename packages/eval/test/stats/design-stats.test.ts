import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import {
  clusterBootstrap,
  clusterPlan,
  doseResponse,
  type ClusterEstimate,
  type DoseEstimates,
  type DoseObservation,
} from '../../src/stats/cluster-bootstrap.js';
import { holmAdjust } from '../../src/stats/holm.js';
import {
  mcnemarMde,
  pairedDifferencesMde,
  pairedMeanMde,
  twoProportionMde,
} from '../../src/stats/power.js';

// Computed once by tools/crosscheck/design_stats_fixture.py (statsmodels' multipletests and
// NormalIndPower, a scipy root of Connor's McNemar power, the cluster bootstrap rebuilt with
// numpy/scipy on a committed resampling plan).
type Est = { value: number | null; lo: number | null; hi: number | null; skipped: number };
type Dose = { pooled: Est; effect: Est; slope: Est };
const FIXTURE = JSON.parse(
  readFileSync(new URL('./fixtures/design-stats.json', import.meta.url), 'utf8'),
) as {
  holm: { p: number[]; holm: number[] }[];
  mcnemar_mde: {
    n: number;
    discordant: number;
    alpha: number;
    power: number;
    mde: number | null;
  }[];
  two_proportion_mde: {
    p1: number;
    n1: number;
    n2: number;
    alpha: number;
    power: number;
    up: number | null;
    down: number | null;
  }[];
  paired_mean_mde: { sd: number; n: number; alpha: number; power: number; mde: number }[];
  paired_differences_mde: { diffs: number[]; mde: number };
  cluster_bootstrap: {
    resamples: number;
    level: number;
    clusters: string[];
    groups: DoseObservation[][];
    plan: number[];
    expected: Dose[];
    difference: Dose;
  };
};

// Closed forms against numeric roots / another library's quantiles: agreement to a few ulps of
// O(1) values; the bootstrap sums exact small integers, so it agrees to rounding of a division.
const TOL = 1e-12;
let maxDiff = 0;
function close(actual: number | null, expected: number | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  const d = Math.abs(actual! - expected);
  maxDiff = Math.max(maxDiff, d);
  expect(d).toBeLessThanOrEqual(TOL);
}

describe('holmAdjust', () => {
  test.each(FIXTURE.holm)('matches statsmodels multipletests(holm) on %j', ({ p, holm }) => {
    holmAdjust(p).forEach((x, i) => close(x, holm[i]));
  });
  test('an empty family and a bad p', () => {
    expect(holmAdjust([])).toEqual([]);
    expect(() => holmAdjust([0.1, 1.5])).toThrow(
      'holmAdjust: p[1]: expected a number in [0, 1], got 1.5',
    );
  });
});

describe('minimum detectable effects', () => {
  test.each(FIXTURE.mcnemar_mde)(
    'McNemar (Connor 1987) n=$n discordant=$discordant alpha=$alpha power=$power',
    ({ n, discordant, alpha, power, mde }) =>
      close(mcnemarMde(n, discordant, { alpha, power }), mde),
  );
  test('at 3% discordance on 1,319 items a 1.3-point difference is the least detectable', () => {
    expect(mcnemarMde(1319, 40)!.toFixed(4)).toBe('0.0134');
  });
  test.each(FIXTURE.two_proportion_mde)(
    'two proportions (statsmodels NormalIndPower) p1=$p1 n1=$n1 n2=$n2',
    ({ p1, n1, n2, alpha, power, up, down }) => {
      const got = twoProportionMde(p1, n1, n2, { alpha, power });
      close(got.up, up);
      close(got.down, down);
    },
  );
  test.each(FIXTURE.paired_mean_mde)(
    'paired mean (statsmodels one-sample NormalIndPower) sd=$sd n=$n',
    ({ sd, n, alpha, power, mde }) => close(pairedMeanMde(sd, n, { alpha, power }), mde),
  );
  test('paired mean from per-item differences (sd with n - 1)', () => {
    const { diffs, mde } = FIXTURE.paired_differences_mde;
    close(pairedDifferencesMde(diffs), mde);
    expect(pairedDifferencesMde([1])).toBeNull();
  });
  test('bad options name the option', () => {
    expect(() => mcnemarMde(10, 11)).toThrow(
      'mcnemarMde: discordant: expected an integer in [0, 10], got 11',
    );
    expect(() => pairedMeanMde(1, 10, { power: 1 })).toThrow(
      'pairedMeanMde: power: expected a number in (0, 1), got 1',
    );
  });
});

describe('cluster bootstrap on a fixed plan', () => {
  const F = FIXTURE.cluster_bootstrap;
  const opts = { seed: 0, resamples: F.resamples, level: F.level, plan: Int32Array.from(F.plan) };
  const got = doseResponse(F.groups, opts);
  const same = (a: ClusterEstimate, e: Est): void => {
    close(a.value, e.value);
    close(a.lo, e.lo);
    close(a.hi, e.hi);
    expect(a.skipped).toBe(e.skipped);
  };
  const sameDose = (a: DoseEstimates, e: Dose): void => {
    same(a.pooled, e.pooled);
    same(a.effect, e.effect);
    same(a.slope, e.slope);
  };

  test('clusters are indexed as the plan was made: first appearance across groups', () => {
    expect(got.clusters).toEqual(F.clusters);
  });
  test('each group: pooled noisy mean, pooled noise effect, slope per sentence, CIs', () => {
    sameDose(got.groups[0], F.expected[0]);
    sameDose(got.groups[1], F.expected[1]);
  });
  test('the paired difference of the two groups', () => {
    sameDose(got.difference!, F.difference);
  });
  test('a seed replays clusterPlan(seed): the lazy and the written plan agree', () => {
    const bySeed = doseResponse(F.groups, { seed: 11, resamples: 50 });
    const byPlan = doseResponse(F.groups, {
      seed: 0,
      resamples: 50,
      plan: clusterPlan(F.clusters.length, 50, 11),
    });
    expect(bySeed).toEqual(byPlan);
    expect(doseResponse(F.groups, { seed: 12, resamples: 50 })).not.toEqual(bySeed);
  });
  test('a plan of the wrong size or with a foreign index is refused', () => {
    expect(() =>
      clusterBootstrap(3, () => [0], { seed: 0, resamples: 2, plan: new Int32Array(5) }),
    ).toThrow('clusterBootstrap: plan: expected 2 x 3 = 6 indices, got 5');
    expect(() =>
      clusterBootstrap(2, () => [0], { seed: 0, resamples: 1, plan: Int32Array.from([0, 2]) }),
    ).toThrow('clusterBootstrap: plan[1]: 2 is not a cluster');
  });
  test('a resample drawing only clusters without a dose-0 cell skips the effect', () => {
    const obs: DoseObservation[] = [
      { cluster: 'a', dose: 0, y: 1 },
      { cluster: 'a', dose: 1, y: 0 },
      { cluster: 'b', dose: 1, y: 1 },
    ];
    const [est] = doseResponse([obs], {
      seed: 0,
      resamples: 2,
      plan: Int32Array.from([1, 1, 0, 1]),
    }).groups;
    expect(est.effect).toEqual({ value: -0.5, lo: -0.5, hi: -0.5, skipped: 1 });
    // resample 1: only b (dose 1): one dose, no slope; resample 2: a and b as given
    expect(est.slope).toEqual({ value: -0.5, lo: -0.5, hi: -0.5, skipped: 1 });
  });

  test('max abs diff over all comparisons (8.9e-16 on the last run)', () => {
    expect(maxDiff).toBeLessThanOrEqual(TOL);
  });
});
