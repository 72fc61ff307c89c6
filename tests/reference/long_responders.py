"""Reference responder rates from long (one row per subject x visit/period) files, computed with
Python's csv module and the statistics module (no pandas/polars), as an independent check of trialstat's
responder analysis after long-to-wide reshaping.

1. "epilepsy" -- datasets/epilepsy_progabide/epil.csv (59 subjects x periods 1..4; y = seizures in the
   2-week period, base = 8-week baseline count). Follow-up = sum of y over the four periods (8 weeks).
   Responder when (base - total) / base >= threshold, for thresholds 50 % (the main end point; expected
   placebo 2/28, progabide 8/31), 75 % and 25 %. Per arm: responders, n, missing, mean baseline, mean
   total. Variant "period4_vs_base_over_4" (secondary): responder when
   (base/4 - y_period4) / (base/4) >= 0.5. "age_by_responder": within each arm, for responders and
   non-responders of the 50 % 8-week rule, n, mean, sd (n - 1; null when n < 2) and median of age.
2. "adas" -- datasets/cdisc_pilot01/adqsadas_actot.csv (ADaM BDS, ADAS-Cog(11) total), rows with
   EFFFL == "Y" and ANL01FL == "Y" (this keeps the LOCF-imputed Week 24 rows), arm TRTP. Per subject
   AVAL at AVISIT "Baseline" and "Week 24"; complete cases. Rules: absolute change W24 - BL <= -4, and
   percent change (W24 - BL) / |BL| <= -0.20. Per arm: responders, n (both visits), missing (exactly
   one of the two visits). Variant "observed" (secondary): the same after also dropping rows with
   DTYPE == "LOCF", so that subjects without an observed Week 24 count as missing.

Rules are evaluated in floating point as written above; "on_threshold" counts the subjects whose
ratio equals the threshold exactly (evaluated with fractions.Fraction), where >= vs > or rounding
matters. Missing values are cells that are empty, "NA" or ".". "checks" records the data checks
(rows per subject, duplicate subject x visit rows, arm constant within subject) and "anchors" the
figures of the PROVENANCE.md files; the script writes the JSON, then exits with status 1 if an anchor
does not match.

Run from the repository root:  python3 tests/reference/long_responders.py
Writes tests/reference/long_responders.json.
"""
import collections
import csv
import os
import statistics
import sys
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import num, versions, write_json  # noqa: E402

MISSING = {"", "NA", "."}
EPIL = "datasets/epilepsy_progabide/epil.csv"
ADAS = "datasets/cdisc_pilot01/adqsadas_actot.csv"
EPIL_ARMS = ["placebo", "progabide"]
ADAS_ARMS = ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def value(s):
    return None if s in MISSING else float(s)


def exact(s):
    return None if s in MISSING else Fraction(s)


def mean(xs):
    return num(statistics.fmean(xs)) if xs else None


def describe(xs):
    return {"n": len(xs), "mean": mean(xs), "sd": num(statistics.stdev(xs)) if len(xs) > 1 else None,
            "median": num(statistics.median(xs)) if xs else None}


