"""Maintainer cross-check (not in CI): the reference values of @exp/eval's closed-form intervals.

Writes packages/eval/test/stats/fixtures/intervals.json, which packages/eval/test/stats/
intervals.test.ts compares with (to 1e-12 absolute):
- Wilson score and Clopper-Pearson ("beta") intervals of one proportion, straight from
  statsmodels.stats.proportion.proportion_confint;
- Newcombe's hybrid score interval for the difference of two paired proportions (Newcombe 1998,
  Statistics in Medicine 17:2635-2650, method 10, with the phi truncation of Newcombe's
  recommended form), written out below from statsmodels' Wilson limits, since neither statsmodels
  nor scipy has it.

The paired formula is checked first against a published value: Fagerland, Lydersen & Laake,
"Statistical Analysis of Contingency Tables" (2017), chapter 8, Cavo et al. (2012), table
(a, b, c, d) = (59, 6, 16, 80): estimate -0.0621, 95% CI -0.1186 to -0.0046 (the value
the R package contingencytables' test-ch8.R asserts for Newcombe_square_and_add_CI_paired_2x2).
Without the truncation of phi the same table gives -0.1174 to -0.0059, so the check tells the
two readings of method 10 apart.

Usage: python3 -m venv /tmp/iv-venv && /tmp/iv-venv/bin/pip install statsmodels scipy
       /tmp/iv-venv/bin/python tools/crosscheck/intervals_fixture.py
"""
import json
import math
from pathlib import Path

import scipy
import statsmodels
from statsmodels.stats.proportion import proportion_confint

OUT = Path(__file__).resolve().parents[2] / "packages/eval/test/stats/fixtures/intervals.json"


def wilson(x, n, level):
    lo, hi = proportion_confint(x, n, alpha=1 - level, method="wilson")
    return float(lo), float(hi)


def newcombe_paired(a, b, c, d, level, truncate=True):
    """Difference p1 - p2 of paired proportions, p1 = (a+b)/n, p2 = (a+c)/n.

    a: both right, b: only the first right, c: only the second right, d: both wrong.
    """
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n, level)
    l2, u2 = wilson(a + c, n, level)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    if denom == 0:
        phi = 0.0
    else:
        num = a * d - b * c
        if truncate:
            # Newcombe: a positive correlation is shrunk by n/2 (and not below 0)
            num = max(num - n / 2, 0) if num > 0 else num
        phi = num / math.sqrt(denom)
    diff = (b - c) / n
    dl1, du2 = p1 - l1, u2 - p2
    du1, dl2 = u1 - p1, p2 - l2
    lo = diff - math.sqrt(dl1**2 - 2 * phi * dl1 * du2 + du2**2)
    hi = diff + math.sqrt(dl2**2 - 2 * phi * dl2 * du1 + du1**2)
    return diff, lo, hi, phi


def check_published():
    diff, lo, hi, _ = newcombe_paired(59, 6, 16, 80, 0.95)
    got = (round(diff, 4), round(lo, 4), round(hi, 4))
    assert got == (-0.0621, -0.1186, -0.0046), got
    _, lo0, hi0, _ = newcombe_paired(59, 6, 16, 80, 0.95, truncate=False)
    assert (round(lo0, 4), round(hi0, 4)) != (-0.1186, -0.0046), (lo0, hi0)


SINGLE = [
    (0, 20), (20, 20), (0, 1), (1, 1), (0, 5), (5, 5), (1, 20), (19, 20), (3, 9), (7, 10),
    (50, 100), (1, 1319), (0, 1319), (1319, 1319), (250, 1319), (1000, 1319),
]
PAIRED = [
    # published (Cavo et al. 2012, see above)
    (59, 6, 16, 80),
    # all concordant: no discordant item, either both right or both wrong
    (20, 0, 0, 0), (0, 0, 0, 20), (7, 0, 0, 13),
    # all discordant one way
    (0, 20, 0, 0), (0, 0, 20, 0), (0, 3, 0, 0),
    # zero cells
    (0, 5, 3, 12), (10, 4, 0, 6), (36, 12, 2, 0), (0, 1, 1, 0),
    # n = 1
    (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1),
    # interior, incl. negative correlation (ad < bc) and 0 <= ad - bc <= n/2 (phi truncated to 0)
    (5, 5, 5, 5), (2, 8, 9, 1), (3, 4, 2, 1), (180, 40, 25, 1074), (300, 120, 95, 804),
]
LEVELS = [0.95, 0.9]


def main():
    check_published()
    single = []
    for level in LEVELS:
        for x, n in SINGLE:
            lo_w, hi_w = wilson(x, n, level)
            lo_b, hi_b = proportion_confint(x, n, alpha=1 - level, method="beta")
            single.append({
                "x": x, "n": n, "level": level,
                "wilson": [lo_w, hi_w],
                # statsmodels leaves nan at x = 0 / x = n in some versions: the exact limits are 0 / 1
                "clopper_pearson": [0.0 if x == 0 else float(lo_b), 1.0 if x == n else float(hi_b)],
            })
    paired = []
    for level in LEVELS:
        for a, b, c, d in PAIRED:
            diff, lo, hi, phi = newcombe_paired(a, b, c, d, level)
            paired.append({"a": a, "b": b, "c": c, "d": d, "level": level,
                           "diff": diff, "lo": lo, "hi": hi, "phi": phi})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "source": "tools/crosscheck/intervals_fixture.py",
        "versions": {"statsmodels": statsmodels.__version__, "scipy": scipy.__version__},
        "published": {"table": [59, 6, 16, 80], "level": 0.95,
                      "estimate": -0.0621, "lo": -0.1186, "hi": -0.0046,
                      "reference": "Fagerland, Lydersen & Laake (2017), ch. 8, Cavo et al. (2012)"},
        "single": single,
        "paired": paired,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}: {len(single)} single, {len(paired)} paired")


if __name__ == "__main__":
    main()
