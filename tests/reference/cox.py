"""Second-source reference values for src/stats/cox.rs (Cox proportional hazards) from Python
lifelines.

Run from the repository root, after tests/reference/cox.R (it reads every case's inputs -- time,
event, covariates, strata -- from tests/reference/cox.json, so both sources see identical data),
with a Python that has lifelines 0.30 (pandas < 3; e.g. /root/venv-km/bin/python):

    python3 tests/reference/cox.py

Only ties = "efron": lifelines' CoxPHFitter has no Breslow (or exact) option, so the Breslow fits
of cox.json have no second source here.

Per case: CoxPHFitter(penalizer=0.0).fit(df, "time", "event", strata=["stratum"] when the case is
stratified) on the same design as R: numeric covariates as given, a factor dummy-coded 0/1 for
each non-reference level (reference = levels[0], R's treatment contrasts), the dummy columns named
as R names its coefficients (covariate name + level), so "terms" lines up with cox.json's.
lifelines iterates from 0 with a damped Newton-Raphson (step size starting at 0.95) on internally
standardised covariates and stops on |delta| < 1e-7, a relative loglik change < 1e-9 or a Newton
decrement < 1e-7, so its coefficients differ from R's by roughly the convergence tolerance, not
by rounding.

Writes tests/reference/cox_py.json:
  {"meta": {generated_by, versions, note},
   "cases": [{"name",
       "terms":       the design columns (= R's coefficient names)
       "coef", "se":  cph.params_, cph.standard_errors_
       "loglik":      cph.log_likelihood_
       "loglik_null": cph._ll_null_ (the loglik at beta = 0 of the first iteration, strata
                      respected)
       "lr":          cph.log_likelihood_ratio_test(): {chisq, df, p}
       "zph":         lifelines.statistics.proportional_hazard_test(cph, df, time_transform="km"):
                      {"terms": [{name, chisq, df: 1, p}]} PER DESIGN COLUMN (a 3-level factor
                      gives two 1-df tests, R one 2-df test) and computed with the pre-2019
                      approximation of R's cox.zph (scaled Schoenfeld residuals and the overall
                      variance; lifelines' docstring says so): it is not the score test R 3.x
                      computes and differs from it by more than rounding; no global test.
                      null when it fails ("zph_error")
       "converged":   false when lifelines warned that Newton-Raphson failed to converge
       "warnings":    the messages of the warnings lifelines emitted (verbatim), [] when none
       "vs_r":        {coef_max_rel_diff, se_max_rel_diff, loglik_rel_diff,
                       loglik_null_rel_diff, lr_chisq_rel_diff} against cox.json's efron fit
       "note":        only for a case whose coef/se are not comparable (monotone likelihood)
     } or {"name", "skipped": reason} for a case where lifelines raises an error (none now)]}
Relative differences are |a - b| / max(|b|, 1e-300) with b = R. Floats are written with repr
(17 digits); NaN -> null, inf -> "Infinity".
"""

import math
import os
import sys
import warnings

import lifelines
import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import num, read_json, versions, write_json  # noqa: E402

# Cases lifelines fits but whose coef/se are not comparable with R's, with the reason (written to
# cox_py.json as "note"; their coef/se differences are left out of the printed summary line).
NOT_COMPARABLE = {
    "monotone": "arm B has no events: the partial likelihood is monotone and the MLE of armB is "
    "-Infinity; R stops when its loglik criterion is met (coef ~ -18.8, warning 'Loglik converged "
    "before variable 1'), lifelines on its own criteria at another finite value (with "
    "ConvergenceWarnings), so coef and se differ by design; loglik and the LR test still agree",
}


def design(case):
    """The covariate DataFrame (R's column names and order) plus time, event, stratum."""
    cols = {}
    for cov in case["covariates"]:
        if cov["kind"] == "numeric":
            cols[cov["name"]] = np.array(cov["values"], dtype=float)
        else:
            values = np.array(cov["values"], dtype=object)
            for level in cov["levels"][1:]:
                cols[cov["name"] + level] = (values == level).astype(float)
    terms = list(cols)
    df = pd.DataFrame(cols)
    df["time"] = np.array(case["time"], dtype=float)
    df["event"] = np.array(case["event"], dtype=int)
    if case["strata"] is not None:
        df["stratum"] = case["strata"]
    return df, terms


def rel_diff(a, b):
    """Max relative difference |a - b| / max(|b|, 1e-300) over pairs (b = R)."""
    worst = 0.0
    for x, y in zip(a, b):
        if x is None or y is None or not math.isfinite(x):
            return math.inf
        d = abs(x - y)
        if d != 0:
            worst = max(worst, d / max(abs(y), 1e-300))
    return worst


