#!/usr/bin/env python3
"""Generate an ADaM ADTTE-like CSV for the time-to-event benchmark (KM + log-rank + Cox).

Standard library only (no numpy), deterministic for a given --seed and --subjects:

    python3 benches/survival/gen_adtte.py --subjects 1000000 --out /tmp/tsbench/survival/adtte_1m.csv

One row per subject, columns
    USUBJID,PARAMCD,PARAM,AVAL,CNSR,TRTP,TRTPN,AGE,SEX,STRATA1
  USUBJID  "TSB-0000001", ...
  PARAMCD  "OS", PARAM "Overall Survival (days)"
  TRTP     "Placebo" / "Drug Low" / "Drug High" (TRTPN 0 / 1 / 2), randomised 1:1:1
  AVAL     days, integer-valued (>= 1), so there are many ties
  CNSR     1 = censored, 0 = event (ADaM convention)
  AGE      integer 18-85 (normal, mean 62, sd 10, clamped)
  SEX      "F" / "M"
  STRATA1  "ECOG 0" / "ECOG 1" (60 / 40 %); no effect on the hazard
Event times are exponential with control median 540 days and hazard ratios 1, 0.8, 0.65
(Placebo, Drug Low, Drug High), so the Cox HRs of a correct fit are ~0.8 and ~0.65. Event day =
ceil(continuous time). Censoring: administrative at 1095 days (3 years), and for ~10 % of
subjects a random dropout day uniform on 1..1095; AVAL = min(event day, censoring day) with an
event only when the event day is <= the censoring day. Prints the bytes written.
"""

import argparse
import math
import os
import random
import sys

ARMS = (("Placebo", 0, 1.0), ("Drug Low", 1, 0.8), ("Drug High", 2, 0.65))
MEDIAN_CONTROL = 540.0
ADMIN_CENSOR = 1095
DROPOUT = 0.10
HEADER = "USUBJID,PARAMCD,PARAM,AVAL,CNSR,TRTP,TRTPN,AGE,SEX,STRATA1\n"
CHUNK = 50_000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subjects", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20261203)
    args = ap.parse_args()
    n = args.subjects
    if n < 1:
        sys.exit("--subjects must be >= 1")

    rng = random.Random(args.seed)
    rnd = rng.random
    ceil, log = math.ceil, math.log
    base_rate = math.log(2.0) / MEDIAN_CONTROL
    # Per arm: the row text after USUBJID up to AVAL, the rate, and the text after CNSR up to AGE.
    arms = [(-1.0 / (base_rate * hr), f",{label},{code},") for label, code, hr in ARMS]
    width = max(7, len(str(n)))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    written = 0
    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        f.write(HEADER)
        written += len(HEADER)
        buf = []
        for i in range(1, n + 1):
            neg_mean, arm_txt = arms[int(rnd() * 3)]
            t = ceil(neg_mean * log(1.0 - rnd()))  # exponential via inverse CDF; 1 - U in (0, 1]
            if t < 1:
                t = 1
            c = ADMIN_CENSOR
            if rnd() < DROPOUT:
                c = int(rnd() * ADMIN_CENSOR) + 1
            if t <= c:
                aval, cnsr = t, 0
            else:
                aval, cnsr = c, 1
            age = int(rng.gauss(62.0, 10.0) + 0.5)
            age = 18 if age < 18 else (85 if age > 85 else age)
            sex = "F" if rnd() < 0.5 else "M"
            strata = "ECOG 0" if rnd() < 0.6 else "ECOG 1"
            buf.append(f"TSB-{i:0{width}d},OS,Overall Survival (days),{aval},{cnsr}{arm_txt}{age},{sex},{strata}\n")
            if len(buf) == CHUNK:
                s = "".join(buf)
                f.write(s)
                written += len(s)
                buf.clear()
        if buf:
            s = "".join(buf)
            f.write(s)
            written += len(s)
    print(f"wrote {args.out}: {n} subjects, {written} bytes ({written / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
