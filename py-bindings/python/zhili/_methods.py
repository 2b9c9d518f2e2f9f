"""Every built-in method, read from the engine's registries (the list ``zhili methods``
prints): a method added to the engine appears here, in the step docstrings and in the
workbench without another edit.

>>> import zhili
>>> [m.name for m in zhili.methods("aggregate")][:4]
['arithmetic', 'geometric', 'harmonic', 'generalised']
>>> zhili.methods("aggregate")[1].defaults
{}
>>> [m for m in zhili.methods("weighting") if m.name == "entropy"][0].about.startswith("entropy")
True
"""

from __future__ import annotations

import functools
import json
import textwrap
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from . import _native
from ._params import ParameterError

__all__ = ["Method", "methods", "FAMILIES"]

FAMILIES: Tuple[str, ...] = ("normalise", "aggregate", "weighting")


class Method(NamedTuple):
    """One built-in method: its ``family`` (``normalise``, ``aggregate`` or ``weighting``), its
    ``name`` in documents, one line ``about`` it (English · 中文) and its options' ``defaults``
    (the options that have one)."""

    family: str
    name: str
    about: str
    defaults: Dict[str, Any]


@functools.lru_cache(maxsize=1)
def _catalogue() -> Tuple[Method, ...]:
    out = []
    for m in json.loads(_native.methods()):
        defaults = {k: v for k, v in (m["example"] or {}).items() if k != "method"}
        out.append(Method(m["family"], m["name"], m["about"], defaults))
    return tuple(out)


def methods(family: Optional[str] = None) -> List[Method]:
    """Every built-in method, or those of one ``family`` (``"normalise"``, ``"aggregate"``,
    ``"weighting"``), in the engine's registry order.

    Raises :class:`ParameterError` for an unknown family.
    """
    if family is not None and family not in FAMILIES:
        raise ParameterError("family", family, f"must be one of {', '.join(FAMILIES)}")
    return [m for m in _catalogue() if family is None or m.family == family]


def method_paragraph(family: str) -> str:
    """The ``methods:`` paragraph of a step docstring: every method of ``family`` with its
    options in brackets, e.g. ``geometric`` (``shift``)."""
    parts = []
    for m in methods(family):
        opts = ", ".join(f"``{k}``" for k in m.defaults)
        parts.append(f"``{m.name}``" + (f" ({opts})" if opts else ""))
    return textwrap.fill("methods: " + ", ".join(parts) + ";", width=96, subsequent_indent="    ", break_on_hyphens=False)
