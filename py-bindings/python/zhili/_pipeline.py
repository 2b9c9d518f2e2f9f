"""Pipelines: an ordered list of steps plus ranking options."""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _native
from ._framework import PathLike, _read, _write
from .steps import Step

if TYPE_CHECKING:  # pragma: no cover
    from ._fit import FittedPipeline


class Pipeline:
    """A checked list of steps (``aggregate`` last) and the tie rule for ranks.

    Build it from steps, from a TOML / JSON document, or take the default
    (denominate → mean imputation → min-max [0, 100] → arithmetic mean).

    >>> from zhili import steps
    >>> p = Pipeline([
    ...     steps.Impute("group_mean", group="region"),
    ...     steps.Normalise("minmax", lo=0.0, hi=100.0),
    ...     steps.Aggregate("arithmetic"),
    ... ])
    >>> p
    Pipeline([Impute(method='group_mean', group='region'), Normalise(method='minmax', lo=0.0, hi=100.0), Aggregate(method='arithmetic')], ties='min')
    >>> Pipeline.from_toml_str(p.to_toml()) == p
    True
    >>> Pipeline([steps.Impute("mean")])
    Traceback (most recent call last):
    ...
    zhili._native.PipelineError: invalid pipeline: the last step must be `aggregate`
    """

    __slots__ = ("_inner",)
    _inner: "_native.Pipeline"

    def __init__(
        self,
        steps: Union[Sequence[Union[Step, Mapping[str, Any]]], "_native.Pipeline", None] = None,
        *,
        ties: str = "min",
    ) -> None:
        if isinstance(steps, _native.Pipeline):
            self._inner = steps
            return
        if steps is None:
            self._inner = _native.Pipeline.default()
            if ties != "min":
                self._inner = _native.Pipeline.from_json(_with(self._inner.to_json(), ties=ties))
            return
        doc = {
            "version": 1,
            "ties": ties,
            "steps": [s.to_dict() if isinstance(s, Step) else dict(s) for s in steps],
        }
        self._inner = _native.Pipeline.from_json(_dumps(doc))

    @classmethod
    def default(cls) -> "Pipeline":
        """Denominate → mean imputation → min-max [0, 100] → arithmetic mean.

        >>> Pipeline.default().step_types
        ['denominate', 'impute', 'normalise', 'aggregate']
        """
        return cls(_native.Pipeline.default())

    @classmethod
    def from_toml(cls, path: PathLike) -> "Pipeline":
        """Read a pipeline TOML file."""
        text, name = _read(path)
        return cls(_native.Pipeline.from_toml(text, name))

    @classmethod
    def from_toml_str(cls, text: str) -> "Pipeline":
        """Parse a pipeline TOML document."""
        return cls(_native.Pipeline.from_toml(text, "<pipeline>"))

    @classmethod
    def from_json(cls, path: PathLike) -> "Pipeline":
        """Read a pipeline JSON file."""
        text, _ = _read(path)
        return cls(_native.Pipeline.from_json(text))

    @classmethod
    def from_json_str(cls, text: str) -> "Pipeline":
        """Parse a pipeline JSON document."""
        return cls(_native.Pipeline.from_json(text))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "Pipeline":
        """Build from a dict shaped like the document (``version``, ``ties``, ``steps``)."""
        return cls(_native.Pipeline.from_json(_dumps(dict(doc))))

    def to_toml(self, path: Optional[PathLike] = None) -> str:
        """The pipeline document as TOML; also written to ``path`` if given."""
        return _write(self._inner.to_toml(), path)

    def to_json(self, path: Optional[PathLike] = None) -> str:
        """The pipeline document as JSON; also written to ``path`` if given."""
        return _write(self._inner.to_json(), path)

    def to_dict(self) -> Dict[str, Any]:
        """The pipeline document as a dict."""
        d: Dict[str, Any] = json.loads(self._inner.to_json())
        return d

    @property
    def steps(self) -> List[Step]:
        """The steps, in order."""
        return [Step.from_dict(s) for s in self.to_dict()["steps"]]

    @property
    def step_types(self) -> List[str]:
        """The step types, in order."""
        return self._inner.step_types()

    @property
    def ties(self) -> str:
        """The tie rule of the ranks (``min``, ``max``, ``average``, ``dense``, ``first``)."""
        return str(self.to_dict().get("ties", "min"))

    def fit(self, framework: Any, data: Any, **kwargs: Any) -> "FittedPipeline":
        """Fit this pipeline on ``data``; returns a :class:`FittedPipeline` to apply to other data.

        The keyword arguments are those of :func:`zhili.fit` (``unit=``, ``weights=``,
        ``grading=``, ...).

        >>> import numpy as np, zhili
        >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}]})
        >>> zhili.Pipeline.default().fit(fw, np.array([[1.0], [3.0]])).apply(np.array([[2.0]])).index.tolist()
        [50.0]
        """
        from ._fit import fit

        return fit(framework, data, self, **kwargs)

    def __repr__(self) -> str:
        return f"Pipeline([{', '.join(repr(s) for s in self.steps)}], ties={self.ties!r})"

    def _repr_html_(self) -> str:
        items = "".join(f"<li><code>{html.escape(repr(s))}</code></li>" for s in self.steps)
        return f"<div><b>Pipeline</b> (ties: {html.escape(self.ties)})<ol>{items}</ol></div>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and self._inner == other._inner

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> str:
        return self._inner.to_json()

    def __setstate__(self, state: str) -> None:
        self._inner = _native.Pipeline.from_json(state)


def _dumps(doc: Any) -> str:
    try:
        return json.dumps(doc, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise _native.PipelineError(f"invalid pipeline: {e}") from None


def _with(text: str, **kw: Any) -> str:
    d = json.loads(text)
    d.update(kw)
    return _dumps(d)
