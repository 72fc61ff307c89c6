#!/usr/bin/env python3
"""The counts behind two of the e2e benchmark's commands, computed with pandas or Python polars,
for comparison with `trialstat` (timing and correctness). Reads the files `cargo bench --bench e2e`
generates in target/bench-data/.

1. Responders by arm, all subjects, VAS0 -> VAS12 reduction of at least 40 % (complete cases), as
   `trialstat responders adsl_1m.csv --baseline VAS0 --followup VAS12 --reduction 40% --control Placebo`.
   The rule is evaluated exactly in tenths (both columns have one decimal): 10*VAS12 <= 6*VAS0.
2. Responders by arm, SAFFL = 'Y', RESPFL = 'Y' among non-missing RESPFL, as `--flag RESPFL
   --where "SAFFL = 'Y'"`.
3. Treatment-emergent AEs (TRTEMFL = 'Y') of the safety population (SAFFL = 'Y' in ADSL): subjects
   with any event by arm, and subjects by preferred term and arm, as
   `trialstat ae adae_10m.csv --subjects adsl_1m.csv --teae`.

Usage (in a venv: python3 -m venv V && V/bin/pip install pandas polars):
    V/bin/python benches/e2e_pandas.py [--engine pandas|polars] [--data target/bench-data] [--out FILE.json]
Prints the counts and the wall time of each step; --out writes the counts as JSON (the PT table
in full) for checking against trialstat's --format json output.
"""

import argparse
import json
import os
import sys
import time

ARMS = ["Placebo", "Low Dose", "High Dose"]


