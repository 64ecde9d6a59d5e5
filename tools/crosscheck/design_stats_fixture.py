"""Maintainer cross-check (not in CI): reference values of @exp/eval's design statistics.

Writes packages/eval/test/stats/fixtures/design-stats.json, which packages/eval/test/stats/
design-stats.test.ts compares with (to 1e-12 absolute unless it says otherwise):
- Holm-adjusted p-values: statsmodels.stats.multitest.multipletests(method='holm');
- McNemar minimum detectable effect at alpha 0.05 / power 0.8 (and other levels): the root, by
  scipy.optimize.brentq, of Connor's (1987, Biometrics 43:207-211) normal-approximation power
    power(delta) = Phi((delta sqrt(n) - z_{1-alpha/2} sqrt(psi)) / sqrt(psi - delta^2))
  at psi = discordant / n; the TS side uses the closed-form root of the same equation;
- unpaired two-proportion MDE: the Cohen's h at which statsmodels' NormalIndPower().power is
  the asked power (one-sided at alpha/2, i.e. the two-sided test without its negligible far
  tail; root by brentq, since solve_power stops near 1e-8), mapped back to p2 - p1;
- paired continuous MDE: the same with ratio=0 (statsmodels' one-sample case), times sd_diff;
- the cluster bootstrap on a fixed resampling plan: the plan (cluster indices, numpy's
  default_rng(20261207)) is committed with the observations, and every resample is rebuilt
  here by concatenating the drawn clusters' observations (not by weights, as the TS side does);
  pooled mean of the noisy cells, pooled noise effect and the least-squares dose slope
  (scipy.stats.linregress) per resample; percentile limits with numpy.quantile (linear, type 7).

Usage: python3 -m venv /tmp/hs-venv && /tmp/hs-venv/bin/pip install statsmodels scipy numpy
       /tmp/hs-venv/bin/python tools/crosscheck/design_stats_fixture.py
       npx prettier --write packages/eval/test/stats/fixtures/design-stats.json  # the repo lints JSON
"""
import json
import math
from pathlib import Path

import numpy as np
import scipy
import statsmodels
from scipy.optimize import brentq
from scipy.stats import linregress, norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower

OUT = Path(__file__).resolve().parents[2] / "packages/eval/test/stats/fixtures/design-stats.json"


def holm_cases():
    cases = [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.2, 0.01, 0.5, 1.0],
        [0.0, 1.0],
        [0.049],
        [0.001, 0.0125, 0.0125, 0.3, 0.04, 0.9, 0.02, 0.011],
        [0.5, 0.4, 0.3, 0.2, 0.1, 0.05],
    ]
    return [{"p": c, "holm": [float(x) for x in multipletests(c, method="holm")[1]]} for c in cases]


def mcnemar_mde(n, discordant, alpha, power):
    if discordant == 0:
        return None
    psi = discordant / n
    za, zb = norm.isf(alpha / 2), norm.ppf(power)

    def f(d):
        return norm.cdf((d * math.sqrt(n) - za * math.sqrt(psi)) / math.sqrt(psi - d * d)) - power

    lo = za * math.sqrt(psi / n)  # power 0.5 here: below the root for power > 0.5
    hi = math.sqrt(psi) * (1 - 1e-15)
    if f(hi) < 0:
        return None
    return brentq(f, lo, hi, xtol=1e-16, rtol=1e-15, maxiter=500)


def mcnemar_cases():
    out = []
    for n, disc, alpha, power in [
        (1319, 40, 0.05, 0.8),
        (1319, 80, 0.05, 0.8),
        (1319, 0, 0.05, 0.8),
        (1319, 1319, 0.05, 0.8),
        (200, 30, 0.05, 0.8),
        (200, 30, 0.01, 0.9),
        (50, 3, 0.05, 0.8),
        (20, 20, 0.05, 0.8),
        (10, 1, 0.1, 0.8),
        (5000, 123, 0.05, 0.8),
    ]:
        out.append({"n": n, "discordant": disc, "alpha": alpha, "power": power,
                    "mde": mcnemar_mde(n, disc, alpha, power)})
    return out


def solve_effect(nobs1, alpha, power, ratio):
    """The effect size at which statsmodels' NormalIndPower().power(...) equals `power`, found
    with brentq to 1e-15 (solve_power's own root finder stops near 1e-8 relative)."""
    f = lambda es: NormalIndPower().power(effect_size=es, nobs1=nobs1, alpha=alpha / 2,
                                          ratio=ratio, alternative="larger") - power
    return brentq(f, 1e-9, 50.0, xtol=1e-16, rtol=1e-15, maxiter=500)


