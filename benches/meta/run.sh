#!/usr/bin/env bash
# Meta-analysis benchmark: 1,000 generated studies (tests/reference/meta_gen1000.csv: true τ² 0.1,
# from tests/reference/meta_more.R), REML with Q-profile CIs of τ², τ, I², H², leave-one-out and
# cumulative meta-analysis, trialstat beside R's metafor 3.8 (benches/meta/r_meta.R).
#
# From the repository root:
#   bash benches/meta/run.sh
# Environment:
#   TS       the trialstat binary (default target/release/trialstat)
#   RUNS     runs per tool, interleaved R, trialstat, R, ... (default 3)
#   R_OPS    metafor's operations timed in the interleaved runs (default fit,confint: its
#            leave1out and cumul on k = 1000 take ~75 and ~20 minutes with Debian's reference
#            BLAS; set fit,confint,leave1out,cumul to time them too)
#   DIR      working directory (default /tmp/tsbench/meta)
# Each run goes through /usr/bin/time -v (wall clock, maximum resident set size).
set -uo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
TS=${TS:-target/release/trialstat}
R_OPS=${R_OPS:-fit,confint}
DIR=${DIR:-/tmp/tsbench/meta}
CSV=tests/reference/meta_gen1000.csv
LOG="$DIR/logs"
mkdir -p "$DIR" "$LOG"

run() {
  local tool=$1 i=$2 cmd=$3 tv="$LOG/$1.$2.time" out="$LOG/$1.$2.log"
  /usr/bin/time -v -o "$tv" bash -c "$cmd" >"$out" 2>&1
  local rc=$?
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s }' "$tv")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv")
  local status=ok
  [ "$rc" -eq 0 ] || status=failed
  echo "${wall:-0} ${rss:-0} $status" >>"$LOG/$tool.runs"
  printf '%-16s run %d: %8.3f s  %6d MiB  %s (log %s)\n' "$tool" "$i" "${wall:-0}" $(( ${rss:-0} / 1024 )) "$status" "$out" >&2
}

rm -f "$LOG"/*.runs
for i in $(seq 1 "$RUNS"); do
  run metafor "$i" "Rscript benches/meta/r_meta.R $CSV $R_OPS"
  run trialstat-fit "$i" "$TS meta $CSV --format json > $DIR/fit.json"
  run trialstat-all "$i" "$TS meta $CSV --leave-one-out --cumulative file --format json > $DIR/all.json"
done

summary() {
  sort -g -k1,1 "$LOG/$1.runs" | awk '$3 != "ok" { failed = 1 } { w[NR] = $1; if ($2 > rss) rss = $2 }
    END { if (failed) { print "failed"; exit } printf "%.3f s (%.3f–%.3f) | %d MiB\n", w[int((NR + 1) / 2)], w[1], w[NR], rss / 1024 }'
}
echo "metafor ($R_OPS), whole Rscript:      $(summary metafor)"
echo "  per operation (last run):"; sed 's/^/    /' "$LOG/metafor.$RUNS.log"
echo "trialstat meta (REML + Q-profile):    $(summary trialstat-fit)"
echo "trialstat meta + leave-one-out + cumulative: $(summary trialstat-all)"
