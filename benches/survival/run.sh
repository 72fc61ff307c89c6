#!/usr/bin/env bash
# Time-to-event benchmark: KM + log-rank + Cox (arm only) on a generated ADTTE-like file of
# 1,000,000 subjects in three arms, trialstat beside R's survival (survfit + survdiff + coxph,
# benches/survival/r_survival.R). Target: faster than R, peak RSS <= 1.5 x the file's bytes.
#
# From the repository root:
#   bash benches/survival/run.sh
# Environment:
#   TS_CMD   the trialstat command (default below); run with bash -c, so it may be a pipeline
#   RUNS     runs per tool, interleaved R, trialstat, R, ... (default 3)
#   SUBJECTS subjects in the generated file (default 1000000)
#   DIR      working directory (default /tmp/tsbench/survival)
# Generates $DIR/adtte_1m.csv (other sizes: adtte_<SUBJECTS>.csv) with gen_adtte.py if missing.
# Each run goes through /usr/bin/time -v (wall clock, maximum resident set size); a run that exits
# non-zero is counted as failed, and a tool with a failed run is reported as "failed".
# R's results go to $DIR/out_r.csv; trialstat writes wherever TS_CMD says.
set -uo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
SUBJECTS=${SUBJECTS:-1000000}
DIR=${DIR:-/tmp/tsbench/survival}
if [ "$SUBJECTS" = 1000000 ]; then CSV="$DIR/adtte_1m.csv"; else CSV="$DIR/adtte_$SUBJECTS.csv"; fi
TS_CMD=${TS_CMD:-"target/release/trialstat survival $CSV --format csv > $DIR/out_ts.csv"}
R_CMD="Rscript benches/survival/r_survival.R $CSV $DIR/out_r.csv"
LOG="$DIR/logs"
mkdir -p "$DIR" "$LOG"

if [ ! -s "$CSV" ]; then
  python3 benches/survival/gen_adtte.py --subjects "$SUBJECTS" --out "$CSV" || exit 1
fi
BYTES=$(stat -c %s "$CSV")

# run TOOL I CMD: one timed run; appends "wall_s rss_kib status" to $LOG/TOOL.runs
run() {
  local tool=$1 i=$2 cmd=$3 tv="$LOG/$1.$2.time" out="$LOG/$1.$2.log"
  /usr/bin/time -v -o "$tv" bash -c "$cmd" >"$out" 2>&1
  local rc=$?
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
           n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s }' "$tv")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv")
  local status=ok
  [ "$rc" -eq 0 ] || status=failed
  echo "${wall:-0} ${rss:-0} $status" >>"$LOG/$tool.runs"
  printf '%-9s run %d: %8.2f s  %6d MiB  %s (log %s)\n' "$tool" "$i" "${wall:-0}" \
    $(( ${rss:-0} / 1024 )) "$status" "$out" >&2
}

rm -f "$LOG/r.runs" "$LOG/trialstat.runs"
for i in $(seq 1 "$RUNS"); do
  run r "$i" "$R_CMD"
  run trialstat "$i" "$TS_CMD"
done

# summary TOOL: "median (min–max) | peak MiB" or "failed"
summary() {
  sort -g -k1,1 "$LOG/$1.runs" | awk '
    $3 != "ok" { failed = 1 }
    { w[NR] = $1; if ($2 > rss) rss = $2 }
    END {
      n = NR
      if (failed || n == 0) { print "failed | —"; exit }
      med = (n % 2) ? w[(n + 1) / 2] : (w[n / 2] + w[n / 2 + 1]) / 2
      printf "%.2f (%.2f–%.2f) | %.0f\n", med, w[1], w[n], rss / 1024
    }'
}

MIB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
LIMIT=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", 1.5 * b / 1048576 }')
echo
echo "File: $CSV, $SUBJECTS subjects, $BYTES bytes ($MIB MiB); RSS target <= 1.5 x file = $LIMIT MiB"
echo "Runs: $RUNS per tool, interleaved; wall s = median (min–max); peak RSS = max over runs"
echo
echo "| tool | command | wall s | peak RSS MiB |"
echo "|---|---|---:|---:|"
echo "| R survival | \`$R_CMD\` | $(summary r) |"
echo "| trialstat | \`$TS_CMD\` | $(summary trialstat) |"

# Targets: trialstat's median wall < R's; trialstat's peak RSS <= 1.5 x the file's bytes.
R_SUM=$(summary r); TS_SUM=$(summary trialstat)
echo
if [[ $TS_SUM == failed* ]]; then
  echo "Targets: trialstat failed (see $LOG/trialstat.*.log)"
elif [[ $R_SUM == failed* ]]; then
  echo "Targets: R failed (see $LOG/r.*.log)"
else
  awk -v r="${R_SUM%% *}" -v t="${TS_SUM%% *}" -v rss="${TS_SUM##*| }" -v lim="$LIMIT" 'BEGIN {
    printf "Targets: faster than R: %s (%.2f s vs %.2f s, %.1fx); peak RSS <= %s MiB: %s (%s MiB)\n",
      (t < r) ? "met" : "NOT met", t, r, r / t, lim, (rss + 0 <= lim + 0) ? "met" : "NOT met", rss }'
fi