def two_proportion_cases():
    out = []
    for p1, n1, n2, alpha, power in [
        (0.03, 1319, 1319, 0.05, 0.8),
        (0.5, 100, 100, 0.05, 0.8),
        (0.0, 1319, 1319, 0.05, 0.8),
        (0.99, 200, 400, 0.05, 0.9),
        (0.2, 50, 80, 0.01, 0.8),
    ]:
        h = solve_effect(n1, alpha, power, n2 / n1)
        phi = math.asin(math.sqrt(p1))
        up = phi + h / 2
        down = phi - h / 2
        out.append({
            "p1": p1, "n1": n1, "n2": n2, "alpha": alpha, "power": power, "h": float(h),
            "up": None if up > math.pi / 2 else math.sin(up) ** 2 - p1,
            "down": None if down < 0 else math.sin(down) ** 2 - p1,
        })
    return out


def paired_mean_cases():
    out = []
    rng = np.random.default_rng(7)
    diffs = [float(round(x, 6)) for x in rng.normal(-0.3, 1.7, size=37)]
    for sd, n, alpha, power in [(1.0, 100, 0.05, 0.8), (0.37, 1319, 0.05, 0.8), (2.5, 12, 0.01, 0.9)]:
        d = solve_effect(n, alpha, power, 0)
        out.append({"sd": sd, "n": n, "alpha": alpha, "power": power, "mde": float(d) * sd})
    d = solve_effect(len(diffs), 0.05, 0.8, 0)
    sample = {"diffs": diffs, "mde": float(d) * float(np.std(diffs, ddof=1))}
    return out, sample


def dose_data():
    """Two models, 15 base problems, doses 0/1/2/4; a few cells missing (unbalanced)."""
    rng = np.random.default_rng(99)
    clusters = [f"p{i:02d}" for i in range(15)]
    groups = []
    for base in (0.55, 0.45):
        obs = []
        for i, c in enumerate(clusters):
            ability = base + 0.3 * (i % 3 - 1)
            for dose in (0, 1, 2, 4):
                if (i + dose) % 7 == 3:  # a missing cell
                    continue
                p = min(max(ability - 0.08 * dose, 0.02), 0.98)
                obs.append({"cluster": c, "dose": dose, "y": int(rng.random() < p)})
        groups.append(obs)
    return groups


def stats_of(obs):
    x = np.array([o["dose"] for o in obs], dtype=float)
    y = np.array([o["y"] for o in obs], dtype=float)
    noisy, clean = y[x > 0], y[x == 0]
    pooled = float(noisy.mean()) if noisy.size else None
    effect = float(noisy.mean() - clean.mean()) if noisy.size and clean.size else None
    slope = float(linregress(x, y).slope) if np.unique(x).size > 1 else None
    return [pooled, effect, slope]


def estimates(values, point, level):
    kept = np.array([v for v in values if v is not None])
    tail = (1 - level) / 2
    return {"value": point, "lo": float(np.quantile(kept, tail)) if kept.size else None,
            "hi": float(np.quantile(kept, 1 - tail)) if kept.size else None,
            "skipped": len(values) - int(kept.size)}


def cluster_case(resamples=300, level=0.95):
    groups = dose_data()
    index = {}
    for g in groups:
        for o in g:
            index.setdefault(o["cluster"], len(index))
    k = len(index)
    plan = np.random.default_rng(20261207).integers(0, k, size=(resamples, k))
    by = [{c: [o for o in g if o["cluster"] == c] for c in index} for g in groups]
    names = ["pooled", "effect", "slope"]
    per = [[[] for _ in names] for _ in range(3)]
    for row in plan:
        inv = list(index)
        res = [stats_of([o for j in row for o in by[gi][inv[j]]]) for gi in range(2)]
        res.append([None if a is None or b is None else a - b for a, b in zip(*res)])
        for gi in range(3):
            for s in range(3):
                per[gi][s].append(res[gi][s])
    point = [stats_of(g) for g in groups]
    point.append([a - b for a, b in zip(*point)])
    expected = [{names[s]: estimates(per[gi][s], point[gi][s], level) for s in range(3)}
                for gi in range(3)]
    return {"resamples": resamples, "level": level, "clusters": list(index), "groups": groups,
            "plan": [int(v) for v in plan.reshape(-1)], "expected": expected[:2],
            "difference": expected[2]}


def main():
    paired, sample = paired_mean_cases()
    out = {
        "source": "tools/crosscheck/design_stats_fixture.py",
        "versions": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__,
                     "numpy": np.__version__},
        "holm": holm_cases(),
        "mcnemar_mde": mcnemar_cases(),
        "two_proportion_mde": two_proportion_cases(),
        "paired_mean_mde": paired,
        "paired_differences_mde": sample,
        "cluster_bootstrap": cluster_case(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
