"""Second source for src/stats/ancova.rs: statsmodels OLS (params, bse, tvalues, pvalues,
conf_int, scale, rsquared) on the cases of tests/reference/ancova.json.

Run from the repository root after ancova.R (it reads the case list and the inline inputs from
tests/reference/ancova.json; the headache cases are read from the CSV named there):
    python3 tests/reference/ancova.py
Writes tests/reference/ancova_py.json.
"""
import math
import os
import sys

import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import floats, read_json, versions, write_json  # noqa: E402


def case_frame(case):
    """Data frame with columns y, treated, baseline, <covariates> and the covariate names."""
    if "csv" in case:
        spec = case["csv"]
        raw = pd.read_csv(spec["file"])
        covs = spec["covariates"]
        d = pd.DataFrame({"y": raw[spec["outcome"]], "treated": raw[spec["treated"]].astype(float),
                          "baseline": raw[spec["baseline"]]})
        for c in covs:
            d[c] = raw[c].astype(float)
    else:
        inp = case["inputs"]
        covs = [c["name"] for c in inp["covariates"]]
        d = pd.DataFrame({"y": floats(inp["outcome"]), "treated": np.array(inp["treated"], dtype=float),
                          "baseline": floats(inp["baseline"])})
        for c in inp["covariates"]:
            d[c["name"]] = floats(c["values"])
    return d, covs


def main():
    ref = read_json("ancova.json")
    out = []
    for case in ref["cases"]:
        d, covs = case_frame(case)
        cc = d.dropna()  # complete cases, as R's na.omit
        x = sm.add_constant(cc[["treated", "baseline"] + covs], has_constant="add")
        m = sm.OLS(cc["y"], x).fit()
        ci95 = m.conf_int(alpha=0.05).loc["treated"]
        ci90 = m.conf_int(alpha=0.10).loc["treated"]
        names = ["(Intercept)" if n == "const" else n for n in x.columns]
        out.append({
            "name": case["name"],
            "n": int(m.nobs),
            "residual_df": float(m.df_resid),
            "sigma": math.sqrt(m.scale),
            "r_squared": float(m.rsquared),
            "coefficients": [
                {"name": nm, "estimate": float(m.params.iloc[i]), "se": float(m.bse.iloc[i]),
                 "t": float(m.tvalues.iloc[i]), "p_value": float(m.pvalues.iloc[i])}
                for i, nm in enumerate(names)
            ],
            "ci95": {"lower": float(ci95.iloc[0]), "upper": float(ci95.iloc[1])},
            "ci90": {"lower": float(ci90.iloc[0]), "upper": float(ci90.iloc[1])},
        })
    res = {
        "generated_by": "tests/reference/ancova.py",
        "versions": versions(statsmodels, np, pd),
        "cases": out,
    }
    write_json(res, "ancova_py.json")


if __name__ == "__main__":
    main()
