#!/usr/bin/env python3
"""Second-source reference values for the meta-analysis module from statsmodels (second source to
meta.R / metafor).

Run from the repository root, after tests/reference/meta.R (every case's yi/vi are read from
tests/reference/meta.json, so both sources pool identical numbers), with a Python that has
statsmodels (python3 on the dev machine lacks it; /work/main/.venv-bench/bin/python has 0.15):

    python3 tests/reference/meta.py

Per case, with y, v = the escalc yi/vi of meta.json that rma() used (entries with escalc
"dropped" = true, i.e. yi = null, left out), for method_re in "dl", "pm":

    res = statsmodels.stats.meta_analysis.combine_effects(y, v, method_re=METHOD, use_t=False)

statsmodels 0.15 (stats/meta_analysis.py) computes, with w = 1/v, W = sum(w), df = k - 1:
  fixed:   b_fe = sum(w y)/W, se_fe = 1/sqrt(W)                          ("fe")
  Q:       q = sum(w y^2) - (sum(w y))^2 / W   (one-pass form: rounding when Q ~ 0)
  "dl":    tau2 = (q - df) / (W - sum(w^2)/W)  NOT truncated at 0 (negative when q < k - 1)
  "pm":    _fit_tau_iterative(y, v, tau2_start=0, atol=1e-5, maxiter=50): DerSimonian-Kacker
           Newton steps tau2 += ee / sum(w_t^2 (y - m_t)^2), ee = sum(w_t (y - m_t)^2) - df,
           stop when |ee| <= 1e-5 (np.allclose(ee, 0, atol=1e-5): the tolerance is on the Q
           equation, not on tau2); ee < 0 at any step (e.g. at the start) -> tau2 = 0
  random:  w* = 1/(v + tau2), b_re = sum(w* y)/sum(w*), se_re = 1/sqrt(sum(w*))   ("re")
  HKSJ:    var_hksj_re = sum((w*/sum(w*)) (y - b_re)^2) / df  (= metafor's knha s2w/sum(w*),
           NOT floored), CI with use_t=True: b_re -+ t_{0.975, k-1} sqrt(var_hksj_re)  ("re_hksj")
  h2 = q/df, i2 = 1 - 1/h2  (a FRACTION, not truncated at 0: negative when q < k - 1)
  CIs with use_t=False: b -+ norm.isf(0.025) se.

Writes tests/reference/meta_py.json:
  {"meta": {generated_by, versions, note},
   "cases": [{"name", "k",
      "dl": {"tau2", "tau2_negative", "q", "h2", "i2", "i2_percent" (100 i2),
             "fe": {b, se, ci_low, ci_upp},
             "re": {b, se, ci_low, ci_upp}, "re_hksj": {se, ci_low, ci_upp},
             "warnings": [numpy/statsmodels warning messages]},
      "pm": {same, plus "converged" (from _fit_tau_iterative with the same defaults)},
      "vs_metafor": {field: {"statsmodels", "metafor", "abs_diff"} ...}  (see compare())
   }]}
Floats are written with repr (json.dump; 17 significant digits); NaN -> null, inf ->
"Infinity".
"""
import math
import os
import sys
import warnings

import numpy as np
import scipy
import statsmodels
from statsmodels.stats import meta_analysis as sm_meta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import num, read_json, versions, write_json  # noqa: E402


def one(y, v, method_re):
    out = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm_meta.combine_effects(y, v, method_re=method_re, use_t=False)
        ci_z = res.conf_int(use_t=False)
        ci_t = res.conf_int(use_t=True)
        out["tau2"] = num(res.tau2)
        out["tau2_negative"] = bool(res.tau2 < 0)
        out["q"] = num(res.q)
        out["h2"] = num(res.h2)
        out["i2"] = num(res.i2)
        out["i2_percent"] = num(100.0 * res.i2)
        out["fe"] = {"b": num(res.mean_effect_fe), "se": num(res.sd_eff_w_fe),
                     "ci_low": num(ci_z[0][0]), "ci_upp": num(ci_z[0][1])}
        out["re"] = {"b": num(res.mean_effect_re), "se": num(res.sd_eff_w_re),
                     "ci_low": num(ci_z[1][0]), "ci_upp": num(ci_z[1][1])}
        out["re_hksj"] = {"se": num(res.sd_eff_w_re_hksj),
                          "ci_low": num(ci_t[3][0]), "ci_upp": num(ci_t[3][1])}
        if method_re == "pm":
            _, conv = sm_meta._fit_tau_iterative(y, v)
            out["converged"] = bool(conv)
    out["warnings"] = sorted({str(w.message) for w in caught})
    return out


