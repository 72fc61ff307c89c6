"""Reference values for `trialstat describe` (tests/golden_ingest.rs), computed independently
of polars with Python's csv module: per arm, distinct subjects, rows and missing cells (empty,
NA, '.' or NaN) per column; distinct visits and parameters in order of first appearance.
Run from the repository root: python3 tests/reference/ingest_describe.py"""
import csv, json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from refcommon import versions  # noqa: E402

MISSING = {"", "NA", ".", "NaN", "nan", "NAN"}  # as trialstat reads them (src/ingest/reader.rs)
CASES = [
    # file, subject, arm, visit, param
    ("datasets/cdisc_pilot01/adsl.csv", "USUBJID", "TRT01A", None, None),
    ("datasets/cdisc_pilot01/adae.csv", "USUBJID", "TRTA", None, None),
    ("datasets/cdisc_pilot01/adqsadas_actot.csv", "USUBJID", "TRTP", "AVISIT", "PARAMCD"),
    ("datasets/acupuncture_headache/acupuncture_headache.csv", "id", "group", None, None),
    ("datasets/epilepsy_progabide/epil.csv", "subject", "trt", "period", None),
    ("datasets/indo_rct/indo_rct.csv", "id", "rx", None, None),
]


def describe(path, subject, arm, visit, param, keep=None):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if keep is None or keep(r)]
    columns = list(rows[0].keys())
    arms = {}
    for r in rows:
        a = r[arm] if r[arm] not in MISSING else "(missing)"
        d = arms.setdefault(a, {"subjects": set(), "rows": 0, "missing": {c: 0 for c in columns}})
        d["subjects"].add(r[subject])
        d["rows"] += 1
        for c in columns:
            if r[c] in MISSING:
                d["missing"][c] += 1
    with_missing = [c for c in columns if any(arms[a]["missing"][c] for a in arms)]
    out_arms = []
    for a in sorted(arms):
        d = arms[a]
        out_arms.append({"arm": a, "subjects": len(d["subjects"]), "rows": d["rows"],
                         "missing": {c: d["missing"][c] for c in with_missing}})

    def distinct(col):
        seen = []
        for r in rows:
            v = r[col] if r[col] not in MISSING else "(missing)"
            if v not in seen:
                seen.append(v)
        return seen

    return {"file": path, "rows": len(rows), "columns": columns, "arms": out_arms,
            "visits": distinct(visit) if visit else [], "params": distinct(param) if param else []}


doc = {"generated_by": "tests/reference/ingest_describe.py", "versions": versions(),
       "cases": [describe(*c) for c in CASES],
       # --where "AGE >= 80 and SEX = 'F'" on ADSL
       "filtered": describe("datasets/cdisc_pilot01/adsl.csv", "USUBJID", "TRT01A", None, None,
                            keep=lambda r: float(r["AGE"]) >= 80 and r["SEX"] == "F")}
with open(os.path.join(os.path.dirname(__file__), "ingest_describe.json"), "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
