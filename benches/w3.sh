#!/usr/bin/env bash
# ../shared/bench W3 adapter: `trialstat bootstrap` (Hedges' g, 10,000 resamples within arms,
# BCa) on w3_two_arms.csv, converted to the peers' `stat,value` rows. From ../shared:
#   TRIALSTAT=/path/to/release/trialstat TS_CMD_W3="bash $PWD/../main/benches/w3.sh {scale} {out}" \
#     ONLY=w3 SCALES_W34="0.1 1" SKIP_NOISE=1 SKIP_STARTUP=1 bash bench/run_baselines.sh
# The seed is trialstat's own stream (not NumPy's): the limits differ from SciPy's by Monte
# Carlo error only. g uses the exact Hedges J, SciPy's peer 1 − 3/(4N − 9) (rel. diff. ~1e-9).
set -euo pipefail
scale=$1; out=$2
D=${TSBENCH_DIR:-/tmp/tsbench}
TS=${TRIALSTAT:?set TRIALSTAT to the trialstat binary}
"$TS" bootstrap "$D/s$scale/w3_two_arms.csv" --arm arm --value value --treatment acupuncture \
  --control control --statistic hedges-g --resamples 10000 --seed 12345 --format json |
python3 -c '
import json, sys
r = json.load(sys.stdin)
b = next(e for e in r["results"] if e["method"] == "bca")
i = r["inputs"]
rows = [("g", b["estimate"]), ("ci_lo", b["ci"]["lower"]), ("ci_hi", b["ci"]["upper"]), ("boot_se", b["se"]),
        ("n_x", i["n"][0]), ("n_y", i["n"][1]), ("n_resamples", i["resamples"])]
with open(sys.argv[1], "w") as f:
    f.write("stat,value\n" + "".join(f"{k},{v!r}\n" for k, v in rows))
' "$out"
