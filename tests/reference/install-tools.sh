#!/usr/bin/env bash
# Installs the reference implementations that tests/reference/*.R and *.py use to produce the
# golden values committed beside them. Not needed to run the tests (the values are committed);
# needed only to regenerate them: `bash tests/reference/install-tools.sh && bash tests/reference/regenerate.sh`.
# R 4.2 and its packages come from Debian (CRAN is unreachable here); SciPy/statsmodels from PyPI,
# pinned so that regenerated values are comparable.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  r-base-core r-cran-epir r-cran-metafor r-cran-effectsize r-cran-boot r-cran-exactranktests \
  r-cran-coin r-cran-survival r-cran-jsonlite >/dev/null
python3 -m pip install --quiet --disable-pip-version-check \
  "scipy==1.17.1" "statsmodels==0.15.0" "numpy<3" "lifelines==0.30.3"
Rscript -e 'for (p in c("epiR","metafor","effectsize","boot","exactRankTests","coin","survival","jsonlite")) cat(p, as.character(packageVersion(p)), "\n")'
python3 -c 'import scipy, statsmodels, numpy; print("scipy", scipy.__version__, "statsmodels", statsmodels.__version__, "numpy", numpy.__version__)'
