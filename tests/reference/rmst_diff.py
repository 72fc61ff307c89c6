"""Second-source reference values for the per-arm RMST of tests/reference/rmst_diff.json, from
Python lifelines (lifelines.utils.restricted_mean_survival_time on a KaplanMeierFitter).

Run from the repository root, after tests/reference/rmst_diff.R (it reads every case's inputs,
`time`, `event`, `arm`, and every comparison's `tau` from tests/reference/rmst_diff.json, so both
sources see identical data), with a Python that has lifelines (lifelines 0.30 needs pandas < 3):

    python3 tests/reference/rmst_diff.py

Writes tests/reference/rmst_diff_py.json:
  {"meta": {generated_by, versions, note},
   "cases": [{"name", "comparisons": [{"treatment", "tau",
       "arms": {"control"/"treatment": {"rmst", "variance_lifelines", "r_rmst", "r_se",
                "rmst_rel_diff", "variance_over_r_se2", "variance_over_n_r_se2"}},
       "difference": rmst1 - rmst0, "ratio": rmst1 / rmst0,
       "rmtl_ratio": (tau - rmst1) / (tau - rmst0)     (point estimates from lifelines' rmst)}]}],
   "comparison": {"rmst_max_rel_diff", "difference_max_rel_diff", "ratio_max_rel_diff",
                  "rmtl_ratio_max_rel_diff", "variance_over_r_se2_range",
                  "variance_over_n_r_se2_range"}}

Only lifelines' RMST is a second source. Its "variance" (return_variance=True) is NOT the
sampling variance of the RMST estimate that R/survRM2 report (se(rmean)^2, Greenwood plug-in):
lifelines returns 2 * integral_0^tau u S(u) du - rmst^2 (the first integral by scipy quad on the
KM step function), i.e. Var(min(T, tau)) of the event-time distribution the KM estimates, a
per-subject variance that does not shrink with n. Without censoring, R's se(rmean)^2 is exactly
(1/n) * (1/n) sum (min(T_i, tau) - rmst)^2 = that variance / n, so variance / (n se_R^2) = 1 up
to quad's error (~1e-4 relative on a step function); with censoring it is < 1 (the Greenwood
variance grows with censoring). Both ratios are recorded for information only.
Relative differences: |a - b| / |b| with b = R's value. Floats are written with repr (17 digits).
"""

import math
import os
import sys
import warnings

import lifelines
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import restricted_mean_survival_time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import num, read_json, versions, write_json  # noqa: E402


def rel(a, b):
    return 0.0 if a == b else abs(a - b) / max(abs(b), 1e-300)


def arm_py(time, event, tau, r_arm):
    kmf = KaplanMeierFitter().fit(np.asarray(time, float), event_observed=np.asarray(event, int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy quad's IntegrationWarning on the step function
        rmst, var = restricted_mean_survival_time(kmf, t=tau, return_variance=True)
    rmst, var = float(rmst), float(var)
    se2 = r_arm["se"] ** 2
    return {
        "rmst": rmst,
        "variance_lifelines": var,
        "r_rmst": r_arm["rmst"],
        "r_se": r_arm["se"],
        "rmst_rel_diff": rel(rmst, r_arm["rmst"]),
        "variance_over_r_se2": num(var / se2) if se2 > 0 else None,
        "variance_over_n_r_se2": num(var / (len(time) * se2)) if se2 > 0 else None,
    }


def main():
    ref = read_json("rmst_diff.json")
    worst = {"rmst": 0.0, "difference": 0.0, "ratio": 0.0, "rmtl_ratio": 0.0}
    vr, vnr = [], []
    cases = []
    for c in ref["cases"]:
        comps = []
        for cmp in c["comparisons"]:
            tau = cmp["tau"]
            arms = {}
            for role, label in (("control", c["control"]), ("treatment", cmp["treatment"])):
                idx = [i for i, a in enumerate(c["arm"]) if a == label]
                arms[role] = arm_py([c["time"][i] for i in idx], [c["event"][i] for i in idx],
                                    tau, cmp["arms"][role])
                worst["rmst"] = max(worst["rmst"], arms[role]["rmst_rel_diff"])
                if arms[role]["variance_over_r_se2"] is not None:
                    vr.append(arms[role]["variance_over_r_se2"])
                    vnr.append(arms[role]["variance_over_n_r_se2"])
            r1, r0 = arms["treatment"]["rmst"], arms["control"]["rmst"]
            est = {"difference": r1 - r0, "ratio": r1 / r0,
                   "rmtl_ratio": (tau - r1) / (tau - r0) if tau - r0 > 0 else None}
            for k, v in est.items():
                if v is not None and cmp[k] is not None:
                    worst[k] = max(worst[k], rel(v, cmp[k]["estimate"]))
            comps.append({"treatment": cmp["treatment"], "tau": tau, "arms": arms,
                          **{k: num(v) for k, v in est.items()}})
            print(f"{c['name']:18s} {cmp['treatment']:22s} tau={tau:<7g} "
                  f"rmst rel diff {arms['treatment']['rmst_rel_diff']:.2e}/"
                  f"{arms['control']['rmst_rel_diff']:.2e}  var/(n se_R^2) "
                  f"{arms['treatment']['variance_over_n_r_se2']:.4f}/"
                  f"{arms['control']['variance_over_n_r_se2']:.4f}")
        cases.append({"name": c["name"], "comparisons": comps})
    comparison = {
        "rmst_max_rel_diff": worst["rmst"],
        "difference_max_rel_diff": worst["difference"],
        "ratio_max_rel_diff": worst["ratio"],
        "rmtl_ratio_max_rel_diff": worst["rmtl_ratio"],
        "variance_over_r_se2_range": [min(vr), max(vr)],
        "variance_over_n_r_se2_range": [min(vnr), max(vnr)],
    }
    meta = {
        "generated_by": "tests/reference/rmst_diff.py",
        "versions": versions(lifelines, pd, np),
        "note": "restricted_mean_survival_time(KaplanMeierFitter().fit(time, event), t=tau, "
        "return_variance=True) per arm; only the rmst is a second source (lifelines' variance is "
        "Var(min(T, tau)) under the KM, 2 int_0^tau u S(u) du - rmst^2, not the Greenwood "
        "sampling variance of R / survRM2); difference / ratio / rmtl_ratio are point estimates "
        "from lifelines' rmst",
    }
    write_json({"meta": meta, "cases": cases, "comparison": comparison}, "rmst_diff_py.json")
    for k, v in comparison.items():
        print(k, v)


if __name__ == "__main__":
    main()