def fit_of(case, method, test="z"):
    for f in case["fits"]:
        if f["method"] == method and f["test"] == test:
            return f
    raise KeyError((method, test))


def diff(sm, mf):
    if sm is None or mf is None or isinstance(sm, str) or isinstance(mf, str):
        return {"statsmodels": sm, "metafor": mf, "abs_diff": None}
    return {"statsmodels": sm, "metafor": mf, "abs_diff": num(abs(sm - mf))}


def compare(case, dl, pm):
    """statsmodels vs metafor (meta.json) for the fields the two define the same way."""
    fe, mdl, mpm = fit_of(case, "FE"), fit_of(case, "DL"), fit_of(case, "PM")
    kh = fit_of(case, "DL", "knha")
    out = {
        "fe_b": diff(dl["fe"]["b"], fe["b"]),
        "fe_se": diff(dl["fe"]["se"], fe["se"]),
        "q_vs_QE": diff(dl["q"], fe["QE"]),
        # metafor's FE I2 = max(0, 100 (Q - df)/Q); statsmodels' i2 is 1 - df/Q untruncated
        "i2_percent_vs_FE_I2": diff(dl["i2_percent"], fe["I2"]),
        "dl_tau2": diff(dl["tau2"], mdl["tau2"]),
        "dl_b": diff(dl["re"]["b"], mdl["b"]),
        "dl_se": diff(dl["re"]["se"], mdl["se"]),
        "dl_ci_low": diff(dl["re"]["ci_low"], mdl["ci.lb"]),
        "dl_ci_upp": diff(dl["re"]["ci_upp"], mdl["ci.ub"]),
        "dl_hksj_se_vs_knha": diff(dl["re_hksj"]["se"], kh["se"]),
        "dl_hksj_ci_low_vs_knha": diff(dl["re_hksj"]["ci_low"], kh["ci.lb"]),
        "dl_hksj_ci_upp_vs_knha": diff(dl["re_hksj"]["ci_upp"], kh["ci.ub"]),
        "pm_tau2": diff(pm["tau2"], mpm["tau2"]),
        "pm_tau2_vs_tight": diff(pm["tau2"], (mpm.get("tight") or {}).get("tau2")),
        "pm_b": diff(pm["re"]["b"], mpm["b"]),
        "pm_se": diff(pm["re"]["se"], mpm["se"]),
    }
    return out


def main():
    doc = read_json("meta.json")
    cases = []
    for case in doc["cases"]:
        yi, vi = case["escalc"]["yi"], case["escalc"]["vi"]
        keep = [i for i, y in enumerate(yi) if y is not None]
        y = np.array([yi[i] for i in keep], dtype=float)
        v = np.array([vi[i] for i in keep], dtype=float)
        dl = one(y, v, "dl")
        pm = one(y, v, "pm")
        cases.append({"name": case["name"], "k": len(y), "dl": dl, "pm": pm,
                      "vs_metafor": compare(case, dl, pm)})
    out = {
        "meta": {
            "generated_by": "tests/reference/meta.py",
            "versions": versions(np, scipy, statsmodels),
            "note": ("statsmodels.stats.meta_analysis.combine_effects(yi, vi, method_re) on "
                     "meta.json's escalc yi/vi; DL tau2 not truncated, i2 a fraction "
                     "(untruncated), "
                     "PM iterated with atol 1e-5 on the Q equation; see the module docstring."),
        },
        "cases": cases,
    }
    write_json(out, "meta_py.json")


if __name__ == "__main__":
    main()
