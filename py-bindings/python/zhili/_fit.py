"""Fit once, apply anywhere: :class:`FittedPipeline`, :func:`fit` and :class:`PartialFit`."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._framework import Framework, PathLike, _read, _write
from ._grade import Graded, grade
from ._pipeline import Pipeline
from ._results import Results
from .steps import Step


class FittedPipeline:
    """A pipeline fitted on one dataset, applied unchanged to others.

    Every data-dependent choice of the pipeline is frozen with explicit parameters: the
    imputation values (per indicator and per group), the outlier treatment per indicator
    (clip bounds from winsorisation, or the log transform with its fitted minimum and
    maximum), the normaliser's parameters (min / max, mean / sd, ...), data-driven weights
    and grading thresholds. :meth:`apply` scores new data (a later year, another
    partition) with them, through the same engine code as :func:`zhili.score`; on the
    data it was fitted on it gives exactly the scores of :func:`zhili.score`.

    The document (:meth:`to_json`, :meth:`to_toml`) is versioned, human-readable and
    validated on load; a fitted pipeline pickles (it travels to Dask workers).

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]})
    >>> base = np.array([[0.0, 10.0], [10.0, 20.0]])
    >>> fitted = zhili.Pipeline.default().fit(fw, base, unit_ids=["x", "y"])
    >>> fitted.apply(np.array([[5.0, 10.0]]), unit_ids=["x"]).index.tolist()   # on the base year's scale
    [25.0]
    >>> zhili.FittedPipeline.from_json_str(fitted.to_json()) == fitted
    True
    """

    __slots__ = ("_inner",)
    _inner: "_native.FittedPipeline"

    def __init__(self, inner: "_native.FittedPipeline") -> None:
        if not isinstance(inner, _native.FittedPipeline):
            raise TypeError(
                "build a FittedPipeline with Pipeline.fit(...), zhili.fit(...) or FittedPipeline.from_json(...)"
            )
        self._inner = inner

    @classmethod
    def from_json(cls, path: PathLike) -> "FittedPipeline":
        """Read and validate a fitted-pipeline JSON file."""
        text, _ = _read(path)
        return cls(_native.FittedPipeline.from_json(text))

    @classmethod
    def from_json_str(cls, text: str) -> "FittedPipeline":
        """Parse and validate a fitted-pipeline JSON document."""
        return cls(_native.FittedPipeline.from_json(text))

    @classmethod
    def from_toml(cls, path: PathLike) -> "FittedPipeline":
        """Read and validate a fitted-pipeline TOML file."""
        text, _ = _read(path)
        return cls(_native.FittedPipeline.from_toml(text))

    @classmethod
    def from_toml_str(cls, text: str) -> "FittedPipeline":
        """Parse and validate a fitted-pipeline TOML document."""
        return cls(_native.FittedPipeline.from_toml(text))

    def to_json(self, path: Optional[PathLike] = None) -> str:
        """The document as JSON; also written to ``path`` if given."""
        return _write(self._inner.to_json(), path)

    def to_toml(self, path: Optional[PathLike] = None) -> str:
        """The document as TOML; also written to ``path`` if given."""
        return _write(self._inner.to_toml(), path)

    def to_dict(self) -> Dict[str, Any]:
        """The document as a dict."""
        d: Dict[str, Any] = json.loads(self._inner.to_json())
        return d

    @property
    def framework(self) -> Framework:
        """The framework applied, with the fitted weights (if any)."""
        return Framework(self._inner.framework())

    @property
    def pipeline(self) -> Pipeline:
        """The frozen pipeline (``impute_fitted``, ``treat_fitted``, a ``fitted`` normaliser, ...)."""
        return Pipeline(self._inner.pipeline())

    @property
    def weights(self) -> Optional[Dict[str, float]]:
        """The fitted data-driven weights (node id → weight relative to siblings), if any."""
        w = self.to_dict().get("weights")
        return None if w is None else {str(k): float(v) for k, v in w["values"].items()}

    @property
    def grading(self) -> Optional[Dict[str, Any]]:
        """The fitted grading (``node``, ``thresholds``, ``labels``), if any."""
        g = self.to_dict().get("grading")
        if g is None:
            return None
        return {"node": g["node"], "thresholds": g["grading"]["thresholds"], "labels": g["grading"]["labels"]}

    def apply(self, data: Any, **kwargs: Any) -> Results:
        """Score ``data`` with the fitted parameters; returns :class:`Results`.

        ``data`` and the keyword arguments are those of :func:`zhili.score` (``unit=``,
        ``names=``, ``time=``, ``year=``, ``unit_ids=``, ``columns=``, ``groups=``,
        ``numeric=``, ``keep_stages=``, ``sheet=``); framework, pipeline and weights come
        from the fit.
        """
        from ._score import score

        for k in ("framework", "pipeline", "weights"):
            if k in kwargs:
                raise TypeError(f"apply() takes no {k}=: the fitted pipeline brings its own")
        res: Results = score(self.framework, data, self.pipeline, **kwargs)
        return res

    def grade(self, results: Results) -> Optional[Graded]:
        """Grade ``results`` with the fitted thresholds (``None`` without a fitted grading)."""
        g = self.grading
        if g is None:
            return None
        return grade(results.scores[g["node"]], g["labels"], thresholds=g["thresholds"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FittedPipeline) and self._inner == other._inner

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        d = self.to_dict()
        steps = ", ".join(s["type"] for s in d["pipeline"]["steps"])
        return f"FittedPipeline([{steps}], fitted on {d['fitted_on']['units']} units)"

    def __getstate__(self) -> str:
        return self._inner.to_json()

    def __setstate__(self, state: str) -> None:
        self._inner = _native.FittedPipeline.from_json(state)


def _options(
    weights: Union[str, Mapping[str, Any], None],
    weight_stage: Optional[str],
    grading: Optional[Mapping[str, Any]],
) -> Optional[str]:
    opts: Dict[str, Any] = {}
    if weights is not None:
        opts["weights"] = {"method": weights} if isinstance(weights, str) else dict(weights)
    if weight_stage is not None:
        opts["weight_stage"] = weight_stage
    if grading is not None:
        g = dict(grading)
        node, labels = g.pop("node", None), g.pop("labels", None)
        if node is None or labels is None:
            raise TypeError("grading= needs 'node' and 'labels', and one of 'thresholds', 'quantiles', 'equal_intervals'")
        if "thresholds" in g:
            breaks: Dict[str, Any] = {"type": "fixed", "thresholds": [float(t) for t in g["thresholds"]]}
        elif "quantiles" in g:
            breaks = {"type": "quantiles", "probs": [float(p) for p in g["quantiles"]]}
        elif g.get("equal_intervals"):
            breaks = {"type": "equal_intervals", "bands": len(labels)}
        else:
            raise TypeError("grading= needs one of 'thresholds', 'quantiles' or 'equal_intervals': True")
        opts["grading"] = {"node": str(node), "grading": {**breaks, "labels": [str(x) for x in labels]}}
    return json.dumps(opts) if opts else None


def fit(
    framework: Any,
    data: Any,
    pipeline: Union[Pipeline, Sequence[Union[Step, Mapping[str, Any]]], PathLike, Mapping[str, Any], None] = None,
    *,
    weights: Union[str, Mapping[str, Any], None] = None,
    weight_stage: Optional[str] = None,
    grading: Optional[Mapping[str, Any]] = None,
    **data_args: Any,
) -> FittedPipeline:
    """Fit ``pipeline`` (default: the default pipeline) on ``data``; returns a :class:`FittedPipeline`.

    ``data`` and the data arguments (``unit=``, ``names=``, ``time=``, ``year=``,
    ``unit_ids=``, ``columns=``, ``groups=``, ``numeric=``, ``sheet=``) are those of
    :func:`zhili.score` (panel data: the rows of ``year``, default the latest). ``weights``
    fits data-driven weights for every sibling group: a method name (``"entropy"``,
    ``"critic"``, ``"coefficient_of_variation"``, ``"standard_deviation"``, ``"pca"``,
    ``"equal"``) or a dict with ``method`` and its options, read at ``weight_stage``
    (default ``imputed`` if the pipeline imputes, else ``raw``). ``grading`` fits the
    thresholds of a grading: ``{"node": "index", "labels": [...], "quantiles": [...]}`` (or
    ``thresholds`` / ``equal_intervals``).

    Rank-based normalisers (``rank``, ``percentile``, ``borda``) and the aggregations that
    compare units with each other (Copeland, MPI, TOPSIS, ...) have nothing to freeze:
    fitting them raises :class:`MethodError` saying so.
    """
    from ._score import _as_framework, _as_pipeline, _data_kwargs

    fw = _as_framework(framework)
    pipe = _as_pipeline(pipeline)
    kw, _, _ = _data_kwargs(fw, data, **data_args)
    return FittedPipeline(_native.fit(fw._inner, pipe._inner, options=_options(weights, weight_stage, grading), **kw))


class PartialFit:
    """A fit accumulated over row batches and merged across workers (Dask, Spark, Ray).

    ``update(batch)`` adds rows (a DataFrame or array, with the data arguments of
    :func:`zhili.score`), ``merge(other)`` adds another partial fit (any order, any tree),
    ``finish()`` returns the :class:`FittedPipeline`. Counts, exact sums and sums of
    squares (rounded once), minima and maxima make the finished fit IDENTICAL for every
    partitioning, and equal to :func:`zhili.fit` on the whole data to 1e-12 relative.
    A partial fit pickles (its exact state travels between processes).

    ``treat`` and data-driven ``weights`` (``"entropy"``, ``"critic"``,
    ``"coefficient_of_variation"``, ``"standard_deviation"``, ``"pca"``, ``"equal"``, or a
    dict with ``method`` and its options; read at ``weight_stage`` as in :func:`zhili.fit`)
    need more than one pass over the data: ``treat`` one of its own and one more for the
    normaliser after it; weights one per level of the framework (a level's weights are
    read from the scores of the level below), two for entropy's min-max inputs (each
    column's range first). ``passes_left()`` says how many passes follow this one;
    ``advance()`` decides the current pass from the merged statistics of ALL the batches
    and returns the empty partial fit of the next pass, to be updated with every batch
    again (and merged as before); ``finish()`` refuses while a pass is left.
    ``grading`` with ``equal_intervals`` takes a last pass (the graded node's range). Other
    pipelines take one pass.

    Steps that need the whole data raise :class:`MethodError` when the partial fit is
    made: median imputation, rank-based normalisers, whole-matrix aggregations and
    quantile grading — fit those with :func:`zhili.fit`.

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}]})
    >>> x = np.array([[1.0], [np.nan], [3.0], [7.0]])
    >>> left, right = zhili.PartialFit(fw), zhili.PartialFit(fw)
    >>> _ = left.update(x[:2]), right.update(x[2:])
    >>> right.merge(left).finish() == zhili.PartialFit(fw).update(x).finish()
    True

    Entropy weights over two batches (a range pass, then the sums):

    >>> import copy
    >>> fw2 = zhili.Framework.from_dict({"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
    >>> y = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 10.0], [4.0, 14.0]])
    >>> state = zhili.PartialFit(fw2, weights="entropy")
    >>> state.passes_left()
    2
    >>> while True:
    ...     parts = [copy.deepcopy(state).update(b) for b in (y[:2], y[2:])]
    ...     for p in parts:
    ...         _ = state.merge(p)
    ...     if state.passes_left() == 0:
    ...         break
    ...     state = state.advance()
    >>> w, v = state.finish().weights, zhili.fit(fw2, y, weights="entropy").weights
    >>> all(abs(w[k] - v[k]) < 1e-12 for k in v)
    True
    """

    __slots__ = ("_inner", "_framework")
    _inner: "_native.PartialFit"
    _framework: Framework

    def __init__(
        self,
        framework: Any,
        pipeline: Union[Pipeline, Sequence[Union[Step, Mapping[str, Any]]], PathLike, Mapping[str, Any], None] = None,
        *,
        weights: Union[str, Mapping[str, Any], None] = None,
        weight_stage: Optional[str] = None,
        grading: Optional[Mapping[str, Any]] = None,
    ) -> None:
        from ._score import _as_framework, _as_pipeline

        self._framework = _as_framework(framework)
        pipe = _as_pipeline(pipeline)
        self._inner = _native.PartialFit(self._framework._inner, pipe._inner, _options(weights, weight_stage, grading))

    def update(self, batch: Any, **kwargs: Any) -> "PartialFit":
        """Add the rows of ``batch`` (data arguments of :func:`zhili.score`: ``unit=``, ``groups=``, ...); returns ``self``."""
        from ._score import _data_kwargs

        kw, _, _ = _data_kwargs(self._framework, batch, **kwargs)
        self._inner.update(**kw)
        return self

    def merge(self, other: "PartialFit") -> "PartialFit":
        """Add another partial fit of the same framework, pipeline and pass; returns ``self``."""
        if not isinstance(other, PartialFit):
            raise TypeError(f"merge() takes a zhili.PartialFit, not {type(other).__name__}")
        self._inner.merge(other._inner)
        return self

    def passes_left(self) -> int:
        """How many more passes over the data follow this one (0: call :meth:`finish`)."""
        return self._inner.passes_left()

    def advance(self) -> "PartialFit":
        """Decide this pass (call it on the merge of EVERY batch) and return the empty
        partial fit of the next pass; raises :class:`PipelineError` if no pass is left."""
        out = PartialFit.__new__(PartialFit)
        out._framework = self._framework
        out._inner = self._inner.advance()
        return out

    def finish(self) -> FittedPipeline:
        """The fitted pipeline; raises :class:`PipelineError` while :meth:`passes_left` is not 0."""
        return FittedPipeline(self._inner.finish())

    def __repr__(self) -> str:
        return f"PartialFit(units={json.loads(self._inner.to_json())['units']})"

    def __getstate__(self) -> Tuple[str, str]:
        return (self._framework._inner.to_json(), self._inner.to_json())

    def __setstate__(self, state: Tuple[str, str]) -> None:
        self._framework = Framework(_native.Framework.from_json(state[0], "<pickle>"))
        self._inner = _native.PartialFit.from_json(state[1])
