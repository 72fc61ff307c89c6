"""Reference adverse-event incidence tables for the CDISC pilot study (datasets/cdisc_pilot01), computed
with Python's csv module (no pandas/polars) as an independent check of trialstat's AE tables.

Denominators: ADSL subjects with SAFFL == "Y", by the ADSL actual arm TRT01A (Placebo / Xanomeline Low
Dose / Xanomeline High Dose). Every ADAE row is attributed to its subject's ADSL TRT01A (join on USUBJID,
not ADAE's TRTA). Incidence = distinct subjects with >= 1 qualifying AE per arm; percent = 100 * subjects
/ N. Per row, each non-placebo arm vs Placebo: risk ratio p_t/p_c (null when p_c = 0), risk difference
p_t - p_c, and the two-sided Fisher exact p of scipy.stats.fisher_exact([[a, n1 - a], [c, n0 - c]])
(treated first row, events first column).

Scenarios (top-level keys): "teae" (TRTEMFL == "Y"), "teae_serious" (and AESER == "Y"), "teae_severe"
(and AESEV == "SEVERE"), "all" (every ADAE row). Each has "records" (qualifying ADAE rows), "any"
(counts / events (qualifying records per arm) / percent / vs_placebo, no labels), "soc" (per AEBODSYS, term null) and
"pt" (per AEBODSYS + AEDECOD). SOC rows are sorted by descending total subjects over the three arms,
then alphabetically (Python str order, i.e. by code point; ties on the total are frequent, so the
tie-break matters); "pt" lists the SOCs in that order and, within each SOC, its PTs sorted the same way.

"teae_stratified_sitegr1": scenario teae, "any" row, Low Dose vs Placebo, stratified by ADSL SITEGR1:
per-stratum 2x2 counts (strata sorted by label) and the Mantel-Haenszel risk ratio
sum(a n0 / N) / sum(c n1 / N) and odds ratio sum(a d / N) / sum(b c / N) over strata with both arms
present (N = n1 + n0, b = n1 - a, d = n0 - c).

"checks" records the data checks (ADAE subjects absent from ADSL, TRTA != TRT01A, duplicate records)
and "anchors" the figures of datasets/cdisc_pilot01/PROVENANCE.md compared with what is computed here.
The script writes the JSON, then exits with status 1 if any anchor does not match.

Run from the repository root:  python3 tests/reference/ae.py
Writes tests/reference/ae.json.
"""
import collections
import csv
import os
import sys

import scipy
from scipy.stats import fisher_exact

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import num, versions, write_json  # noqa: E402

MISSING = {"", "NA", "."}
ADAE = "datasets/cdisc_pilot01/adae.csv"
ADSL = "datasets/cdisc_pilot01/adsl.csv"
CONTROL = "Placebo"
ARMS = ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]
TREATED = ARMS[1:]


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def comparison(a, n1, c, n0):
    """Treated a/n1 vs control c/n0: risk ratio, risk difference, two-sided Fisher p."""
    pt, pc = a / n1, c / n0
    _, p = fisher_exact([[a, n1 - a], [c, n0 - c]])
    return {"rr": None if c == 0 else num(pt / pc), "rd": num(pt - pc), "fisher_p": num(p)}


def entry(subjects, records, n_arm, soc=None, term=None, with_labels=True):
    """One table row from {arm: set of subjects} and {arm: number of qualifying records}."""
    counts = {a: len(subjects.get(a, ())) for a in ARMS}
    out = {"soc": soc, "term": term} if with_labels else {}
    out["counts"] = counts
    out["events"] = {a: records.get(a, 0) for a in ARMS}
    out["percent"] = {a: num(100.0 * counts[a] / n_arm[a]) for a in ARMS}
    out["vs_placebo"] = {t: comparison(counts[t], n_arm[t], counts[CONTROL], n_arm[CONTROL]) for t in TREATED}
    return out


def order(groups):
    """Keys of {key: {arm: set}} by descending total subjects over the arms, then alphabetically."""
    return sorted(groups, key=lambda k: (-sum(len(groups[k].get(a, ())) for a in ARMS), k))


