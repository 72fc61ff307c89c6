#!/usr/bin/env python3
"""Reference values for src/stats/exact.rs from SciPy: the tight second source.

Run from the repository root:  python3 tests/reference/exact.py
Writes tests/reference/exact_py.json.

* scipy.stats.contingency.odds_ratio(table, kind="conditional"): conditional MLE of the odds ratio
  (`.statistic`) and exact conditional CI (`.confidence_interval(confidence_level)`), both solved by
  brentq with xtol = 1e-13 on psi over Fisher's noncentral hypergeometric distribution
  (BiasedUrn), so good to ~1e-10 relative -- unlike R's fisher.test (uniroot, ~1e-4).
* scipy.stats.fisher_exact(table): two-sided p-value, same rule as R (relative slack 1e-7).

Orientation: table [[a, b], [c, d]], rows = groups (treated first), first column = events, so the
odds ratio is (a d)/(b c). The cases are those of exact.R (read from exact.json, so the two
files cover the same tables). Non-finite numbers are written as "Infinity"/"-Infinity", NaN as
null.
"""
import os
import sys
import warnings

import numpy
import scipy
from scipy.stats import fisher_exact
from scipy.stats.contingency import odds_ratio

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import num, read_json, write_json  # noqa: E402


def main():
    cases = read_json("exact.json")["cases"]
    out = []
    for cs in cases:
        a, b, c, d, level = cs["a"], cs["b"], cs["c"], cs["d"], cs["level"]
        table = [[a, b], [c, d]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degenerate tables warn and give NaN
            res = odds_ratio(table, kind="conditional")
            ci = res.confidence_interval(confidence_level=level)
        p = fisher_exact(table, alternative="two-sided").pvalue
        out.append({
            "a": a, "b": b, "c": c, "d": d, "level": level, "what": cs["what"],
            "estimate": num(res.statistic),
            "lower": num(ci.low), "upper": num(ci.high),
            "p_value": num(p),
        })
    doc = {
        "source": "scipy.stats.contingency.odds_ratio(kind='conditional'); scipy.stats.fisher_exact",
        "scipy_version": scipy.__version__,
        "numpy_version": numpy.__version__,
        "cases": out,
    }
    write_json(doc, "exact_py.json")


if __name__ == "__main__":
    main()
