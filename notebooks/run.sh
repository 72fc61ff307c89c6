#!/usr/bin/env bash
# Execute every notebook in notebooks/ on the Rust Jupyter kernel (evcxr_jupyter) and fail on any
# cell error. Runs from any directory, on a fresh machine, as often as you like: it installs what it
# needs and reuses what a previous run left.
#
#   1. Python: nbclient, nbformat and jupyter_client (PyPI, pinned) in a venv under target/notebooks/.
#   2. evcxr_jupyter from crates.io (`cargo install --locked`, pinned), unless that version is
#      installed; then `evcxr_jupyter --install` registers the "rust" kernel for Jupyter.
#   3. Each notebook, cell by cell, with nbclient (notebooks/run_notebooks.py): elapsed time per
#      cell, a summary, the executed copies in target/notebooks/executed/.
#
# Every kernel builds in one folder (EVCXR_TMPDIR=target/notebooks/evcxr), seeded with the
# repository's Cargo.lock: the first notebook's first cell compiles trialstat and polars, the other
# notebooks reuse them. All of target/notebooks/ is disposable (`/target` is gitignored).
#
# Environment: NOTEBOOKS_WORK (default <repo>/target/notebooks), NOTEBOOK_CELL_TIMEOUT (seconds,
# default 2400). Arguments: notebooks to run (default: notebooks/*.ipynb).
set -euo pipefail

EVCXR_JUPYTER_VERSION=0.22.0
PY_PACKAGES=(nbclient==0.11.0 nbformat==5.11.1 jupyter-client==8.10.0)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
work="${NOTEBOOKS_WORK:-$root/target/notebooks}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$cargo_bin:$PATH"

script_start=$SECONDS
phase_start=$SECONDS
phase() { phase_start=$SECONDS; echo "== notebooks: $*"; }
phase_done() { echo "   ($(( SECONDS - phase_start )) s)"; }

if [ "$#" -gt 0 ]; then
    notebooks=("$@")
else
    notebooks=("$here"/*.ipynb)
fi

phase "Python packages (${PY_PACKAGES[*]}) in $work/venv"
py="$work/venv/bin/python"
if [ ! -x "$py" ]; then
    python3 -m venv "$work/venv"
fi
# Already-satisfied pins are not fetched again.
"$py" -m pip install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
phase_done

phase "evcxr_jupyter $EVCXR_JUPYTER_VERSION"
if [ -x "$cargo_bin/evcxr_jupyter" ] && cargo install --list | grep -qx "evcxr_jupyter v$EVCXR_JUPYTER_VERSION:"; then
    echo "   already installed: $cargo_bin/evcxr_jupyter"
else
    echo "   cargo install --locked evcxr_jupyter --version $EVCXR_JUPYTER_VERSION (about 6 minutes on 2 cores)"
    if ! cargo install --locked evcxr_jupyter --version "$EVCXR_JUPYTER_VERSION" > "$work/cargo-install.log" 2>&1; then
        tail -n 40 "$work/cargo-install.log"
        echo "cargo install evcxr_jupyter failed (log: $work/cargo-install.log)" >&2
        exit 1
    fi
    tail -n 2 "$work/cargo-install.log"
fi
evcxr_jupyter --install | grep kernel.json
"$py" - <<'EOF'
from jupyter_client.kernelspec import KernelSpecManager
spec = KernelSpecManager().get_kernel_spec("rust")
print("   kernel 'rust':", " ".join(spec.argv))
EOF
phase_done

phase "run ${#notebooks[@]} notebooks"
export EVCXR_TMPDIR="$work/evcxr"
# An empty config folder: a user's init.evcxr or prelude.rs does not change what CI runs.
export EVCXR_CONFIG_DIR="$work/evcxr-config"
mkdir -p "$EVCXR_TMPDIR" "$EVCXR_CONFIG_DIR"
# The notebooks build trialstat with the dependency versions the repository has locked.
cp "$root/Cargo.lock" "$EVCXR_TMPDIR/Cargo.lock"
status=0
"$py" "$here/run_notebooks.py" --out "$work/executed" --timeout "${NOTEBOOK_CELL_TIMEOUT:-2400}" "${notebooks[@]}" || status=$?
phase_done
echo "   kernel build folder $EVCXR_TMPDIR: $(du -sh "$EVCXR_TMPDIR" | cut -f1)"
echo "== notebooks: total $(( SECONDS - script_start )) s"
exit "$status"