def table(ae, arm_of, n_arm, keep):
    qual = [r for r in ae if keep(r)]
    any_ = collections.defaultdict(set)
    soc = collections.defaultdict(lambda: collections.defaultdict(set))
    pt = collections.defaultdict(lambda: collections.defaultdict(lambda: collections.defaultdict(set)))
    any_ev = collections.Counter()
    soc_ev = collections.defaultdict(collections.Counter)
    pt_ev = collections.defaultdict(collections.Counter)
    for r in qual:
        u, arm = r["USUBJID"], arm_of[r["USUBJID"]]
        any_[arm].add(u)
        soc[r["AEBODSYS"]][arm].add(u)
        pt[r["AEBODSYS"]][r["AEDECOD"]][arm].add(u)
        any_ev[arm] += 1
        soc_ev[r["AEBODSYS"]][arm] += 1
        pt_ev[(r["AEBODSYS"], r["AEDECOD"])][arm] += 1
    soc_rows, pt_rows = [], []
    for s in order(soc):
        soc_rows.append(entry(soc[s], soc_ev[s], n_arm, soc=s, term=None))
        for t in order(pt[s]):
            pt_rows.append(entry(pt[s][t], pt_ev[(s, t)], n_arm, soc=s, term=t))
    return {"records": len(qual), "any": entry(any_, any_ev, n_arm, with_labels=False), "soc": soc_rows, "pt": pt_rows}


def mantel_haenszel(ae, adsl_saf, keep, treated, control, stratum_col):
    with_event = {r["USUBJID"] for r in ae if keep(r)}
    cells = collections.defaultdict(lambda: {"a": 0, "n1": 0, "c": 0, "n0": 0})
    for r in adsl_saf:
        arm, s, ev = r["TRT01A"], r[stratum_col], int(r["USUBJID"] in with_event)
        if arm == treated:
            cells[s]["n1"] += 1
            cells[s]["a"] += ev
        elif arm == control:
            cells[s]["n0"] += 1
            cells[s]["c"] += ev
    strata, rr_num, rr_den, or_num, or_den = [], 0.0, 0.0, 0.0, 0.0
    for s in sorted(cells):
        x = cells[s]
        used = x["n1"] > 0 and x["n0"] > 0
        strata.append({"stratum": s, "events": {treated: x["a"], control: x["c"]},
                       "n": {treated: x["n1"], control: x["n0"]}, "used": used})
        if used:
            a, c, n1, n0 = x["a"], x["c"], x["n1"], x["n0"]
            b, d, n = n1 - a, n0 - c, n1 + n0
            rr_num += a * n0 / n
            rr_den += c * n1 / n
            or_num += a * d / n
            or_den += b * c / n
    return {"scenario": "teae", "row": "any", "stratum_column": "SITEGR1 (ADSL)", "treated": treated,
            "control": control, "strata": strata,
            "mh_rr": num(rr_num / rr_den) if rr_den else None,
            "mh_or": num(or_num / or_den) if or_den else None}


