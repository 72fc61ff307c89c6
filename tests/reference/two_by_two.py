#!/usr/bin/env python3
"""Reference values for trialstat's 2x2 estimators (src/stats/two_by_two.rs).

Run from the repository root:  python3 tests/reference/two_by_two.py
Writes tests/reference/two_by_two_py.json.

Each case is (a, n1, c, n2, level): a/n1 treated, c/n2 control. Sources:
  statsmodels.stats.proportion.confint_proportions_2indep
    compare="diff":  method "wald", "agresti-caffo", "newcomb" (Newcombe 1998 method 10),
                     "score" with correction=True (Miettinen-Nurminen; solved by brentq on the
                     p-value, see the golden test for the tolerance)
    compare="ratio": "score" correction=False (Koopman, via Nam's 1995 closed-form cubic),
                     correction=True (Miettinen-Nurminen, same cubic with z^2 N/(N-1));
                     "log" (Katz) where a, c > 0
    compare="odds-ratio": "score" correction=True (Miettinen-Nurminen: the statistic is
                     (a - n1 p1~)[1/(n1 p1~ q1~) + 1/(n2 p2~ q2~)] / sqrt(var * N/(N-1)), i.e. MN
                     1985), only where no cell is zero (statsmodels brackets from the Woolf CI);
                     "logit" (Woolf) with no zero cell; "logit-adjusted" (0.5 added to every
                     cell: Woolf with the Haldane-Anscombe correction) where a cell is zero
  scipy.stats.contingency.relative_risk(...).confidence_interval: Katz log CI, where a, c > 0
  scipy.stats.chi2_contingency(correction=False/True): Pearson and Yates (min(0.5, |O-E|))
  mpmath (50 digits): the Newcombe hybrid-score limits ("rd_newcombe_mp"), the reference for
    counts near 2^53 where float64 evaluations (statsmodels) lose digits to cancellation
  fractions.Fraction: the Pearson statistic computed exactly (reference for huge counts, where
    float evaluations of O - E lose digits)
Published values (typed in from the papers, 4 decimals) are in two_by_two.R.
"""
import os
import sys
import warnings
from fractions import Fraction

import mpmath as mp
import numpy as np
import scipy
import statsmodels
from scipy.stats import chi2_contingency
from scipy.stats.contingency import relative_risk
from statsmodels.stats.proportion import confint_proportions_2indep

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import versions, write_json  # noqa: E402
from refcommon import num as fin  # noqa: E402  (NaN -> None, +-inf -> "Infinity"/"-Infinity")

BIG = 2**53

