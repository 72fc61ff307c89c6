"""Second-source reference values for src/stats/survival.rs (Kaplan-Meier) from Python lifelines.

Run from the repository root, after tests/reference/km.R (it reads the case inputs, `time` and
`event` of every group, from tests/reference/km.json, so both sources see identical data), with a
Python that has lifelines (pip install lifelines; lifelines 0.30 needs pandas < 3, so keep it out
of the pandas-3 benchmark venv .venv-bench):

    python3 tests/reference/km.py

Writes tests/reference/km_py.json:
  {"meta": {generated_by, versions, conf_int, probs, note},
   "cases": [{"name", "groups": [{"label",
       "timeline":  kmf.timeline: 0 (always added by lifelines) and every distinct observed time
       "surv":      kmf.survival_function_ on the timeline
       "lower", "upper": kmf.confidence_interval_ (lifelines' only CI: exponential Greenwood =
                    R's conf.type = "log-log"; lifelines writes 1.0 where the transform is
                    undefined (S = 1), and gets 0 where S = 0, where R has NA)
       "median":    kmf.median_survival_time_ ("Infinity" = not reached)
       "quantiles": {"probs": [0.25, 0.5, 0.75] (event probabilities, as R's probs),
                     "quantile": qth_survival_time(1 - p, kmf) (first t with S(t) <= 1 - p, no
                                 midpoint rule), "lower"/"upper": the same on the CI curves},
       "vs_r":      comparison with km.json's log-log numbers for this group (see below)}]}],
   "comparison": max over all groups}
vs_r / comparison: max relative difference |a - b| / max(|b|, 1e-300) (0 where both are 0) between
lifelines and R at R's curve times, for surv and for the log-log lower/upper where R has a finite
value, plus the quantiles on which the two differ. Floats are written with repr (17 digits);
NaN -> null, inf -> "Infinity".
"""

import math
import os
import sys

import lifelines
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import qth_survival_time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import num, read_json, versions, write_json  # noqa: E402


def rel_diff(a, b):
    """Max relative difference over pairs where R (b) is finite; (max, count compared)."""
    worst, n = 0.0, 0
    for x, y in zip(a, b):
        if y is None or isinstance(y, str):  # R: NA (null) or Infinity
            continue
        n += 1
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return math.inf, n
        d = abs(x - y)
        if d == 0:
            continue
        worst = max(worst, d / max(abs(y), 1e-300))
    return worst, n


def qnum(x):
    return num(x)


def group_py(g):
    time = np.array(g["time"], dtype=float)
    event = np.array(g["event"], dtype=int)
    kmf = KaplanMeierFitter().fit(time, event_observed=event, alpha=0.05)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    lower, upper = ci.iloc[:, 0], ci.iloc[:, 1]
    probs = [0.25, 0.5, 0.75]
    quant = {
        "probs": probs,
        "quantile": [qnum(qth_survival_time(1 - p, sf)) for p in probs],
        "lower": [qnum(qth_survival_time(1 - p, lower)) for p in probs],
        "upper": [qnum(qth_survival_time(1 - p, upper)) for p in probs],
    }
    # Values at R's curve times (lifelines' timeline holds them all, plus 0).
    rt = g["curve"]["time"]
    s_at = [float(sf.loc[t]) for t in rt]
    lo_at = [float(lower.loc[t]) for t in rt]
    up_at = [float(upper.loc[t]) for t in rt]
    rll = g["curve"]["ci"]["log-log"]
    d_s, n_s = rel_diff(s_at, g["curve"]["surv"])
    d_lo, n_lo = rel_diff(lo_at, rll["lower"])
    d_up, n_up = rel_diff(up_at, rll["upper"])
    # CI entries where R has no limit (NA): what lifelines writes there.
    r_na = [
        {"time": t, "r_surv": s, "py_lower": lo, "py_upper": up}
        for t, s, lo, up, rl in zip(rt, g["curve"]["surv"], lo_at, up_at, rll["lower"])
        if rl is None
    ]
    rq = g["quantiles"]["log-log"]
    q_diff = []
    for i, p in enumerate(probs):
        for key in ("quantile", "lower", "upper"):
            py = quant[key][i]
            r = rq[key][i]
            py_cmp = None if py == "Infinity" else py
            if py_cmp != r:
                q_diff.append({"p": p, "what": key, "r": r, "lifelines": py})
    return {
        "label": g["label"],
        "timeline": [num(t) for t in kmf.timeline],
        "surv": [num(v) for v in sf.values],
        "lower": [num(v) for v in lower.values],
        "upper": [num(v) for v in upper.values],
        "median": num(kmf.median_survival_time_),
        "quantiles": quant,
        "vs_r": {
            "surv_max_rel_diff": num(d_s), "surv_compared": n_s,
            "lower_max_rel_diff": num(d_lo), "lower_compared": n_lo,
            "upper_max_rel_diff": num(d_up), "upper_compared": n_up,
            "ci_where_r_na": r_na,
            "quantile_differences": q_diff,
        },
    }


def main():
    ref = read_json("km.json")
    cases = []
    tot = {"surv": 0.0, "lower": 0.0, "upper": 0.0}
    all_qdiff = []
    for c in ref["cases"]:
        groups = [group_py(g) for g in c["groups"]]
        for g in groups:
            v = g["vs_r"]
            for k in tot:
                x = v[k + "_max_rel_diff"]
                tot[k] = max(tot[k], math.inf if x == "Infinity" else x)
            for q in v["quantile_differences"]:
                all_qdiff.append(dict(case=c["name"], group=g["label"], **q))
        cases.append({"name": c["name"], "groups": groups})
    comparison = {
        "surv_max_rel_diff": num(tot["surv"]),
        "loglog_lower_max_rel_diff": num(tot["lower"]),
        "loglog_upper_max_rel_diff": num(tot["upper"]),
        "quantile_differences": all_qdiff,
    }
    meta = {
        "generated_by": "tests/reference/km.py",
        "versions": versions(lifelines, pd, np),
        "conf_int": 0.95,
        "note": "lifelines KaplanMeierFitter(alpha=0.05); CI = exponential Greenwood (R log-log); "
        "quantiles by lifelines.utils.qth_survival_time(1 - p, ...) (no midpoint rule)",
    }
    write_json({"meta": meta, "cases": cases, "comparison": comparison}, "km_py.json")
    print("surv max rel diff", tot["surv"])
    print("log-log lower max rel diff", tot["lower"], "upper", tot["upper"])
    for q in all_qdiff:
        print("quantile differs:", q)


if __name__ == "__main__":
    main()
