"""Helpers shared by the Python reference scripts in tests/reference/.

Each script puts this directory on sys.path in one line and imports from here:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    from refcommon import num, read_json, versions, write_json

It lives in lib/ so that regenerate.sh, which runs tests/reference/*.py, does not run it. Only the
standard library is imported at module level (bootstrap.py uses no numpy).
"""

import json
import math
import os
import sys

# tests/reference/, where the R scripts' JSON files (inputs here) and the outputs live.
REF_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What num() writes for +inf / -inf (JSON has no infinity):
INF_AS_STRING = ("Infinity", "-Infinity")  # strings, parsed as such by the Rust tests
INF_AS_NULL = (None, None)  # null, like NaN
INF_AS_FLOAT = (math.inf, -math.inf)  # left as floats: json.dump writes bare Infinity/-Infinity


def num(x, inf=INF_AS_STRING):
    """JSON-safe float: None and NaN -> None (null); +inf / -inf -> inf[0] / inf[1]."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return inf[0] if x > 0 else inf[1]
    return x


def floats(values):
    """A float numpy array from a JSON list, null (None) -> NaN."""
    import numpy as np

    return np.array([np.nan if v is None else v for v in values], dtype=float)


def versions(*modules):
    """{"python": "3.x.y", <module name>: <module version>, ...} in the order given."""
    out = {"python": sys.version.split()[0]}
    for m in modules:
        out[m.__name__] = m.__version__
    return out


def ref_path(name):
    """Path of a file in tests/reference/."""
    return os.path.join(REF_DIR, name)


def read_json(name):
    """Parse tests/reference/<name> (e.g. the JSON an R script wrote)."""
    with open(ref_path(name), encoding="utf-8") as f:
        return json.load(f)


def write_json(doc, name, final_newline=True):
    """Write doc to tests/reference/<name> as json.dump(indent=1) does; return the path."""
    path = ref_path(name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        if final_newline:
            f.write("\n")
    return path
