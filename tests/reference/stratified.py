"""Reference values from statsmodels' StratifiedTable for src/stats/stratified.rs.

Run from the repository root after stratified.R (it reads the data sets from the JSON that script
writes):

    Rscript tests/reference/stratified.R && python3 tests/reference/stratified.py

Writes tests/reference/stratified_py.json.

statsmodels takes a 2×2×K array with table[0, 0, k] = a (treated events), table[0, 1, k] = b,
table[1, 0, k] = c, table[1, 1, k] = d, the same orientation as trialstat's TwoByTwo.

What statsmodels does differently from R (recorded, not copied):
  * test_null_odds(correction=True) subtracts 0.5 from |Δ| even when |Δ| < 0.5 (R's
    mantelhaen.test then applies no correction); its p-value is 1 − cdf, which underflows to 0
    below about 1e-16.
  * test_equal_odds() (Breslow–Day / Tarone) uses all K strata and K − 1 df; a stratum with no
    events or no non-events gives 0/0 (NaN). It is therefore run here on the informative strata
    only (both an event and a non-event in the stratum), which is what metafor and trialstat use.
    With a pooled OR of exactly 1 its quadratic has a zero leading coefficient (division by zero),
    so it is skipped then.
"""

import os
import sys

import numpy as np
import scipy
import statsmodels
from statsmodels.stats.contingency_tables import StratifiedTable

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import INF_AS_NULL, num, read_json, versions, write_json  # noqa: E402

IN_FILE = os.path.join("tests", "reference", "stratified.json")


def fnum(x):
    """A finite float, or None (JSON null) for NaN/inf."""
    return num(x, inf=INF_AS_NULL)


def cube(a, b, c, d):
    t = np.zeros((2, 2, len(a)))
    t[0, 0, :], t[0, 1, :], t[1, 0, :], t[1, 1, :] = a, b, c, d
    return t


def reference_for(ds, level):
    a, b, c, d = (np.asarray(ds[k], dtype=float) for k in "abcd")
    st = StratifiedTable(cube(a, b, c, d))
    res = {"level": level}
    with np.errstate(divide="ignore", invalid="ignore"):
        lo, hi = st.oddsratio_pooled_confint(alpha=1.0 - level)
        res["or"] = {
            "est": fnum(st.oddsratio_pooled),
            "lower": fnum(lo),
            "upper": fnum(hi),
            "se_log": fnum(st.logodds_pooled_se),
        }
        res["rr_est"] = fnum(st.riskratio_pooled)
        for corr, key in ((False, "cmh"), (True, "cmh_yates")):
            t = st.test_null_odds(correction=corr)
            res[key] = {"statistic": fnum(t.statistic), "p": fnum(t.pvalue)}

        # Breslow–Day and Tarone on the informative strata (see module docstring).
        m1, m0 = a + c, b + d
        keep = (m1 > 0) & (m0 > 0)
        res["bd_strata"] = int(keep.sum())
        if keep.sum() >= 2:
            st_inf = StratifiedTable(cube(a[keep], b[keep], c[keep], d[keep]))
            if st_inf.oddsratio_pooled != 1.0 and np.isfinite(st_inf.oddsratio_pooled):
                for adj, key in ((False, "bd"), (True, "tarone")):
                    t = st_inf.test_equal_odds(adjust=adj)
                    res[key] = {"statistic": fnum(t.statistic), "p": fnum(t.pvalue)}
    return res


def main():
    if not os.path.exists(IN_FILE):
        sys.exit(f"{IN_FILE} not found: run from the repository root after stratified.R")
    ref = read_json("stratified.json")
    levels = [r["level"] for r in next(iter(ref["results"].values()))]
    out = {
        "generated_by": "tests/reference/stratified.py",
        "versions": versions(np, scipy, statsmodels),
        "results": {
            name: [reference_for(ds, lv) for lv in levels] for name, ds in ref["datasets"].items()
        },
    }
    write_json(out, "stratified_py.json")


if __name__ == "__main__":
    main()