def main():
    adsl = rows(ADSL)
    ae = rows(ADAE)
    saf = [r for r in adsl if r["SAFFL"] == "Y"]
    arm_all = {r["USUBJID"]: r["TRT01A"] for r in adsl}
    arm_of = {r["USUBJID"]: r["TRT01A"] for r in saf}
    n_arm = {a: sum(1 for r in saf if r["TRT01A"] == a) for a in ARMS}
    assert set(arm_of.values()) <= set(ARMS), set(arm_of.values())

    # Data checks.
    ae_subjects = {r["USUBJID"] for r in ae}
    absent = sorted(ae_subjects - set(arm_all))
    not_safety = sorted(ae_subjects & set(arm_all) - set(arm_of))
    trta_diff = [r["USUBJID"] for r in ae if r["USUBJID"] in arm_all and r["TRTA"] != arm_all[r["USUBJID"]]]
    full = collections.Counter(tuple(r.values()) for r in ae)
    occ = {"AESEQ", "AOCCFL", "AOCCSFL", "AOCCPFL", "AOCC01FL", "AOCC02FL", "AOCC03FL", "AOCC04FL"}
    pt_socs = collections.defaultdict(set)
    for r in ae:
        pt_socs[r["AEDECOD"]].add(r["AEBODSYS"])
    near = collections.Counter(tuple(v for k, v in r.items() if k not in occ) for r in ae)
    checks = {
        "adsl_subjects": len(adsl), "adsl_duplicate_usubjid": len(adsl) - len(arm_all),
        "safety_subjects": len(saf), "adae_records": len(ae), "adae_subjects": len(ae_subjects),
        "adae_subjects_absent_from_adsl": absent, "adae_subjects_not_in_safety_population": not_safety,
        "adae_records_trta_differs_from_trt01a": len(trta_diff),
        "adae_duplicate_records_exact": sum(v - 1 for v in full.values() if v > 1),
        "adae_duplicate_records_ignoring_aeseq_and_occurrence_flags": sum(v - 1 for v in near.values() if v > 1),
        "adae_missing_aebodsys": sum(r["AEBODSYS"] in MISSING for r in ae),
        "adae_missing_aedecod": sum(r["AEDECOD"] in MISSING for r in ae),
        "pt_in_more_than_one_soc": sorted(t for t, s in pt_socs.items() if len(s) > 1),
    }
    # Only safety-population subjects count (numerators within the denominators).
    ae_saf = [r for r in ae if r["USUBJID"] in arm_of]

    teae = lambda r: r["TRTEMFL"] == "Y"  # noqa: E731
    scen = {
        "teae": teae,
        "teae_serious": lambda r: teae(r) and r["AESER"] == "Y",
        "teae_severe": lambda r: teae(r) and r["AESEV"] == "SEVERE",
        "all": lambda r: True,
    }
    doc = {"generated_by": "tests/reference/ae.py", "versions": versions(scipy),
           "inputs": [ADSL, ADAE], "arms": ARMS, "control": CONTROL,
           "population": 'ADSL SAFFL == "Y", arm = ADSL TRT01A', "n": n_arm, "checks": checks}
    for name, keep in scen.items():
        doc[name] = table(ae_saf, arm_of, n_arm, keep)
    doc["teae_stratified_sitegr1"] = mantel_haenszel(ae_saf, saf, teae, "Xanomeline Low Dose", CONTROL, "SITEGR1")

    # Anchors from datasets/cdisc_pilot01/PROVENANCE.md (SOC names there are in sentence case).
    def soc_counts(sc, name):
        hit = [x for x in doc[sc]["soc"] if x["soc"].lower() == name.lower()]
        return [hit[0]["counts"][a] for a in ARMS] if hit else None

    def pt_counts(sc, name):
        hit = [x for x in doc[sc]["pt"] if x["term"].lower() == name.lower()]
        return [hit[0]["counts"][a] for a in ARMS] if len(hit) == 1 else None

    expected = [
        ("N safety", [86, 84, 84], [n_arm[a] for a in ARMS]),
        ("TEAE records", 1126, doc["teae"]["records"]),
        ("TEAE any", [65, 77, 76], [doc["teae"]["any"]["counts"][a] for a in ARMS]),
        ("TEAE any percent (1 dp)", [75.6, 91.7, 90.5],
         [round(doc["teae"]["any"]["percent"][a], 1) for a in ARMS]),
    ]
    for s, v in [("General disorders and administration site conditions", [21, 47, 40]),
                 ("Skin and subcutaneous tissue disorders", [20, 39, 40]),
                 ("Nervous system disorders", [8, 20, 25]), ("Gastrointestinal disorders", [17, 14, 20])]:
        expected.append((f"TEAE SOC {s}", v, soc_counts("teae", s)))
    for t, v in [("PRURITUS", [8, 21, 26]), ("APPLICATION SITE PRURITUS", [6, 22, 22]),
                 ("APPLICATION SITE ERYTHEMA", [3, 12, 15]), ("ERYTHEMA", [8, 14, 14]), ("DIZZINESS", [2, 8, 11])]:
        expected.append((f"TEAE PT {t}", v, pt_counts("teae", t)))
    expected.append(("serious TEAE any", [0, 1, 2], [doc["teae_serious"]["any"]["counts"][a] for a in ARMS]))
    doc["anchors"] = [{"what": w, "arms_order": ARMS if isinstance(e, list) else None, "expected": e,
                       "computed": c, "match": e == c} for w, e, c in expected]
    path = write_json(doc, "ae.json")
    bad = [a for a in doc["anchors"] if not a["match"]]
    for a in doc["anchors"]:
        print(("ok  " if a["match"] else "FAIL"), a["what"], a["expected"], a["computed"])
    print("wrote", path)
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
