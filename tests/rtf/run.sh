#!/usr/bin/env bash
# Write the RTF tables a study report is assembled from (the CDISC pilot's AE table, the headache
# trial's Table 1 and change analysis, a meta-analysis) and open each in LibreOffice with
# check.sh: PDF, PNG pages and the expected text, into target/rtf/ (PNG pages to look at).
#   bash tests/rtf/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet
bin=target/debug/trialstat
out=target/rtf
mkdir -p "$out"
"$bin" ae datasets/cdisc_pilot01/adae.csv --subjects datasets/cdisc_pilot01/adsl.csv --teae \
    --arm-order "Xanomeline Low Dose,Xanomeline High Dose" --format rtf > "$out/ae.rtf"
"$bin" baseline datasets/acupuncture_headache/acupuncture_headache.csv --arm group --control 0 \
    --vars age,sex,migraine,chronicity,pk1 --categorical sex,migraine --levels sex=1:Female,0:Male \
    --unit age=years --arm-label 0="Usual care" --arm-label 1=Acupuncture --format rtf > "$out/baseline.rtf"
"$bin" change datasets/acupuncture_headache/acupuncture_headache.csv --baseline pk1 --followup pk5 \
    --treatment 1 --covariates age,sex,migraine,chronicity --format rtf > "$out/change.rtf"
"$bin" meta datasets/metadat/dat_lee2004.csv --labels P6,Sham --format rtf > "$out/meta.rtf"
bash tests/rtf/check.sh "$out/pages" \
    "$out/ae.rtf" --expect "Page 1 of" --expect "System organ class / preferred term" \
        --expect "APPLICATION SITE PRURITUS 6 (7.0) 22 (26.2) 22 (26.2)" --expect "<0.001" \
    "$out/baseline.rtf" --expect "Female 165 (84.2) 172 (83.9) 337 (84.0)" --expect "45.3 (11.5)" \
    "$out/change.rtf" --expect "ANCOVA difference" --expect "-4.64" --expect "−" \
    "$out/meta.rtf" --expect "Random effects (REML)" --expect "I²" --expect "τ²"
