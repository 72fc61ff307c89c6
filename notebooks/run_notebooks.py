#!/usr/bin/env python3
"""Execute Jupyter notebooks with nbclient, one kernel per notebook, cell by cell.

Prints each notebook's name, each code cell's elapsed time and a short excerpt of its text output,
then a summary; writes the executed copies (outputs included) to --out. Exits 1 if any cell fails
(its error output is printed), 2 on bad arguments. Used by notebooks/run.sh.
"""

import argparse
import pathlib
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

MAX_LINES = 12  # text lines shown per output in the log
# A panic that the kernel caught and printed (evcxr's default, `:preserve_vars_on_panic 1`, reports
# such a cell as a success): still a failure here.
PANIC = re.compile(r"^thread '[^']*'( \(\d+\))? panicked at ", re.M)
# evcxr runs user code with RUST_BACKTRACE=1; its frames say nothing about a failed assert.
BACKTRACE_FRAME = re.compile(r"^\s+(\d+:|at )")


def first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.strip().startswith("//"):
            return line.strip()[:70]
    return ""


def excerpt(text: str, indent: str = "      | ", max_lines: int = MAX_LINES) -> str:
    lines = text.rstrip("\n").splitlines()
    shown = lines[:max_lines]
    if len(lines) > max_lines:
        shown.append(f"... ({len(lines) - max_lines} more lines)")
    return "\n".join(indent + line for line in shown)


def stderr_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr")


def show_outputs(cell, failed: bool = False) -> None:
    """Text outputs, shortened; all of a failed cell's errors and stderr."""
    n = 60 if failed else MAX_LINES
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            print(f"      ERROR {out.get('ename', '')}: {out.get('evalue', '')}")
            print(excerpt("\n".join(out.get("traceback", [])), "      ! ", n))
        elif kind == "stream":
            err = out.get("name") == "stderr"
            text = out.get("text", "")
            if failed and err:  # the panic message, not evcxr's backtrace frames
                text = "\n".join(line for line in text.splitlines() if not BACKTRACE_FRAME.match(line))
            if text.strip():
                print(excerpt(text, "      ! " if err else "      | ", n if err else MAX_LINES))
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            images = [m for m in data if m.startswith("image/")]
            for m in images:
                size = len(data[m]) * 3 // 4 if m == "image/png" else len(data[m])
                print(f"      [{m}, {size // 1024} KiB]")
            if not images:
                for m in ("text/plain", "text/markdown"):
                    if m in data:
                        print(excerpt(data[m]))
                        break


def tail(path: pathlib.Path, n: int = 30) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("      k " + line for line in lines[-n:])


def run_notebook(path: pathlib.Path, out_dir: pathlib.Path, kernel: str, timeout: int) -> tuple[bool, float, list]:
    nb = nbformat.read(path, as_version=4)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The kernel's own output (cargo's "Compiling ..." lines) goes to a log, shown on failure.
    kernel_log = out_dir / (path.stem + ".kernel.log")
    # The kernel starts in the notebook's folder, as in Jupyter: relative data paths work from any cwd.
    client = NotebookClient(
        nb,
        timeout=timeout,
        startup_timeout=120,
        kernel_name=kernel,
        resources={"metadata": {"path": str(path.parent)}},
    )
    ok = True
    timings = []
    start = time.monotonic()
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    print(f"  kernel log: {kernel_log}", flush=True)
    try:
        with open(kernel_log, "wb") as log, client.setup_kernel(stdout=log, stderr=log):
            for k, index in enumerate(code_cells, 1):
                cell = nb.cells[index]
                t0 = time.monotonic()
                failure = None
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError as e:
                    failure = f"timed out after {timeout} s: {e}"
                except CellExecutionError as e:
                    failure = "cell raised an error"
                except DeadKernelError as e:
                    failure = f"kernel died: {e}"
                dt = time.monotonic() - t0
                if failure is None and PANIC.search(stderr_text(cell)):
                    failure = "panicked (the kernel printed the panic and went on)"
                timings.append((index, dt))
                status = "ok" if failure is None else "FAILED"
                print(f"  cell {k:2d}/{len(code_cells)} {dt:8.1f} s  {status:6}  {first_line(cell.source)}", flush=True)
                show_outputs(cell, failed=failure is not None)
                if failure is not None:
                    print(f"  -> {path.name}: code cell {k} (cell index {index}) failed: {failure}")
                    ok = False
                    break
    except Exception as e:  # kernel start-up failures and the like
        print(f"  -> {path.name}: {type(e).__name__}: {e}")
        ok = False
    if not ok:
        print(f"  last lines of the kernel log ({kernel_log}):")
        print(tail(kernel_log))
    nbformat.write(nb, out_dir / path.name)
    return ok, time.monotonic() - start, timings


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("notebooks", nargs="+", type=pathlib.Path)
    ap.add_argument("--out", type=pathlib.Path, required=True, help="folder for the executed copies")
    ap.add_argument("--kernel", default="rust")
    ap.add_argument("--timeout", type=int, default=2400, help="seconds per cell (the first cell compiles polars)")
    args = ap.parse_args()
    results = []
    for p in args.notebooks:
        p = p.resolve()
        if not p.is_file():
            print(f"no such notebook: {p}", file=sys.stderr)
            return 2
        print(f"== notebook {p.name}", flush=True)
        ok, total, timings = run_notebook(p, args.out, args.kernel, args.timeout)
        print(f"== {p.name}: {'passed' if ok else 'FAILED'} in {total:.1f} s; executed copy: {args.out / p.name}", flush=True)
        results.append((p.name, ok, total, len(timings)))
    print("== notebooks summary")
    for name, ok, total, n in results:
        print(f"  {name:28} {'passed' if ok else 'FAILED':7} {total:8.1f} s  ({n} code cells run)")
    failed = sum(1 for r in results if not r[1])
    # Not "N passed, N failed": CI reads that form as the test total of the whole run.
    print(f"== notebooks: {len(results) - failed} of {len(results)} ran without error" + (f"; {failed} FAILED" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
