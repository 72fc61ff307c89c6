#!/usr/bin/env bash
# Regenerates every golden-value file in tests/reference/ from the scripts beside it.
# Needs the tools that install-tools.sh installs (R 4.2 + Debian CRAN packages, SciPy, statsmodels).
set -euo pipefail
cd "$(dirname "$0")/../.."
for s in tests/reference/*.R; do [ -e "$s" ] || continue; echo "Rscript $s"; Rscript "$s"; done
for s in tests/reference/*.py; do [ -e "$s" ] || continue; echo "python3 $s"; python3 "$s"; done