# ---------------------------------------------------------------- epilepsy
def epilepsy(checks):
    data = rows(EPIL)
    subj = collections.OrderedDict()
    for r in data:
        subj.setdefault(r["subject"], []).append(r)
    wide = []
    const_ok = True
    for sid, rs in subj.items():
        const_ok &= len({(r["trt"], r["base"], r["age"]) for r in rs}) == 1
        periods = collections.Counter(r["period"] for r in rs)
        ys = {r["period"]: r["y"] for r in rs}
        complete = sorted(periods) == ["1", "2", "3", "4"] and all(v == 1 for v in periods.values()) \
            and all(ys[p] not in MISSING for p in "1234")
        wide.append({"subject": sid, "trt": rs[0]["trt"], "base_s": rs[0]["base"], "age": value(rs[0]["age"]),
                     "total": sum(float(ys[p]) for p in "1234") if complete else None,
                     "total_exact": sum(Fraction(ys[p]) for p in "1234") if complete else None,
                     "y4_s": ys.get("4", "")})
    dup = sum(v - 1 for v in collections.Counter((r["subject"], r["period"]) for r in data).values() if v > 1)
    checks["epilepsy"] = {"rows": len(data), "subjects": len(subj),
                          "rows_per_subject": dict(collections.Counter(len(v) for v in subj.values())),
                          "duplicate_subject_period_rows": dup,
                          "trt_base_age_constant_within_subject": const_ok,
                          "missing_cells": sum(v in MISSING for r in data for v in r.values())}

    def status(w, threshold):
        """(responder or None if missing, exactly on the threshold)."""
        b, t = value(w["base_s"]), w["total"]
        if b is None or t is None or b == 0:
            return None, False
        on = (exact(w["base_s"]) - w["total_exact"]) / exact(w["base_s"]) == Fraction(threshold)
        return (b - t) / b >= threshold, on

    def status_p4(w):
        b, y4 = value(w["base_s"]), value(w["y4_s"])
        if b is None or y4 is None or b == 0:
            return None, False
        q = b / 4
        on = (exact(w["base_s"]) / 4 - exact(w["y4_s"])) / (exact(w["base_s"]) / 4) == Fraction(1, 2)
        return (q - y4) / q >= 0.5, on

    def tally(stat):
        out = {}
        for a in EPIL_ARMS:
            ws = [w for w in wide if w["trt"] == a]
            resp = n = miss = on = 0
            for w in ws:
                s, o = stat(w)
                if s is None:
                    miss += 1
                    continue
                n += 1
                resp += int(s)
                on += int(o)
            out[a] = {"responders": resp, "n": n, "missing": miss, "on_threshold": on,
                      "mean_base": mean([value(w["base_s"]) for w in ws if value(w["base_s"]) is not None]),
                      "mean_total": mean([w["total"] for w in ws if w["total"] is not None])}
        return out

    cases = []
    for pct in [50, 75, 25]:
        cases.append({"name": f"8-week total, reduction >= {pct}%", "follow_up": "sum of y, periods 1-4",
                      "baseline": "base", "reduction": pct,
                      "arms": tally(lambda w, f=pct / 100: status(w, f))})
    variant = {"name": "period 4 alone vs base/4, reduction >= 50%", "follow_up": "y at period 4",
               "baseline": "base / 4", "reduction": 50, "arms": tally(status_p4)}
    for a in EPIL_ARMS:  # mean_total is the 8-week total in every case; drop it here to avoid confusion
        del variant["arms"][a]["mean_total"]

    age = {}
    for a in EPIL_ARMS:
        age[a] = {}
        for label, want in [("responders", True), ("non_responders", False)]:
            xs = [w["age"] for w in wide if w["trt"] == a and w["age"] is not None
                  and status(w, 0.5)[0] is want]
            age[a][label] = describe(xs)
    return {"input": EPIL, "arm_column": "trt", "arms": EPIL_ARMS, "cases": cases,
            "period4_vs_base_over_4": variant,
            "age_by_responder": {"rule": "8-week total, reduction >= 50%", "arms": age}}


