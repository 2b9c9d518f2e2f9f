"""Pipeline steps built in Python.

Each step is a small value that becomes one entry of the pipeline document (its
``type`` plus options). Options are passed through to the engine unchanged, so any
option or step the engine gains works here without new binding code:

>>> from zhili import steps
>>> steps.Impute("group_mean", group="region")
Impute(method='group_mean', group='region')
>>> steps.Impute("group_mean", group="region").to_dict()
{'type': 'impute', 'method': 'group_mean', 'group': 'region'}
>>> steps.Step("my_future_step", alpha=0.5).to_dict()
{'type': 'my_future_step', 'alpha': 0.5}
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

from ._methods import method_paragraph

__all__ = ["Step", "Denominate", "Impute", "Screen", "Treat", "Normalise", "Aggregate"]


class Step:
    """One pipeline step: a ``type`` and its options (``None`` options are left out).

    >>> Step("screen", min_coverage=0.9)
    Step('screen', min_coverage=0.9)
    """

    type: str = ""

    def __init__(self, type: str, **options: Any) -> None:  # noqa: A002 - the document's key
        self.type = type
        self.options: Dict[str, Any] = {k: v for k, v in options.items() if v is not None}

    def to_dict(self) -> Dict[str, Any]:
        """The step as it appears in the pipeline document."""
        return {"type": self.type, **self.options}

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Step":
        """A step from its document form (the matching subclass when there is one).

        >>> Step.from_dict({"type": "normalise", "method": "minmax", "lo": 0.0, "hi": 100.0})
        Normalise(method='minmax', lo=0.0, hi=100.0)
        """
        d = dict(d)
        kind = str(d.pop("type"))
        cls = _BY_TYPE.get(kind)
        if cls is None:
            return Step(kind, **d)
        s = cls.__new__(cls)
        Step.__init__(s, kind, **d)
        return s

    def __repr__(self) -> str:
        name = type(self).__name__
        args = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        if type(self) is Step:
            return f"Step({self.type!r}{', ' if args else ''}{args})"
        return f"{name}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Step) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]


class Denominate(Step):
    """Divide each indicator by its ``denominator`` data column (times ``scale``)."""

    def __init__(self, scale: Optional[float] = None, **options: Any) -> None:
        super().__init__("denominate", scale=scale, **options)


class Impute(Step):
    """Fill missing values: ``none``, ``mean``, ``median``, ``group_mean``, ``group_median``, ...

    ``group`` names the group column for the group methods.
    """

    def __init__(self, method: str = "mean", group: Optional[str] = None, **options: Any) -> None:
        super().__init__("impute", method=method, group=group, **options)


class Screen(Step):
    """Drop units whose share of non-missing indicators is below ``min_coverage``."""

    def __init__(self, min_coverage: float, **options: Any) -> None:
        super().__init__("screen", min_coverage=min_coverage, **options)


class Treat(Step):
    """Outlier treatment (``winsorise``: COINr's skew / kurtosis rule with log fallback)."""

    def __init__(self, method: str = "winsorise", **options: Any) -> None:
        super().__init__("treat", method=method, **options)


class Normalise(Step):
    """Normalise indicators (directions applied here), e.g. ``Normalise("minmax", lo=0, hi=100)``.

    """

    def __init__(self, method: str = "minmax", **params: Any) -> None:
        super().__init__("normalise", method=method, **params)


class Aggregate(Step):
    """Aggregate level by level, by ``method`` (options in brackets); ``min_coverage`` and
    per-level / per-node ``overrides`` as in the pipeline document.

    """

    def __init__(self, method: str = "arithmetic", **params: Any) -> None:
        super().__init__("aggregate", method=method, **params)


_BY_TYPE: Dict[str, Type[Step]] = {
    "denominate": Denominate,
    "impute": Impute,
    "screen": Screen,
    "treat": Treat,
    "normalise": Normalise,
    "aggregate": Aggregate,
}


# The method lists of the docstrings come from the engine's registries (never out of date).
Normalise.__doc__ = (Normalise.__doc__ or "") + method_paragraph("normalise")
Aggregate.__doc__ = (Aggregate.__doc__ or "") + method_paragraph("aggregate")