def run_pandas(adsl_path, adae_path):
    import pandas as pd

    out, times = {}, {}
    t0 = time.perf_counter()
    adsl = pd.read_csv(
        adsl_path,
        usecols=["USUBJID", "TRT01A", "SAFFL", "VAS0", "VAS12", "RESPFL"],
        dtype={"USUBJID": str, "TRT01A": str, "SAFFL": str, "RESPFL": str},
        keep_default_na=False,
        na_values=["", "NA", "."],
    )
    times["read adsl"] = time.perf_counter() - t0

    t = time.perf_counter()
    cc = adsl[adsl["VAS0"].notna() & adsl["VAS12"].notna()]
    v0 = (cc["VAS0"] * 10).round().astype("int64")
    v12 = (cc["VAS12"] * 10).round().astype("int64")
    resp = 10 * v12 <= 6 * v0
    g = pd.DataFrame({"arm": cc["TRT01A"], "resp": resp}).groupby("arm")["resp"].agg(["sum", "count"])
    out["responders_reduction"] = {a: [int(g.loc[a, "sum"]), int(g.loc[a, "count"])] for a in ARMS}
    missing = adsl[adsl["VAS12"].isna()].groupby("TRT01A").size()
    out["responders_reduction_missing"] = {a: int(missing.get(a, 0)) for a in ARMS}
    times["responders (reduction)"] = time.perf_counter() - t

    t = time.perf_counter()
    saf = adsl[adsl["SAFFL"] == "Y"]
    f = saf[saf["RESPFL"].notna()]
    g = f.assign(r=f["RESPFL"] == "Y").groupby("TRT01A")["r"].agg(["sum", "count"])
    out["responders_flag_saffl"] = {a: [int(g.loc[a, "sum"]), int(g.loc[a, "count"])] for a in ARMS}
    times["responders (flag, SAFFL)"] = time.perf_counter() - t

    t = time.perf_counter()
    adae = pd.read_csv(
        adae_path,
        usecols=["USUBJID", "AEDECOD", "TRTEMFL"],
        dtype=str,
        keep_default_na=False,
        na_values=["", "NA", "."],
    )
    times["read adae"] = time.perf_counter() - t

    t = time.perf_counter()
    pop = saf[["USUBJID", "TRT01A"]]
    den = pop.groupby("TRT01A").size()
    te = adae[adae["TRTEMFL"] == "Y"].merge(pop, on="USUBJID", how="inner")
    anyev = te.drop_duplicates("USUBJID").groupby("TRT01A").size()
    bypt = te.drop_duplicates(["AEDECOD", "USUBJID"]).groupby(["AEDECOD", "TRT01A"]).size()
    out["teae_denominators"] = {a: int(den.get(a, 0)) for a in ARMS}
    out["teae_any"] = {a: int(anyev.get(a, 0)) for a in ARMS}
    out["teae_by_pt"] = {pt: {a: int(n) for a, n in s.droplevel(0).items()} for pt, s in bypt.groupby(level=0)}
    times["TEAE counts"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    return out, times


def run_polars(adsl_path, adae_path):
    import polars as pl

    out, times = {}, {}
    nulls = ["", "NA", "."]
    t0 = time.perf_counter()
    adsl = pl.read_csv(
        adsl_path,
        columns=["USUBJID", "TRT01A", "SAFFL", "VAS0", "VAS12", "RESPFL"],
        schema_overrides={"VAS0": pl.Float64, "VAS12": pl.Float64},
        null_values=nulls,
    )
    times["read adsl"] = time.perf_counter() - t0

    t = time.perf_counter()
    g = (
        adsl.filter(pl.col("VAS0").is_not_null() & pl.col("VAS12").is_not_null())
        .with_columns(
            r=(10 * (pl.col("VAS12") * 10).round().cast(pl.Int64)) <= (6 * (pl.col("VAS0") * 10).round().cast(pl.Int64))
        )
        .group_by("TRT01A")
        .agg(pl.col("r").sum().alias("sum"), pl.len().alias("count"))
    )
    d = {row["TRT01A"]: [row["sum"], row["count"]] for row in g.iter_rows(named=True)}
    out["responders_reduction"] = {a: d[a] for a in ARMS}
    m = adsl.filter(pl.col("VAS12").is_null()).group_by("TRT01A").len()
    md = dict(m.iter_rows())
    out["responders_reduction_missing"] = {a: md.get(a, 0) for a in ARMS}
    times["responders (reduction)"] = time.perf_counter() - t

    t = time.perf_counter()
    saf = adsl.filter(pl.col("SAFFL") == "Y")
    g = (
        saf.filter(pl.col("RESPFL").is_not_null())
        .group_by("TRT01A")
        .agg((pl.col("RESPFL") == "Y").sum().alias("sum"), pl.len().alias("count"))
    )
    d = {row["TRT01A"]: [row["sum"], row["count"]] for row in g.iter_rows(named=True)}
    out["responders_flag_saffl"] = {a: d[a] for a in ARMS}
    times["responders (flag, SAFFL)"] = time.perf_counter() - t

    t = time.perf_counter()
    adae = pl.read_csv(adae_path, columns=["USUBJID", "AEDECOD", "TRTEMFL"], null_values=nulls, infer_schema_length=0)
    times["read adae"] = time.perf_counter() - t

    t = time.perf_counter()
    pop = saf.select("USUBJID", "TRT01A")
    den = dict(pop.group_by("TRT01A").len().iter_rows())
    te = adae.filter(pl.col("TRTEMFL") == "Y").join(pop, on="USUBJID", how="inner")
    anyev = dict(te.group_by("TRT01A").agg(pl.col("USUBJID").n_unique()).iter_rows())
    bypt = te.group_by("AEDECOD", "TRT01A").agg(pl.col("USUBJID").n_unique().alias("n"))
    out["teae_denominators"] = {a: den.get(a, 0) for a in ARMS}
    out["teae_any"] = {a: anyev.get(a, 0) for a in ARMS}
    table = {}
    for pt, arm, n in bypt.iter_rows():
        table.setdefault(pt, {})[arm] = n
    out["teae_by_pt"] = {pt: table[pt] for pt in sorted(table)}
    times["TEAE counts"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    return out, times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", choices=["pandas", "polars"], default="pandas")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "bench-data"))
    ap.add_argument("--out", help="write the counts as JSON here")
    a = ap.parse_args()
    adsl = os.path.join(a.data, "adsl_1m.csv")
    adae = os.path.join(a.data, "adae_10m.csv")
    for p in (adsl, adae):
        if not os.path.isfile(p):
            sys.exit(f"{p} not found: run `cargo bench --bench e2e` first (it generates the files)")
    if a.engine == "pandas":
        import pandas

        version = f"pandas {pandas.__version__}"
        out, times = run_pandas(adsl, adae)
    else:
        import polars

        version = f"polars {polars.__version__} (Python)"
        out, times = run_polars(adsl, adae)
    print(f"engine: {version}, Python {sys.version.split()[0]}")
    for key in ("responders_reduction", "responders_flag_saffl"):
        print(f"{key}: " + ", ".join(f"{arm} {r}/{n}" for arm, (r, n) in out[key].items()))
    print("responders_reduction missing VAS12: " + ", ".join(f"{k} {v}" for k, v in out["responders_reduction_missing"].items()))
    print("TEAE any event (subjects/denominator): " + ", ".join(f"{arm} {out['teae_any'][arm]}/{out['teae_denominators'][arm]}" for arm in ARMS))
    top = sorted(out["teae_by_pt"].items(), key=lambda kv: -sum(kv[1].values()))[:3]
    print(f"TEAE preferred terms: {len(out['teae_by_pt'])}; most frequent: " + "; ".join(f"{pt} {v}" for pt, v in top))
    print("wall time (s): " + ", ".join(f"{k} {v:.2f}" for k, v in times.items()))
    if a.out:
        with open(a.out, "w") as fh:
            json.dump({"engine": version, "times": times, **out}, fh, indent=1)


if __name__ == "__main__":
    main()
