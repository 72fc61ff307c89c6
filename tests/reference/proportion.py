#!/usr/bin/env python3
"""Reference values for trialstat's single-proportion intervals (src/stats/proportion.rs).

Run from the repository root:  python3 tests/reference/proportion.py
Writes tests/reference/proportion_py.json.

Sources (second source to R's prop.test / binom.test in proportion.R):
  statsmodels.stats.proportion.proportion_confint: method "wilson", "agresti_coull" (clipped to
    [0, 1] by statsmodels), "beta" (Clopper-Pearson), "jeffreys" (raw Beta quantiles, *without* the
    Brown-Cai-DasGupta boundary modification that trialstat applies at x = 0 and x = n), "normal"
    (Wald, clipped to [0, 1]).
  scipy.stats.binomtest(...).proportion_ci: "wilsoncc" (Newcombe 1998a method 4, continuity
    correction always 1/2).
  mpmath (50 significant digits): the closed forms Wilson, Agresti-Coull and Wald evaluated in high
    precision ("mp_*"), the reference for counts near 2^53 where float64 evaluations of the
    textbook formulas (statsmodels, R) lose digits to cancellation.
"""
import os
import sys

import mpmath as mp
import numpy as np
import scipy
import statsmodels
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportion_confint

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import versions, write_json  # noqa: E402

# (x, n, level): typical, small n, n = 1, x = 0 / x = n, x = n/2 (where R's prop.test cc differs),
# large n, and counts near 2^53.
CASES = [
    (0, 1, 0.95), (1, 1, 0.95), (0, 10, 0.95), (1, 10, 0.95), (5, 10, 0.95), (10, 10, 0.95),
    (3, 7, 0.95), (12, 20, 0.90), (81, 263, 0.95), (81, 263, 0.99), (0, 50, 0.95), (50, 50, 0.95),
    (1, 1000, 0.95), (999, 1000, 0.95), (37, 40, 0.80), (7, 100000, 0.95), (123456, 987654, 0.95),
    (2**52 + 1, 2**53, 0.95), (3, 2**53, 0.95),
]


def pair(ci):
    return [float(ci[0]), float(ci[1])]


def mp_closed_forms(x, n, level):
    """Wilson, Agresti-Coull (truncated) and Wald (truncated) limits at 50 digits."""
    mp.mp.dps = 50
    x, n = mp.mpf(x), mp.mpf(n)
    z = -mp.sqrt(2) * mp.erfinv(-(1 - mp.mpf(1 - level) / 2) * 2 + 1)  # z_{1 - alpha/2}
    z2 = z * z
    p = x / n
    centre = (x + z2 / 2) / (n + z2)
    half = z * mp.sqrt(x * (n - x) / n + z2 / 4) / (n + z2)
    nt = n + z2
    pt = (x + z2 / 2) / nt
    hac = z * mp.sqrt(pt * (1 - pt) / nt)
    hw = z * mp.sqrt(p * (1 - p) / n)
    clip = lambda v: float(min(max(v, 0), 1))
    return {
        "mp_wilson": [clip(centre - half), clip(centre + half)],
        "mp_agresti_coull": [clip(pt - hac), clip(pt + hac)],
        "mp_wald": [clip(p - hw), clip(p + hw)],
    }


def main():
    out = []
    for x, n, level in CASES:
        alpha = 1 - level
        row = {"x": x, "n": n, "level": level}
        for key, m in [("wilson", "wilson"), ("agresti_coull", "agresti_coull"),
                       ("clopper_pearson", "beta"), ("jeffreys_raw", "jeffreys"), ("wald", "normal")]:
            row["sm_" + key] = pair(proportion_confint(x, n, alpha=alpha, method=m))
        if n < 2**31:  # scipy's binomtest needs n to fit a C long for its exact test
            row["scipy_wilson_cc"] = pair(binomtest(x, n).proportion_ci(level, method="wilsoncc"))
        row.update(mp_closed_forms(x, n, level))
        out.append(row)
    doc = {
        "generated_by": "tests/reference/proportion.py",
        "versions": versions(np, scipy, statsmodels, mp),
        "cases": out,
    }
    write_json(doc, "proportion_py.json")


if __name__ == "__main__":
    main()
