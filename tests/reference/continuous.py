"""SciPy second source for continuous outcomes; writes tests/reference/continuous_py.json.

Run from the repository root after continuous.R (it reads the raw data and the pt grid from
tests/reference/continuous.json, so both sources see identical inputs):

    python3 tests/reference/continuous.py

* scipy.stats.ttest_ind(equal_var=False/True) and ttest_rel: statistic, df, p-value and
  confidence_interval(level) for the mean difference / mean change.
* scipy.stats.nct.cdf (Boost's noncentral t) at every pt(t, df, ncp) point of the R grid.
* Noncentral-t limits for Cohen's d, Hedges' g, Glass's delta, d_z and g_z under effectsize's
  definition, solved with brentq(xtol=1e-14) on nct.cdf: an implementation independent of R's
  AS 243. They agree with R's only where R's pt is not in its normal-approximation region
  (|ncp| <= 37.62 and df <= 4e5); `r_series_region` marks those rows.
"""

import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import optimize, stats
from scipy.special import gammaln

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import read_json, versions, write_json  # noqa: E402
from refcommon import num as fnum  # noqa: E402  (NaN -> None, +-inf -> "Infinity"/"-Infinity")

R_SERIES_MAX_NCP = math.sqrt(2 * math.log(2) * 1021)  # 37.62: beyond, R's pnt approximates


def ncp_limits(t, df, level):
    """ncp with nct.cdf(t, df, ncp) = 1 - a/2 and a/2 (nct.cdf decreases in ncp)."""
    a = 1 - level

    def root(p):
        f = lambda ncp: stats.nct.cdf(t, df, ncp) - p
        lo, hi = t - 1.0, t + 1.0
        while f(lo) < 0:
            lo -= 2 * (hi - lo)
        while f(hi) > 0:
            hi += 2 * (hi - lo)
        return optimize.brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)

    return root(1 - a / 2), root(a / 2)


def hedges_j(m):
    return math.exp(gammaln(m / 2) - math.log(math.sqrt(m / 2)) - gammaln((m - 1) / 2))


def in_series_region(df, *ncps):
    return df <= 4e5 and all(abs(v) <= R_SERIES_MAX_NCP for v in ncps)


def ttest_row(measure, method, res, level, estimate):
    ci = res.confidence_interval(confidence_level=level)
    return {
        "measure": measure, "method": method, "source": "scipy", "level": level,
        "estimate": fnum(estimate), "lower": fnum(ci.low), "upper": fnum(ci.high),
        "statistic": fnum(res.statistic), "df": fnum(res.df), "p": fnum(res.pvalue),
    }


def nct_row(measure, level, est, t, df, lim, scale):
    return {
        "measure": measure, "method": "noncentral-t", "source": "scipy-nct", "level": level,
        "estimate": est, "lower": lim[0] * scale, "upper": lim[1] * scale, "statistic": t, "df": df,
        "r_series_region": in_series_region(df, *lim),
    }


def two_group(case, levels):
    x, y = np.asarray(case["x"], float), np.asarray(case["y"], float)
    n1, n2 = len(x), len(y)
    rows = []
    for level in levels:
        for equal_var, method in ((False, "welch"), (True, "pooled")):
            if not equal_var and (n1 < 2 or n2 < 2):
                continue  # Welch undefined (SciPy returns NaN)
            res = stats.ttest_ind(x, y, equal_var=equal_var)
            if np.isfinite(res.statistic):
                rows.append(ttest_row("mean-difference", method, res, level, x.mean() - y.mean()))
        df = n1 + n2 - 2
        ss = (n1 - 1) * (x.var(ddof=1) if n1 > 1 else 0) + (n2 - 1) * (y.var(ddof=1) if n2 > 1 else 0)
        sp = math.sqrt(ss / df)
        if sp > 0:
            hn = 1 / n1 + 1 / n2
            d = (x.mean() - y.mean()) / sp
            t = d / math.sqrt(hn)
            lim = ncp_limits(t, df, level)
            rows.append(nct_row("cohens-d", level, d, t, df, lim, math.sqrt(hn)))
            if df >= 2:
                j = hedges_j(df)
                rows.append(nct_row("hedges-g", level, j * d, t, df, lim, j * math.sqrt(hn)))
        if n1 >= 2 and n2 >= 2 and y.std(ddof=1) > 0:
            s1, s2 = x.std(ddof=1), y.std(ddof=1)
            delta = (x.mean() - y.mean()) / s2
            h = 1 / n2 + s1**2 / (n1 * s2**2)
            t = delta / math.sqrt(h)
            lim = ncp_limits(t, n2 - 1, level)
            rows.append(nct_row("glass-delta", level, delta, t, n2 - 1, lim, math.sqrt(h)))
    return rows


def paired(case, levels):
    x, y = np.asarray(case["x"], float), np.asarray(case["y"], float)
    dd = x - y
    n = len(dd)
    rows = []
    for level in levels:
        res = stats.ttest_rel(x, y)
        rows.append(ttest_row("mean-change", "exact", res, level, dd.mean()))
        dz = dd.mean() / dd.std(ddof=1)
        t = dz * math.sqrt(n)
        lim = ncp_limits(t, n - 1, level)
        rows.append(nct_row("d-z", level, dz, t, n - 1, lim, 1 / math.sqrt(n)))
        if n >= 3:
            j = hedges_j(n - 1)
            rows.append(nct_row("g-z", level, j * dz, t, n - 1, lim, j / math.sqrt(n)))
    return rows


def main():
    # "treated_sd_zero" has a constant group: SciPy warns about precision loss in its moments,
    # harmlessly (the t test is still defined by the other group's variance).
    warnings.filterwarnings("ignore", message="Precision loss occurred in moment calculation")
    ref = read_json("continuous.json")
    levels = ref["levels"]
    out = {
        "generated_by": "tests/reference/continuous.py",
        "versions": versions(scipy, np),
        "two_group": [{"name": c["name"], "rows": two_group(c, levels)} for c in ref["two_group"]],
        "paired": [{"name": c["name"], "rows": paired(c, levels)} for c in ref["paired"]],
        "pnt": [{"t": g["t"], "df": g["df"], "ncp": g["ncp"],
                 "p": fnum(stats.nct.cdf(g["t"], g["df"], g["ncp"])),
                 "r_series_region": in_series_region(g["df"], g["ncp"])}
                for g in ref["pnt"]],
    }
    path = write_json(out, "continuous_py.json", final_newline=False)
    print(f"wrote {os.path.relpath(path)}: {len(out['two_group'])} two-group, {len(out['paired'])} paired cases, "
          f"{len(out['pnt'])} nct values")


if __name__ == "__main__":
    main()
