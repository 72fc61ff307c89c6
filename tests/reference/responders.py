"""Reference counts for `trialstat responders` (tests/golden_responders.rs), computed with
Python's csv module: responders / subjects with a status per arm, and the number missing, for a
flag rule and a relative-reduction rule, under complete-case and non-responder policies.
Run from the repository root: python3 tests/reference/responders.py"""
import csv, json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from refcommon import versions  # noqa: E402

MISSING = {"", "NA", "."}


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def tally(path, arm, arms, status, policy, keep=lambda r: True):
    out = {}
    for a in arms:
        resp = n = miss = 0
        for r in rows(path):
            if not keep(r):
                continue
            if r[arm] != a:
                continue
            s = status(r)
            if s is None:
                miss += 1
                if policy == "nonresponder":
                    n += 1
                continue
            n += 1
            resp += int(s)
        out[a] = {"responders": resp, "n": n, "missing": miss}
    return out


def flag(col, value):
    return lambda r: None if r[col] in MISSING else r[col] == value


def reduction(b, f, fraction):
    def s(r):
        if r[b] in MISSING or r[f] in MISSING:
            return None
        bv, fv = float(r[b]), float(r[f])
        return (bv - fv) / abs(bv) >= fraction
    return s


H = "datasets/acupuncture_headache/acupuncture_headache.csv"
I = "datasets/indo_rct/indo_rct.csv"
cases = []
for policy in ["complete-case", "nonresponder"]:
    cases.append({"name": f"headache flag {policy}", "policy": policy,
                  "arms": tally(H, "group", ["1", "0"], flag("response", "1"), policy)})
    for pct in [35, 50]:
        cases.append({"name": f"headache reduction {pct}% {policy}", "policy": policy, "reduction": pct,
                      "arms": tally(H, "group", ["1", "0"], reduction("pk1", "pk5", pct / 100), policy)})
# --where "migraine = 1": the migraine subgroup of the headache trial.
cases.append({"name": "headache flag migraine subgroup", "policy": "complete-case", "where": "migraine = 1",
              "arms": tally(H, "group", ["1", "0"], flag("response", "1"), "complete-case",
                            keep=lambda r: r["migraine"] == "1")})
cases.append({"name": "indo outcome", "policy": "complete-case",
              "arms": tally(I, "rx", ["1_indomethacin", "0_placebo"], flag("outcome", "1_yes"), "complete-case")})
with open(os.path.join(os.path.dirname(__file__), "responders.json"), "w") as f:
    json.dump({"generated_by": "tests/reference/responders.py", "versions": versions(), "cases": cases}, f, indent=1)
    f.write("\n")
