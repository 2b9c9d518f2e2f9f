#!/usr/bin/env python3
"""Peak memory of `zhili.score` on a ~1 GB float table: pandas (one float64 block), polars,
pyarrow and an F-order numpy matrix, for the default (lazy) call and ``keep_stages=False``.

Each case runs py-bindings/tests/rss_probe.py in a fresh process (2,000,000 units × 67
float64 columns = 1.07 GB of floats unless ZHILI_BENCH_UNITS says otherwise) and reports
the growth of the peak resident memory during the call, in MB and as a share of the floats.
A copy of the values alone would be ≥ 1.0. Run with zhili installed:
`.venv-py/bin/python benches/python_memory.py`. Prints one JSON document. Not a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).resolve().parent.parent / "py-bindings" / "tests" / "rss_probe.py"
N = int(os.environ.get("ZHILI_BENCH_UNITS", "2000000"))


def main() -> None:
    rows = []
    for lib in ("pandas", "polars", "pyarrow", "numpy"):
        for mode in ("default", "streaming"):
            out = subprocess.run([sys.executable, str(PROBE), lib, str(N), mode], check=True, capture_output=True, text=True).stdout
            r = json.loads(out)
            rows.append(
                {
                    "library": lib,
                    "mode": mode,
                    "floats_mb": round(r["floats"] / 1e6),
                    "rss_before_mb": round(r["before"] / 1e6),
                    "peak_growth_mb": round(r["growth"] / 1e6),
                    "growth_over_floats": round(r["growth"] / r["floats"], 3),
                }
            )
            print(json.dumps(rows[-1]), file=sys.stderr)
    print(json.dumps({"units": N, "indicators": 67, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
