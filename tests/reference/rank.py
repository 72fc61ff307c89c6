"""Second-source reference values for src/stats/rank.rs from SciPy.

Run from the repository root, after tests/reference/rank.R (it reads the case inputs from
tests/reference/rank.json so that both sources see bit-identical data):

    python3 tests/reference/rank.py

Writes tests/reference/rank_py.json with, for every case that R's wilcox.test can test:
  * signed rank: scipy.stats.wilcoxon(d, zero_method="wilcox", correction=True,
    alternative="two-sided", method="exact" or "approx"). Two-sided, SciPy's statistic is
    min(V+, V-), not R's V; it is stored as `statistic_min` and compared as such.
  * rank sum: scipy.stats.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True,
    method="exact" or "asymptotic"); its statistic is U of x = R's W.
The method is the one R actually used (R falls back to the normal approximation with ties or
zeros), so "exact" is only asked of SciPy for tie-free data. SciPy has no Hodges-Lehmann estimate
or CI, so only statistics and p-values come from here. Floats are written with repr (17 digits).
"""

import os
import sys

import numpy as np
import scipy
from scipy import stats

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import read_json, write_json  # noqa: E402


def main():
    cases = read_json("rank.json")["cases"]
    out = []
    for c in cases:
        r = c["r"]
        if r.get("p") is None:  # R has no p-value (nothing to compare)
            continue
        exact = "exact" in r["method"]
        x = np.array(c["x"], dtype=float)
        if c["kind"] == "signed":
            res = stats.wilcoxon(
                x,
                zero_method="wilcox",
                correction=True,
                alternative="two-sided",
                method="exact" if exact else "approx",
            )
            out.append({
                "name": c["name"],
                "scipy_method": "exact" if exact else "approx",
                "statistic_min": float(res.statistic),
                "p": float(res.pvalue),
            })
        else:
            y = np.array(c["y"], dtype=float)
            res = stats.mannwhitneyu(
                x,
                y,
                alternative="two-sided",
                use_continuity=True,
                method="exact" if exact else "asymptotic",
            )
            out.append({
                "name": c["name"],
                "scipy_method": "exact" if exact else "asymptotic",
                "statistic": float(res.statistic),
                "p": float(res.pvalue),
            })
    doc = {
        "meta": {
            "generated_by": "tests/reference/rank.py",
            "scipy": scipy.__version__,
            "numpy": np.__version__,
        },
        "cases": out,
    }
    write_json(doc, "rank_py.json")


if __name__ == "__main__":
    main()
