"""Bundled frameworks by name: the same catalogue as ``zhili frameworks`` on the command line.

>>> import zhili
>>> fw = zhili.frameworks.load("kunming-county")
>>> len(fw.indicator_ids)
21
>>> "kunming-municipal" in zhili.frameworks.names()
True
"""

from __future__ import annotations

from . import _native
from ._framework import Framework
from .datasets import default, names

__all__ = ["names", "default", "load"]


def load(name: str) -> Framework:
    """The bundled framework ``name`` (see :func:`names`); no data needed.

    For its sample data and pipeline as well, use :func:`zhili.datasets.load`.
    Raises :class:`zhili.UnknownIdError` for an unknown name.
    """
    for b in _native.bundled():
        if b["name"] == name:
            return Framework(_native.Framework.from_toml(b["framework"], f"<bundled {name}>"))
    err = _native.UnknownIdError(f"unknown bundled framework `{name}` (available: {', '.join(names())})")
    err.what, err.id, err.context = "bundled framework", name, "zhili.frameworks.load"  # type: ignore[attr-defined]
    raise err
