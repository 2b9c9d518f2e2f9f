"""Optional dependencies, imported only where used."""

from __future__ import annotations

from typing import Any


def pandas() -> Any:
    """Import pandas (a dependency of zhili), or explain how to get it back."""
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - the test environment has pandas
        raise ImportError(
            "this zhili function returns or reads pandas DataFrames and pandas is missing: "
            "run `python -m pip install pandas` (zhili installs it as a dependency; it was removed "
            "or zhili was installed with --no-deps), or use the numpy paths (scores_array(), ranks_array(), ...)"
        ) from e
    return pd