CASES = [
    # Newcombe 1998b Table II examples (a)-(h)
    (56, 70, 48, 80, 0.95), (9, 10, 3, 10, 0.95), (6, 7, 2, 7, 0.95), (5, 56, 0, 29, 0.95),
    (0, 10, 0, 20, 0.95), (0, 10, 0, 10, 0.95), (10, 10, 0, 20, 0.95), (10, 10, 0, 10, 0.95),
    # Fagerland, Lydersen & Laake 2015; Koopman 1984 / Nam 1995; Newcombe's HIV example
    (7, 34, 1, 34, 0.95), (36, 40, 16, 80, 0.95), (84, 101, 89, 105, 0.95),
    # n = 1, zero cells of every kind, RD = 0, both all events
    (1, 1, 0, 1, 0.95), (1, 1, 1, 1, 0.95), (0, 1, 1, 1, 0.95), (15, 20, 15, 20, 0.95),
    (0, 25, 5, 25, 0.95), (10, 10, 8, 10, 0.95), (30, 40, 40, 40, 0.95), (20, 20, 20, 20, 0.95),
    (0, 12, 12, 12, 0.95), (3, 29, 6, 36, 0.90), (3, 29, 6, 36, 0.99), (1234, 5000, 1100, 5000, 0.95),
    # counts near 2^53
    (BIG // 2 + 12345, BIG, BIG // 2 - 98765, BIG, 0.95),
]


def pair(ci):
    return [fin(ci[0]), fin(ci[1])]


def try_pair(f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = pair(f())
        return v
    except Exception as e:  # record why a reference is missing instead of failing
        return "error: " + type(e).__name__


def exact_pearson(a, b, c, d, yates):
    n = a + b + c + d
    r1, r2, c1, c2 = a + b, c + d, a + c, b + d
    dev = abs(Fraction(a * d - b * c, n))
    y = min(Fraction(1, 2), dev) if yates else 0
    return float((dev - y) ** 2 * Fraction(n**3, r1 * r2 * c1 * c2))


def mp_newcombe(a, n1, c, n2, level):
    mp.mp.dps = 50
    z = mp.sqrt(2) * mp.erfinv(mp.mpf(level))  # z_{1 - alpha/2}

    def wilson(x, n):
        x, n = mp.mpf(x), mp.mpf(n)
        centre = (x + z * z / 2) / (n + z * z)
        half = z * mp.sqrt(x * (n - x) / n + z * z / 4) / (n + z * z)
        return x / n, centre - half, centre + half

    p1, l1, u1 = wilson(a, n1)
    p2, l2, u2 = wilson(c, n2)
    d = p1 - p2
    return [fin(d - mp.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
            fin(d + mp.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))]


def main():
    out = []
    for a, n1, c, n2, level in CASES:
        alpha = 1 - level
        b, d = n1 - a, n2 - c
        row = {"a": a, "n1": n1, "c": c, "n2": n2, "level": level}
        ci = lambda **kw: (lambda: confint_proportions_2indep(a, n1, c, n2, alpha=alpha, **kw))
        row["rd_wald"] = try_pair(ci(compare="diff", method="wald"))
        row["rd_agresti_caffo"] = try_pair(ci(compare="diff", method="agresti-caffo"))
        row["rd_newcombe"] = try_pair(ci(compare="diff", method="newcomb"))
        row["rd_newcombe_mp"] = mp_newcombe(a, n1, c, n2, level)
        if n1 < 10**6:
            row["rd_mn"] = try_pair(ci(compare="diff", method="score", correction=True))
            row["rr_koopman"] = try_pair(ci(compare="ratio", method="score", correction=False))
            row["rr_mn"] = try_pair(ci(compare="ratio", method="score", correction=True))
        if a > 0 and c > 0:
            row["rr_katz_sm"] = try_pair(ci(compare="ratio", method="log"))
            row["rr_katz_scipy"] = try_pair(lambda: relative_risk(a, n1, c, n2).confidence_interval(level))
        if min(a, b, c, d) > 0:
            row["or_woolf"] = try_pair(ci(compare="odds-ratio", method="logit"))
            if n1 < 10**6:
                row["or_mn"] = try_pair(ci(compare="odds-ratio", method="score", correction=True))
        elif not (a == c == 0 or b == d == 0):
            row["or_woolf_corrected"] = try_pair(ci(compare="odds-ratio", method="logit-adjusted"))
        if a + c > 0 and b + d > 0:
            tab = np.array([[a, b], [c, d]], dtype=float)
            if n1 < 10**6:
                for key, corr in [("chi2_pearson", False), ("chi2_yates", True)]:
                    st, p, dof, _ = chi2_contingency(tab, correction=corr)
                    row[key] = [fin(st), fin(p)]
            row["chi2_pearson_exact"] = exact_pearson(a, b, c, d, False)
            row["chi2_yates_exact"] = exact_pearson(a, b, c, d, True)
        out.append(row)
    doc = {
        "generated_by": "tests/reference/two_by_two.py",
        "versions": versions(np, scipy, statsmodels, mp),
        "cases": out,
    }
    write_json(doc, "two_by_two_py.json")


if __name__ == "__main__":
    main()