# ---------------------------------------------------------------- ADAS-Cog
def adas(checks):
    data = rows(ADAS)

    def build(keep):
        kept = [r for r in data if keep(r)]
        by = collections.OrderedDict()
        arms = collections.defaultdict(set)
        visits = collections.Counter()
        for r in kept:
            arms[r["USUBJID"]].add(r["TRTP"])
            visits[(r["USUBJID"], r["AVISIT"])] += 1
            if r["AVISIT"] in ("Baseline", "Week 24") and r["AVAL"] not in MISSING:
                by.setdefault(r["USUBJID"], {})[r["AVISIT"]] = r["AVAL"]
        info = {"rows": len(kept), "subjects": len(arms),
                "duplicate_subject_visit_rows": sum(v - 1 for v in visits.values() if v > 1),
                "subjects_with_more_than_one_trtp": sum(len(v) > 1 for v in arms.values()),
                "subjects_with_neither_baseline_nor_week24": sum(1 for u in arms if u not in by)}
        return by, {u: next(iter(v)) for u, v in arms.items()}, info

    def tally(by, arm_of, rule):
        out = {}
        for a in ADAS_ARMS:
            resp = n = miss = on = 0
            for u, vis in by.items():
                if arm_of[u] != a:
                    continue
                if len(vis) < 2:
                    miss += 1
                    continue
                s, o = rule(vis["Baseline"], vis["Week 24"])
                if s is None:
                    miss += 1
                    continue
                n += 1
                resp += int(s)
                on += int(o)
            out[a] = {"responders": resp, "n": n, "missing": miss, "on_threshold": on}
        return out

    def absolute(bl, w):
        return float(w) - float(bl) <= -4, Fraction(w) - Fraction(bl) == -4

    def relative(bl, w):
        if float(bl) == 0:
            return None, False
        return (float(w) - float(bl)) / abs(float(bl)) <= -0.20, \
            (Fraction(w) - Fraction(bl)) / abs(Fraction(bl)) == Fraction(-1, 5)

    base_keep = lambda r: r["EFFFL"] == "Y" and r["ANL01FL"] == "Y"  # noqa: E731
    out = {"input": ADAS, "arm_column": "TRTP", "arms": ADAS_ARMS,
           "filter": 'EFFFL == "Y" and ANL01FL == "Y"', "visits": ["Baseline", "Week 24"], "cases": []}
    checks["adas"] = {"file_rows": len(data)}
    for variant, keep in [("locf", base_keep),
                          ("observed", lambda r: base_keep(r) and r["DTYPE"] != "LOCF")]:
        by, arm_of, info = build(keep)
        checks["adas"][variant] = info
        if variant == "locf":
            # the CHG column at Week 24 should equal AVAL(W24) - AVAL(Baseline) (to 1e-9: prorated
            # AVALs are written with 15 significant digits, so CHG is not exact in decimal)
            chg = {r["USUBJID"]: r["CHG"] for r in data if keep(r) and r["AVISIT"] == "Week 24"}
            checks["adas"]["week24_chg_column_disagrees"] = sum(
                1 for u, v in by.items() if len(v) == 2 and u in chg and
                (chg[u] in MISSING or abs(float(chg[u]) - (float(v["Week 24"]) - float(v["Baseline"]))) > 1e-9))
            checks["adas"]["non_integer_aval_rows"] = sum(
                1 for r in data if keep(r) and r["AVAL"] not in MISSING and float(r["AVAL"]) != int(float(r["AVAL"])))
        note = "" if variant == "locf" else ' and DTYPE != "LOCF"'
        out["cases"].append({"name": f"change <= -4 ({variant})", "variant": variant, "rule": "W24 - BL <= -4",
                             "extra_filter": note or None, "arms": tally(by, arm_of, absolute)})
        out["cases"].append({"name": f"percent change <= -20% ({variant})", "variant": variant,
                             "rule": "(W24 - BL) / |BL| <= -0.20", "extra_filter": note or None,
                             "arms": tally(by, arm_of, relative)})
    return out


def main():
    checks = {}
    doc = {"generated_by": "tests/reference/long_responders.py", "versions": versions(), "checks": checks}
    doc["epilepsy"] = epilepsy(checks)
    doc["adas"] = adas(checks)

    e50 = doc["epilepsy"]["cases"][0]["arms"]
    adas_abs = doc["adas"]["cases"][0]["arms"]
    expected = [
        ("epilepsy 50% responders/n placebo", [2, 28], [e50["placebo"]["responders"], e50["placebo"]["n"]]),
        ("epilepsy 50% responders/n progabide", [8, 31], [e50["progabide"]["responders"], e50["progabide"]["n"]]),
        ("epilepsy mean baseline (2 dp) placebo, progabide", [30.79, 31.61],
         [round(e50[a]["mean_base"], 2) for a in EPIL_ARMS]),
        ("epilepsy mean 8-week total (2 dp) placebo, progabide", [34.32, 31.84],
         [round(e50[a]["mean_total"], 2) for a in EPIL_ARMS]),
        ("ADAS LOCF Week 24 complete cases n (Placebo, Low, High)", [79, 81, 74],
         [adas_abs[a]["n"] for a in ADAS_ARMS]),
    ]
    doc["anchors"] = [{"what": w, "expected": e, "computed": c, "match": e == c} for w, e, c in expected]
    path = write_json(doc, "long_responders.json")
    for a in doc["anchors"]:
        print(("ok  " if a["match"] else "FAIL"), a["what"], a["expected"], a["computed"])
    print("wrote", path)
    if not all(a["match"] for a in doc["anchors"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
