"""Peak memory of one `zhili.score` call on a float table, measured in a fresh process.

    python rss_probe.py LIBRARY UNITS MODE [INDICATORS]

LIBRARY is ``pandas`` (one float64 block), ``polars``, ``pyarrow`` or ``numpy`` (an F-order
matrix); MODE is ``default`` (the lazy run) or ``streaming`` (``keep_stages=False``). The
table has a text unit column and INDICATORS (default 67) float64 columns. Prints one JSON
line: the float bytes, the resident memory before the call, its peak during the call (Linux:
the peak is reset with ``/proc/self/clear_refs`` once the table is built, so building it does
not count), the growth (peak − before) and the bytes of the results' score matrix (the
default call keeps every node's scores: a matrix as large as the table). Used by tests/test_zerocopy.py and benches/python_memory.py.
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Dict

import numpy as np

import zhili

def _status() -> Dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(rest.split()[0]) * 1024
    return out


def _table(lib: str, n: int, m: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    cols = [f"c{j}" for j in range(m)]
    block = np.empty((n, m), order="F")
    for j in range(m):
        block[:, j] = rng.random(n)
    units = np.arange(n).astype(str)
    if lib == "numpy":
        return block, {"unit_ids": units.tolist(), "columns": cols}
    if lib == "pandas":
        import pandas as pd

        df = pd.DataFrame(block, columns=cols, copy=False)
        df.insert(0, "unit", units)
        return df, {"unit": "unit"}
    if lib == "polars":
        import polars as pl

        df = pl.DataFrame({"unit": units, **{c: block[:, j] for j, c in enumerate(cols)}})
        return df, {"unit": "unit"}
    import pyarrow as pa

    table = pa.table({"unit": pa.array(units), **{c: pa.array(block[:, j]) for j, c in enumerate(cols)}})
    return table, {"unit": "unit"}


def main() -> None:
    lib, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    m = int(sys.argv[4]) if len(sys.argv) > 4 else 67
    fw = zhili.Framework.from_dict({"version": 1, "nodes": [{"id": "i"}] + [{"id": f"c{j}", "parent": "i"} for j in range(m)]})
    pipe = [zhili.steps.Impute("mean"), zhili.steps.Normalise("minmax", lo=0.0, hi=100.0), zhili.steps.Aggregate("arithmetic")]
    data, kw = _table(lib, n, m)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak: building the table is not the call's memory
    before = _status()["VmRSS"]
    if mode == "streaming":
        kw["keep_stages"] = False
    res = zhili.score(fw, data, pipe, **kw)
    peak = _status()["VmHWM"]
    scores = res.scores_array()
    print(
        json.dumps(
            {
                "library": lib,
                "mode": mode,
                "units": n,
                "floats": n * m * 8,
                "before": before,
                "peak": peak,
                "growth": peak - before,
                "results": scores.nbytes,
            }
        )
    )


if __name__ == "__main__":
    main()
