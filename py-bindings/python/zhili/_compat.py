"""Optional dependencies, imported only where used."""

from __future__ import annotations

from typing import Any


def pandas() -> Any:
    """Import pandas, or explain how to get it (pandas is the optional extra `zhili[pandas]`)."""
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - the test environment has pandas
        raise ImportError(
            "this zhili function returns or reads pandas DataFrames: install pandas "
            "(pip install 'zhili[pandas]'), or use the numpy paths (scores_array(), ranks_array(), ...)"
        ) from e
    return pd