def fit_case(case):
    df, terms = design(case)
    strata = ["stratum"] if case["strata"] is not None else None
    caught = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        cph = CoxPHFitter(penalizer=0.0).fit(df, "time", "event", strata=strata)
        lr = cph.log_likelihood_ratio_test()
        caught.extend(w)
    params = [float(cph.params_[t]) for t in terms]
    se = [float(cph.standard_errors_[t]) for t in terms]
    zph, zph_error = None, None
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = proportional_hazard_test(cph, df, time_transform="km")
            caught.extend(w)
        summ = res.summary
        zph = {
            "terms": [
                {
                    "name": name if isinstance(name, str) else name[0],
                    "chisq": num(row["test_statistic"]),
                    "df": 1,
                    "p": num(row["p"]),
                }
                for name, row in summ.iterrows()
            ]
        }
    except Exception as e:  # noqa: BLE001 -- recorded, not fatal
        zph_error = "%s: %s" % (type(e).__name__, e)
    msgs = [str(x.message).strip() for x in caught]
    converged = not any("failed to converge" in m for m in msgs)
    out = {
        "name": case["name"],
        "terms": terms,
        "coef": [num(x) for x in params],
        "se": [num(x) for x in se],
        "loglik": num(cph.log_likelihood_),
        "loglik_null": num(getattr(cph, "_ll_null_", float("nan"))),
        "lr": {"chisq": num(lr.test_statistic), "df": int(lr.degrees_freedom), "p": num(lr.p_value)},
        "zph": zph,
        "zph_error": zph_error,
        "converged": converged,
        "warnings": msgs,
    }
    r = next(f for f in case["fits"] if f["ties"] == "efron")
    assert r["terms"] == terms, (r["terms"], terms)
    out["vs_r"] = {
        "coef_max_rel_diff": num(rel_diff(params, r["coef"])),
        "se_max_rel_diff": num(rel_diff(se, r["se"])),
        "loglik_rel_diff": num(rel_diff([out["loglik"]], [r["loglik"]])),
        "loglik_null_rel_diff": num(rel_diff([out["loglik_null"]], [r["loglik_null"]])),
        "lr_chisq_rel_diff": num(rel_diff([out["lr"]["chisq"]], [r["lr"]["chisq"]])),
    }
    if case["name"] in NOT_COMPARABLE:
        out["note"] = NOT_COMPARABLE[case["name"]]
    return out


def main():
    ref = read_json("cox.json")
    cases = []
    for c in ref["cases"]:
        try:
            cases.append(fit_case(c))
        except Exception as e:  # noqa: BLE001 -- recorded as the reason for skipping
            cases.append({"name": c["name"], "skipped": "%s: %s" % (type(e).__name__, e)})
    meta = {
        "generated_by": "tests/reference/cox.py",
        "versions": versions(lifelines, pd, np),
        "note": "lifelines CoxPHFitter(penalizer=0.0), Efron ties only (lifelines has no Breslow); "
        "factors dummy-coded against the first level as R; strata via strata=['stratum']; "
        "zph = proportional_hazard_test(time_transform='km'), per design column, the pre-2019 "
        "approximation of cox.zph (differs from R 3.x)",
    }
    write_json({"meta": meta, "cases": cases}, "cox_py.json")
    rzph = {c["name"]: next(f for f in c["fits"] if f["ties"] == "efron")["zph"] for c in ref["cases"]}
    print("max relative difference lifelines vs R (efron)")
    print("%-18s %-9s %-9s %-9s %-9s" % ("case", "coef", "se", "loglik", "lr chisq"))
    worst = {"coef": 0.0, "se": 0.0}
    for c in cases:
        if "skipped" in c:
            print("%-18s skipped: %s" % (c["name"], c["skipped"][:70]))
            continue
        v = c["vs_r"]
        print(
            "%-18s %-9.2e %-9.2e %-9.2e %-9.2e%s"
            % (c["name"], v["coef_max_rel_diff"], v["se_max_rel_diff"], v["loglik_rel_diff"],
               v["lr_chisq_rel_diff"], "  (not comparable: monotone likelihood)" if "note" in c else "")
        )
        if "note" not in c:
            worst["coef"] = max(worst["coef"], v["coef_max_rel_diff"])
            worst["se"] = max(worst["se"], v["se_max_rel_diff"])
        zl = " ".join("%s=%.4g" % (t["name"], t["chisq"]) for t in (c["zph"] or {"terms": []})["terms"])
        r_terms = (rzph[c["name"]] or {"terms": []})["terms"]
        zr = " ".join("%s=%.4g(df %d)" % (t["name"], t["chisq"], t["df"]) for t in r_terms)
        print("    zph chisq  lifelines per column: %s" % (zl or c["zph_error"]))
        print("               R per term:           %s" % zr)
        for m in c["warnings"]:
            print("    warning:", m.splitlines()[0][:150])
    print("over the comparable cases: coef %.2e, se %.2e" % (worst["coef"], worst["se"]))


if __name__ == "__main__":
    main()
