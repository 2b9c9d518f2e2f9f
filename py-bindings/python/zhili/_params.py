"""Checking public parameters at the edge: a wrong type or value is a :class:`ParameterError`
(a :class:`ZhiliError` and a ``ValueError``) naming the parameter and the offending value,
never a bare ``ValueError`` / ``OverflowError`` from the conversion to Rust.

Values echoed in messages are cut (80 characters and the size), as in the engine.
"""

from __future__ import annotations

import math
import numbers
import os
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _native
from ._native import ZhiliError

_SHOWN = 80
_U64 = 2**64


class ParameterError(ZhiliError, ValueError):
    """A public parameter has the wrong type or value; ``.parameter`` names it and ``.value``
    holds what was given."""

    def __init__(self, parameter: str, value: Any, expected: str) -> None:
        super().__init__(f"{parameter}={show(value)} · {expected} · 参数 {parameter} 无效")
        self.parameter = parameter
        self.value = value


class MissingFileError(ZhiliError, FileNotFoundError):
    """A parameter names a file that does not exist; ``.parameter``, ``.path``."""

    def __init__(self, parameter: str, path: str) -> None:
        super().__init__(f"{parameter}: no such file: {show(path)} · 文件不存在")
        self.parameter = parameter
        self.path = path


def show(value: Any) -> str:
    """``repr(value)`` cut to 80 characters, with the full length when cut."""
    r = repr(value)
    return r if len(r) <= _SHOWN else f"{r[:_SHOWN]}… ({len(r)} characters)"


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def count(name: str, value: Any, *, minimum: int = 0) -> int:
    """An integer ≥ ``minimum`` that fits the engine (< 2⁶³)."""
    if not _is_int(value):
        raise ParameterError(name, value, f"must be an integer ≥ {minimum}, not {type(value).__name__}")
    v = int(value)
    if v < minimum or v >= 2**63:
        raise ParameterError(name, value, f"must be an integer in [{minimum}, 2**63)")
    return v


def seed(name: str, value: Any) -> int:
    """A seed: an integer in [0, 2⁶⁴)."""
    if not _is_int(value):
        raise ParameterError(name, value, f"a seed must be an integer in [0, 2**64), not {type(value).__name__}")
    v = int(value)
    if not 0 <= v < _U64:
        raise ParameterError(name, value, "a seed must be an integer in [0, 2**64)")
    return v


def real(name: str, value: Any, *, lo: Optional[float] = None, hi: Optional[float] = None, closed: bool = False) -> float:
    """A finite number, inside (lo, hi) (or [lo, hi] when ``closed``) when bounds are given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, value, f"must be a number, not {type(value).__name__}")
    v = float(value)
    inside = math.isfinite(v)
    if inside and lo is not None:
        inside = v >= lo if closed else v > lo
    if inside and hi is not None:
        inside = v <= hi if closed else v < hi
    if not inside:
        if lo is not None and hi is not None:
            what = f"a number in {'[' if closed else '('}{lo}, {hi}{']' if closed else ')'}"
        else:
            what = "a finite number"
        raise ParameterError(name, value, f"must be {what}")
    return v


def flag(name: str, value: Any) -> bool:
    """A boolean (``True`` / ``False``, numpy booleans too)."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise ParameterError(name, value, f"must be True or False, not {type(value).__name__}")


def text(name: str, value: Any) -> str:
    """A string."""
    if not isinstance(value, str):
        raise ParameterError(name, value, f"must be a string, not {type(value).__name__}")
    return value


def optional_text(name: str, value: Any) -> Optional[str]:
    """A string or ``None``."""
    return None if value is None else text(name, value)


def weights(name: str, value: Any) -> Optional[Dict[str, float]]:
    """``{node id: weight}`` with string keys and finite numbers (the sign is the framework
    validator's to check: a negative weight is a :class:`FrameworkError` naming the node)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ParameterError(name, value, f"must be a mapping {{node id: weight}}, not {type(value).__name__}")
    out: Dict[str, float] = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise ParameterError(name, value, f"node ids must be strings; got the key {show(k)}")
        out[k] = real(f"{name}[{k!r}]", v)
    return out


def source(name: str, value: Union[str, "os.PathLike[str]"]) -> Tuple[str, str]:
    """``(text, name)`` of a path or of literal text.

    Text is recognised by a newline (or a leading ``{`` / ``[`` for a one-line JSON
    document); anything else is a path, and a path that does not exist is a
    :class:`MissingFileError` naming it (never parsed as text).
    """
    if isinstance(value, os.PathLike):
        p = os.fspath(value)
    elif isinstance(value, str):
        if "\n" in value or value.lstrip().startswith(("{", "[")):
            return value, "<text>"
        p = value
    else:
        raise ParameterError(name, value, f"must be a path or text, not {type(value).__name__}")
    if not os.path.isfile(p):
        raise MissingFileError(name, str(p))
    return _native.read_text(str(p))[0], str(p)
