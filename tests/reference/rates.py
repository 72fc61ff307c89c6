#!/usr/bin/env python3
"""Reference values for src/stats/rates.rs from statsmodels and SciPy (second source to rates.R).

Run from the repository root:  python3 tests/reference/rates.py
Writes tests/reference/rates_py.json. The cases are those of rates.R (read from rates.json).

* statsmodels.stats.rates.test_poisson_2indep(x1, T1, x2, T2, method="exact-cond"): the exact
  conditional p-value (binomial test of x1 out of x1 + x2 at p0 = T1/(T1 + T2), SciPy's binomtest).
* scipy.stats.binomtest(x1, x1 + x2, p0).proportion_ci(confidence_level, method="exact"):
  Clopper-Pearson limits for p (Boost's beta quantiles), mapped here to the rate ratio by
  psi = p/(1 - p) * T2/T1 -- an exact CI independent of R's qbeta.
* Wald rate ratio: confint_poisson_2indep(method="wald-log") and
  test_poisson_2indep(method="wald-log"): exp(ln IRR +- z sqrt(1/x1 + 1/x2)), z = ln IRR / SE.
* Wald rate difference: confint_poisson_2indep(compare="diff", method="wald") and
  test_poisson_2indep(compare="diff", method="wald").

Zero counts make the Wald quantities infinite or NaN in statsmodels; they are written as
"Infinity"/"-Infinity" or null. NaN is null.
"""
import math
import os
import sys
import warnings

import numpy
import scipy
import statsmodels
from scipy.stats import binomtest
from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import num, read_json, write_json  # noqa: E402


def to_ratio(p, t1, t2):
    """Map a binomial proportion p = T1 psi / (T1 psi + T2) to the rate ratio psi."""
    return math.inf if p >= 1.0 else p / (1.0 - p) * t2 / t1


def main():
    cases = read_json("rates.json")["cases"]
    out = []
    for cs in cases:
        x1, t1, x2, t2, level = cs["x1"], cs["t1"], cs["x2"], cs["t2"], cs["level"]
        alpha = 1.0 - level
        row = {"x1": x1, "t1": t1, "x2": x2, "t2": t2, "level": level, "what": cs["what"]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # divide-by-zero for zero counts
            n = x1 + x2
            if n > 0:
                row["exact_p"] = num(test_poisson_2indep(x1, t1, x2, t2, method="exact-cond").pvalue)
                bt = binomtest(x1, n, t1 / (t1 + t2))
                ci = bt.proportion_ci(confidence_level=level, method="exact")
                row["scipy_exact_lower"] = num(to_ratio(ci.low, t1, t2))
                row["scipy_exact_upper"] = num(to_ratio(ci.high, t1, t2))
                row["scipy_binomtest_p"] = num(bt.pvalue)
            # numpy floats, so that a zero count gives inf/NaN instead of ZeroDivisionError
            f1, e1, f2, e2 = (numpy.float64(v) for v in (x1, t1, x2, t2))
            w = test_poisson_2indep(f1, e1, f2, e2, method="wald-log")
            lo, hi = confint_poisson_2indep(f1, e1, f2, e2, method="wald-log", alpha=alpha)
            row.update(wald_ratio_estimate=num(w.ratio), wald_ratio_lower=num(lo), wald_ratio_upper=num(hi),
                       wald_ratio_z=num(w.statistic), wald_ratio_p=num(w.pvalue))
            d = test_poisson_2indep(f1, e1, f2, e2, method="wald", compare="diff")
            lo, hi = confint_poisson_2indep(f1, e1, f2, e2, method="wald", compare="diff", alpha=alpha)
            row.update(wald_diff_estimate=num(d.diff), wald_diff_lower=num(lo), wald_diff_upper=num(hi),
                       wald_diff_z=num(d.statistic), wald_diff_p=num(d.pvalue))
        out.append(row)
    doc = {
        "source": "statsmodels.stats.rates test_poisson_2indep / confint_poisson_2indep; scipy.stats.binomtest",
        "statsmodels_version": statsmodels.__version__,
        "scipy_version": scipy.__version__,
        "numpy_version": numpy.__version__,
        "cases": out,
    }
    write_json(doc, "rates_py.json")


if __name__ == "__main__":
    main()
