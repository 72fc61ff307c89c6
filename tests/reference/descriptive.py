"""Second source for src/stats/descriptive.rs: numpy.quantile(method=...) (= numpy.percentile), numpy std(ddof=1), math.fsum mean.

Run from the repository root after descriptive.R (it reads the input vectors and probabilities from
tests/reference/descriptive.json):  python3 tests/reference/descriptive.py
Writes tests/reference/descriptive_py.json.

numpy's methods are the nine Hyndman-Fan (1996) definitions under other names; this map is
numpy's own documentation of numpy.percentile.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import INF_AS_FLOAT, floats, read_json, versions, write_json  # noqa: E402
from refcommon import num as _num  # noqa: E402

METHODS = {
    1: "inverted_cdf",
    2: "averaged_inverted_cdf",
    3: "closest_observation",
    4: "interpolated_inverted_cdf",
    5: "hazen",
    6: "weibull",
    7: "linear",
    8: "median_unbiased",
    9: "normal_unbiased",
}


def num(x):
    """Float or None (NaN); Python's json writes repr(), i.e. the shortest round-trip digits."""
    return _num(x, inf=INF_AS_FLOAT)


def main():
    ref = read_json("descriptive.json")
    probs = np.array(ref["probs"], dtype=float)
    cases = []
    for case in ref["cases"]:
        x = floats(case["x"])
        x = x[~np.isnan(x)]
        out = {"name": case["name"], "n": int(x.size)}
        if x.size > 0:
            out["quantiles"] = [
                {"type": k, "method": m, "values": [num(v) for v in np.quantile(x, probs, method=m)]}
                for k, m in METHODS.items()
            ]
            # Mean from math.fsum (exactly rounded sum): numpy's pairwise summation loses ~1e-12
            # relative on the "wide" case (values of +-1e6 beside 1e-3), where R's long-double sum
            # and trialstat's compensated sum do not.
            out["mean"] = num(math.fsum(x) / x.size)
            out["mean_numpy"] = num(np.mean(x))
            out["sd"] = num(np.std(x, ddof=1)) if x.size > 1 else None
        cases.append(out)
    res = {
        "generated_by": "tests/reference/descriptive.py",
        "versions": versions(np),
        "cases": cases,
    }
    write_json(res, "descriptive_py.json")


if __name__ == "__main__":
    main()
