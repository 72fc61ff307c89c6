"""Do trialstat and R agree on the time-to-event benchmark? (stdlib only)

    python3 benches/survival/compare.py OUT_R.csv OUT_TS.csv

OUT_R.csv is r_survival.R's `stat,arm,value` table; OUT_TS.csv is `trialstat survival ... --format
csv`. Compares each arm's median survival with its CI, each hazard ratio against Placebo with its
CI and the SE of its log, and the log-rank chi-squared; prints the largest relative difference and
exits 1 when it exceeds 1e-9.
"""
import csv
import sys


def main(r_path, ts_path):
    r = {(row["stat"], row["arm"]): float(row["value"]) for row in csv.DictReader(open(r_path)) if row["value"] not in ("", "NA")}
    ts = list(csv.DictReader(open(ts_path)))
    worst = (0.0, "")

    def check(got, want, what):
        nonlocal worst
        d = abs(got - want) / abs(want)
        if d > worst[0]:
            worst = (d, what)

    arms = sorted({a for (_, a) in r if a})
    for arm in arms:
        m = next(x for x in ts if x["measure"] == "survival-quantile" and x["group"] == arm and x["at"] == "0.5")
        for k, key in [("estimate", "median"), ("ci_lower", "median_lower"), ("ci_upper", "median_upper")]:
            check(float(m[k]), r[(key, arm)], f"{arm} {key}")
    for arm in [a for a in arms if a != "Placebo"]:
        h = next(x for x in ts if x["measure"] == "hazard-ratio" and x["group"] == f"{arm} vs Placebo")
        for k, key in [("estimate", "hr"), ("ci_lower", "hr_lower"), ("ci_upper", "hr_upper"), ("se_log", "cox_se")]:
            check(float(h[k]), r[(key, arm)], f"{arm} {key}")
    lr = next(x for x in ts if x["measure"] == "log-rank")
    check(float(lr["statistic"]), r[("logrank_chisq", "")], "log-rank chi-squared")
    print(f"largest relative difference trialstat vs R: {worst[0]:.2e} ({worst[1]})")
    return 0 if worst[0] <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
