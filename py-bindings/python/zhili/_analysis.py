"""Statistical audit, Monte Carlo uncertainty analysis, replay of run designs and Sobol
sensitivity analysis (the engine's ``zhili_core::analysis``), with pandas results.

Uncertain factors are the engine's factor documents (``{"type": "weights", "spread": 0.25}``,
``{"type": "normalise", "choices": [...]}``, ``{"type": "aggregate", ...}``, ``impute``,
``treat``, ``exclude``, ``weight_sets``), given as a list of dicts or an analysis document
(TOML / JSON text or file with ``[[factors]]`` and optional ``runs``, ``seed``, ``nodes``).

Long analyses release the GIL; ``progress(done, total)`` is called from the calling thread
as runs complete, Ctrl-C raises ``KeyboardInterrupt`` promptly, and an exception raised by
the progress callback stops the analysis and propagates.
"""

from __future__ import annotations

import html
import json
import os
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native
from . import _params as _p
from ._compat import pandas as _pandas
from ._framework import Framework, PathLike
from ._score import _as_framework, _as_pipeline, _data_kwargs

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

Progress = Callable[[int, int], Any]
FactorsLike = Union[Sequence[Mapping[str, Any]], Mapping[str, Any], str, "os.PathLike[str]"]

_STAT_COLUMNS = ["nominal_score", "nominal_rank", "mean", "median", "p5", "p95", "mean_abs_shift", "ranked_runs"]


def _text(source: Union[str, "os.PathLike[str]"], name: str = "source") -> Tuple[str, str]:
    """``(text, name)`` of a path or of literal text (see :func:`zhili._params.source`)."""
    return _p.source(name, source)


def _spec(factors: FactorsLike) -> Dict[str, Any]:
    """The analysis document as a dict (``factors``, optional ``runs``, ``seed``, ``nodes``)."""
    if isinstance(factors, (str, os.PathLike)):
        text, name = _text(factors, "factors")
        spec = dict(json.loads(_native.analysis_spec(text, name)))
    elif isinstance(factors, Mapping):
        spec = dict(factors) if "factors" in factors else {"factors": [dict(factors)]}
    elif isinstance(factors, Sequence) and all(isinstance(f, Mapping) for f in factors):
        spec = {"factors": [dict(f) for f in factors]}
    else:
        raise _p.ParameterError("factors", factors, "must be a list of factor dicts, a dict or an analysis document")
    if not spec.get("factors"):
        raise _p.ParameterError("factors", factors, "nothing varies: give at least one factor (as the CLI requires)")
    return spec


def _runs_seed(name: str, runs: Any, seed: Any, spec: Dict[str, Any], minimum: int) -> Tuple[int, int]:
    """``runs`` (or ``n``) and ``seed``: the arguments, else the document's, else 1000 and 0."""
    r = _p.count(name, runs if runs is not None else spec.get("runs") or 1000, minimum=minimum)
    return r, _p.seed("seed", seed if seed is not None else spec.get("seed") or 0)


def _node_list(nodes: Any) -> List[str]:
    """Node ids: a list of strings (a single string is refused, not split into letters)."""
    if isinstance(nodes, str) or not isinstance(nodes, Sequence) or not all(isinstance(n, str) for n in nodes):
        raise _p.ParameterError("nodes", nodes, "must be a list of node ids (strings)")
    return list(nodes)


def _setup(
    framework: Any, data: Any, pipeline: Any, data_options: Dict[str, Any]
) -> Tuple[Framework, Any, Dict[str, Any], Optional[str]]:
    fw = _as_framework(framework)
    pipe = _as_pipeline(pipeline)
    if isinstance(data, (str, os.PathLike)):
        from ._read import read_csv

        data = read_csv(data)
    kw, unit_label, _ = _data_kwargs(fw, data, **data_options)
    kw.setdefault("unit_names", None)
    kw.setdefault("time", None)
    return fw, pipe, kw, unit_label


class Design:
    """A replayable run design: one run per row, the weight of each perturbed node and the
    step choices (JSON step tables) of the run. Build it from zhili's design CSV or from a
    COINr uncertainty design; replay it with :func:`replay`.

    >>> import zhili
    >>> d = zhili.Design("run,w:a,w:b\\n1,0.5,1.5\\n2,1,1\\n")
    >>> len(d), d.weight_nodes
    (2, ['a', 'b'])
    """

    def __init__(self, csv: Union[str, "os.PathLike[str]"]) -> None:
        """``csv`` is a path (``str`` or path-like; a missing file is a
        :class:`~zhili.MissingFileError` naming it) or the CSV text itself (it has a newline)."""
        text, _ = _text(csv, "csv")
        self.weight_nodes, self._runs = _native.design_info(text)
        self.csv = text

    @classmethod
    def from_coinr(
        cls, design_csv: Union[str, "os.PathLike[str]"], weight_sets_csv: Union[str, "os.PathLike[str]"]
    ) -> "Design":
        """Convert COINr's uncertainty design (columns ``Run, WeightSet, Normalisation,
        Aggregation``) with its weight sets (``WeightSet, iCode, Level, Weight``); each is a
        path or CSV text.

        >>> import zhili
        >>> d = zhili.Design.from_coinr(
        ...     "Run,WeightSet,Normalisation,Aggregation\\n1,1,\\"n_minmax(0,100)\\",a_amean\\n",
        ...     "WeightSet,iCode,Level,Weight\\n1,a,1,0.5\\n1,b,1,2\\n")
        >>> len(d), d.weight_nodes
        (1, ['a', 'b'])
        """
        return cls(_native.coinr_design(_text(design_csv, "design_csv")[0], _text(weight_sets_csv, "weight_sets_csv")[0]))

    @classmethod
    def sample(cls, framework: Any, factors: FactorsLike, runs: int = 1000, seed: int = 0) -> "Design":
        """The runs :func:`uncertainty` would do with these factors, as a design (not run).

        >>> import zhili
        >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
        ...     {"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]})
        >>> d = zhili.Design.sample(fw, [{"type": "weights", "spread": 0.2}], runs=3, seed=1)
        >>> len(d), d.weight_nodes
        (3, ['a', 'b'])
        """
        fw = _as_framework(framework)
        spec = _spec(factors)
        r, s = _runs_seed("runs", runs, seed, spec, 1)
        return cls(_native.sample_design(fw._inner, json.dumps(spec["factors"]), r, s))

    def to_csv(self, path: Optional[PathLike] = None) -> Optional[str]:
        """The design CSV text, or write it to ``path``.

        >>> import zhili
        >>> zhili.Design("run,w:a\\n1,2\\n").to_csv().splitlines()[0]
        'run,w:a'
        """
        if path is None:
            return self.csv
        with open(os.fspath(path), "w", encoding="utf-8") as f:
            f.write(self.csv)
        return None

    def __len__(self) -> int:
        return int(self._runs)

    def __repr__(self) -> str:
        return f"Design({self._runs} runs, weights of {len(self.weight_nodes)} nodes)"


class UncertaintyResult:
    """Outcome of :func:`uncertainty` or :func:`replay`.

    - ``index``: per-unit DataFrame of the index — ``nominal_score``, ``nominal_rank``,
      ``mean``, ``median``, ``p5``, ``p95`` (rank percentiles, R type 7), ``mean_abs_shift``
      (mean |rank − nominal rank|), ``ranked_runs``;
    - ``nodes``: the same per requested node (``{node id: DataFrame}``);
    - ``run_scores`` / ``run_ranks``: runs × units DataFrames (``keep_runs=True``, else None);
    - ``design``: the runs as a :class:`Design` (``record_design=True``, else None).
    """

    def __init__(self, raw: Dict[str, Any], unit_label: Optional[str]) -> None:
        pdm = _pandas()
        self.runs: int = int(raw["runs"])
        self.unit_ids: List[str] = list(raw["unit_ids"])
        idx = pdm.Index(self.unit_ids, name=unit_label)

        def frame(s: Dict[str, Any]) -> "pd.DataFrame":
            return pdm.DataFrame({c: s[c] for c in _STAT_COLUMNS}, index=idx)

        self.index_id: str = raw["index"]["node"]
        self.index: "pd.DataFrame" = frame(raw["index"])
        self.nodes: Dict[str, "pd.DataFrame"] = {s["node"]: frame(s) for s in raw["nodes"]}
        runs_idx = pdm.RangeIndex(1, self.runs + 1, name="run")
        self.run_scores: Optional["pd.DataFrame"] = (
            None if raw["run_scores"] is None else pdm.DataFrame(raw["run_scores"], index=runs_idx, columns=idx)
        )
        self.run_ranks: Optional["pd.DataFrame"] = (
            None if raw["run_ranks"] is None else pdm.DataFrame(raw["run_ranks"], index=runs_idx, columns=idx)
        )
        self.design: Optional[Design] = None if raw["design"] is None else Design(raw["design"])

    def rank_stats(self, node: Optional[str] = None) -> "pd.DataFrame":
        """Per-unit rank statistics of ``node`` (default the index)."""
        if node is None or node == self.index_id:
            return self.index
        try:
            return self.nodes[node]
        except KeyError:
            raise _native.UnknownIdError(
                f"no rank statistics for node `{node}` (requested: {', '.join(self.nodes) or 'none'}; pass nodes=[...])"
            ) from None

    def __repr__(self) -> str:
        head = f"UncertaintyResult({self.runs} runs × {len(self.unit_ids)} units, index {self.index_id!r})"
        top = self.index.sort_values("nominal_rank").head(10)
        return head + "\n" + top.to_string(float_format=lambda x: f"{x:.2f}")

    def _repr_html_(self) -> str:
        """Jupyter: the rank statistics of the 20 best units by nominal rank."""
        top = self.index.sort_values("nominal_rank")
        more = len(top) - 20
        note = f"<p>… {more} more units</p>" if more > 0 else ""
        return (
            f"<div><b>UncertaintyResult</b>: {self.runs} runs × {len(self.unit_ids)} units, index "
            f"<code>{html.escape(self.index_id)}</code>{top.head(20).to_html(float_format=lambda x: f'{x:.2f}')}{note}</div>"
        )


def _progress(progress: Optional[Progress]) -> Optional[Progress]:
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a callable progress(done, total), not {type(progress).__name__}")
    return progress


def uncertainty(
    framework: Any,
    data: Any,
    pipeline: Any = None,
    *,
    factors: FactorsLike,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    nodes: Optional[Sequence[str]] = None,
    keep_runs: bool = False,
    record_design: bool = False,
    progress: Optional[Progress] = None,
    unit: Optional[str] = None,
    names: Optional[str] = None,
    time: Optional[str] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    columns: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Any]]] = None,
    numeric: Optional[Mapping[str, Any]] = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis: ``runs`` runs of ``pipeline`` with the uncertain
    ``factors`` drawn at random (run r from its own generator of ``seed``: identical results
    for any thread count), summarised per unit as rank statistics.

    ``factors`` is a list of factor dicts (tag ``type``: ``weights``, ``weight_sets``,
    ``normalise``, ``aggregate``, ``impute``, ``treat``, ``exclude``) or an analysis document
    (TOML/JSON path or text, or a dict with ``factors``); ``runs``, ``seed``, ``nodes`` not
    given here come from the document, else 1000, 0 and none. ``nodes`` adds rank statistics
    of these nodes; ``keep_runs`` keeps every run's index scores and ranks; ``record_design``
    returns the runs as a replayable :class:`Design`. ``progress(done, total)`` is called as
    runs complete; an exception from it (or Ctrl-C) stops the analysis and is raised. Data
    arguments as in :func:`score`.

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]})
    >>> pipe = zhili.Pipeline([zhili.steps.Aggregate("arithmetic")])
    >>> x = np.array([[1.0, 9.0], [5.0, 5.0], [9.0, 0.0]])
    >>> ua = zhili.uncertainty(fw, x, pipe, unit_ids=["p", "q", "r"],
    ...                        factors=[{"type": "weights", "spread": 0.5}], runs=200, seed=7)
    >>> ua.index["nominal_rank"].tolist()
    [1.0, 1.0, 3.0]
    >>> bool((ua.index["p5"] <= ua.index["p95"]).all())
    True
    """
    spec = _spec(factors)
    r, s = _runs_seed("runs", runs, seed, spec, 1)
    keep_runs, record_design = _p.flag("keep_runs", keep_runs), _p.flag("record_design", record_design)
    fw, pipe, kw, unit_label = _setup(
        framework,
        data,
        pipeline,
        dict(unit=unit, names=names, time=time, unit_ids=unit_ids, columns=columns, groups=groups, numeric=numeric),
    )
    raw = _native.uncertainty(
        fw._inner,
        pipe._inner,
        kw,
        json.dumps(spec["factors"]),
        runs=r,
        seed=s,
        nodes=_node_list(nodes if nodes is not None else spec.get("nodes") or []),
        keep_runs=keep_runs,
        record_design=record_design,
        progress=_progress(progress),
    )
    return UncertaintyResult(raw, unit_label)


def replay(
    framework: Any,
    data: Any,
    pipeline: Any,
    design: Union[Design, str, "os.PathLike[str]"],
    *,
    nodes: Optional[Sequence[str]] = None,
    keep_runs: bool = True,
    progress: Optional[Progress] = None,
    unit: Optional[str] = None,
    names: Optional[str] = None,
    time: Optional[str] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    columns: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Any]]] = None,
    numeric: Optional[Mapping[str, Any]] = None,
) -> UncertaintyResult:
    """Replay a run design exactly (a :class:`Design`, or a design CSV path or text): each
    run's weights and step choices. Returns the same :class:`UncertaintyResult` as
    :func:`uncertainty`, with run-by-run scores and ranks unless ``keep_runs=False``.

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]})
    >>> pipe = zhili.Pipeline([zhili.steps.Aggregate("arithmetic")])
    >>> x = np.array([[1.0, 9.0], [5.0, 4.0]])
    >>> res = zhili.replay(fw, x, pipe, "run,w:a,w:b\\n1,1,1\\n2,3,1\\n", unit_ids=["p", "q"])
    >>> res.run_scores.round(2).values.tolist()
    [[5.0, 4.5], [3.0, 4.75]]
    >>> res.index["mean"].tolist()
    [1.5, 1.5]
    """
    d = design if isinstance(design, Design) else Design(design)
    keep_runs = _p.flag("keep_runs", keep_runs)
    fw, pipe, kw, unit_label = _setup(
        framework,
        data,
        pipeline,
        dict(unit=unit, names=names, time=time, unit_ids=unit_ids, columns=columns, groups=groups, numeric=numeric),
    )
    raw = _native.replay(
        fw._inner,
        pipe._inner,
        kw,
        d.csv,
        nodes=_node_list(nodes or []),
        keep_runs=keep_runs,
        progress=_progress(progress),
    )
    return UncertaintyResult(raw, unit_label)


def sensitivity(
    framework: Any,
    data: Any,
    pipeline: Any = None,
    *,
    factors: FactorsLike,
    n: Optional[int] = None,
    seed: Optional[int] = None,
    output: str = "mean_abs_rank_shift",
    output_unit: Optional[str] = None,
    resamples: int = 1000,
    confidence: float = 0.95,
    progress: Optional[Progress] = None,
    unit: Optional[str] = None,
    names: Optional[str] = None,
    time: Optional[str] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    columns: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Any]]] = None,
    numeric: Optional[Mapping[str, Any]] = None,
) -> "pd.DataFrame":
    """Variance-based (Sobol) sensitivity analysis of an index output to the ``factors``
    (as in :func:`uncertainty`; each factor is one dimension). Saltelli design with base
    sample ``n`` (``n (k + 2)`` runs; default the document's ``runs``, else 1000),
    first-order (Saltelli 2010) and total (Jansen 1999) indices with bootstrap confidence
    intervals (``resamples``, ``confidence``).

    ``output`` is ``"mean_abs_rank_shift"`` (mean |rank − nominal rank| over units, COINr's
    choice), or ``"score"`` / ``"rank"`` of the unit ``output_unit``.

    Returns a DataFrame indexed by factor: ``first, first_lo, first_hi, total, total_lo,
    total_hi, first_se, total_se``; ``df.attrs`` holds ``runs``, ``mean``, ``variance``
    and ``outputs`` (each run's output, design order).

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]})
    >>> pipe = zhili.Pipeline([zhili.steps.Normalise("minmax", lo=1, hi=100), zhili.steps.Aggregate("arithmetic")])
    >>> x = np.array([[1.0, 9.0], [5.0, 4.0], [2.0, 2.0], [8.0, 1.0]])
    >>> si = zhili.sensitivity(fw, x, pipe, unit_ids=list("pqrs"), n=64, seed=3,
    ...     factors=[{"type": "weights", "spread": 0.9},
    ...              {"type": "aggregate", "choices": [{"method": "arithmetic"},
    ...                                                {"method": "geometric"}]}],
    ...     output="score", output_unit="q")
    >>> si.index.tolist(), si.attrs["runs"]
    (['weights', 'aggregate'], 256)
    """
    spec = _spec(factors)
    n_, s = _runs_seed("n", n, seed, spec, 2)
    output = _p.text("output", output)
    output_unit = _p.optional_text("output_unit", output_unit)
    resamples = _p.count("resamples", resamples)
    if resamples == 1:
        raise _p.ParameterError("resamples", resamples, "must be 0 (no intervals) or at least 2")
    confidence = _p.real("confidence", confidence, lo=0.0, hi=1.0)
    fw, pipe, kw, _ = _setup(
        framework,
        data,
        pipeline,
        dict(unit=unit, names=names, time=time, unit_ids=unit_ids, columns=columns, groups=groups, numeric=numeric),
    )
    raw = _native.sensitivity(
        fw._inner,
        pipe._inner,
        kw,
        json.dumps(spec["factors"]),
        n=n_,
        seed=s,
        output=output,
        unit=output_unit,
        resamples=resamples,
        confidence=confidence,
        progress=_progress(progress),
    )
    pd = _pandas()
    cols = ["first", "first_lo", "first_hi", "total", "total_lo", "total_hi", "first_se", "total_se"]
    df = pd.DataFrame({c: raw[c] for c in cols}, index=pd.Index(raw["factors"], name="factor"))
    df.attrs.update(runs=int(raw["runs"]), mean=float(raw["mean"]), variance=float(raw["variance"]), outputs=raw["outputs"])
    return df


class AuditReport:
    """Outcome of :func:`audit`, as DataFrames.

    - ``stats``: per indicator (index ``id``) at stage ``stage``: ``min, max, mean, median,
      sd, skew, kurtosis, n_avail, n_nonzero, n_unique, n_same, frc_*`` and the flags
      ``low_avail, low_nonzero, low_unique, outlier`` (COINr's rules);
    - ``coverage``: each unit's share of indicators with data (Series);
    - ``flags``: flagged correlations ``kind`` (collinear, negative_with_parent,
      denominator), ``a``, ``b``, ``r``;
    - ``structure``: per aggregate node ``n_children, alpha`` (Cronbach) and PCA
      ``eigenvalue_1, explained_1``; ``correlations[node]`` and ``loadings[node]`` give the
      children's correlation matrix and first-component loadings;
    - ``importance``: per non-root node ``parent, effective_weight, r2_parent, r2_index,
      r2_index_share, eta2_parent, eta2_index, eta2_index_share`` (squared Pearson
      correlation and correlation ratio η², the main effect estimated with √n bins of the
      node's scores, with the parent and the index; shares within the node's level);
    - ``remove_one``: per node, the index rank shifts when it is removed
      (``mean_abs_rank_shift, max_abs_rank_shift``).
    """

    def __init__(self, raw: Dict[str, Any], unit_label: Optional[str]) -> None:
        pdm = _pandas()
        self.stage: str = raw["stage"]
        self.stats: "pd.DataFrame" = pdm.DataFrame(raw["stats"]).set_index("id")
        self.coverage: "pd.Series" = pdm.Series(raw["coverage"], index=pdm.Index(raw["unit_ids"], name=unit_label), name="coverage")
        self.flags: "pd.DataFrame" = pdm.DataFrame(raw["flags"], columns=["kind", "a", "b", "r"])
        rows = []
        self.correlations: Dict[str, "pd.DataFrame"] = {}
        self.loadings: Dict[str, "pd.Series"] = {}
        for s in raw["structure"]:
            ch = list(s["children"])
            self.correlations[s["node"]] = pdm.DataFrame(s["correlations"], index=ch, columns=ch)
            if s["loadings"] is not None:
                self.loadings[s["node"]] = pdm.Series(s["loadings"], index=ch, name=s["node"])
            ev, ex = s["eigenvalues"], s["explained"]
            rows.append(
                {
                    "node": s["node"],
                    "n_children": len(ch),
                    "alpha": s["alpha"],
                    "eigenvalue_1": ev[0] if ev else np.nan,
                    "explained_1": ex[0] if ex else np.nan,
                }
            )
        self.structure: "pd.DataFrame" = pdm.DataFrame(
            rows, columns=["node", "n_children", "alpha", "eigenvalue_1", "explained_1"]
        ).set_index("node")
        self.importance: "pd.DataFrame" = pdm.DataFrame(raw["importance"]).set_index("node")
        self.remove_one: "pd.DataFrame" = pdm.DataFrame(
            raw["remove_one"], columns=["node", "mean_abs_rank_shift", "max_abs_rank_shift"]
        ).set_index("node")

    def __repr__(self) -> str:
        return (
            f"AuditReport(stage {self.stage!r}, {len(self.stats)} indicators, "
            f"{int(self.stats['outlier'].sum())} outlier flags, {len(self.flags)} correlation flags, "
            f"{len(self.structure)} aggregates)"
        )

    def _repr_html_(self) -> str:
        """Jupyter: the summary, flagged indicators, correlation flags and structure; an
        empty table says "none"."""
        flagged = self.stats[self.stats[["low_avail", "low_nonzero", "low_unique", "outlier"]].any(axis=1)]

        def part(title: str, df: "pd.DataFrame") -> str:
            body = df.to_html(float_format=lambda x: f"{x:.3f}") if len(df) else "<p>none</p>"
            return f"<h4>{html.escape(title)}</h4>{body}"

        return (
            f"<div><b>AuditReport</b> ({html.escape(self.stage)} stage)"
            + part("Flagged indicators", flagged[["frc_avail", "frc_nonzero", "frc_unique", "skew", "kurtosis"]])
            + part("Correlation flags", self.flags)
            + part("Structure of each aggregate", self.structure)
            + "</div>"
        )


def audit(
    framework: Any,
    data: Any,
    pipeline: Any = None,
    *,
    method: str = "pearson",
    collinear: float = 0.9,
    stage: Optional[str] = None,
    remove_one: bool = True,
    unit: Optional[str] = None,
    names: Optional[str] = None,
    time: Optional[str] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    columns: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Any]]] = None,
    numeric: Optional[Mapping[str, Any]] = None,
) -> AuditReport:
    """Statistical audit (the JRC's checks) of the index ``pipeline`` builds: data adequacy
    at ``stage`` (default: the last stage before normalisation), correlation flags
    (``method`` pearson or spearman, collinearity at |r| ≥ ``collinear``), Cronbach's alpha
    and PCA per aggregate, effective weights against importance and (``remove_one``) rank
    shifts when each element is removed. Data arguments as in :func:`score`.

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]})
    >>> pipe = zhili.Pipeline([zhili.steps.Normalise("minmax"), zhili.steps.Aggregate("arithmetic")])
    >>> x = np.array([[1.0, 2.0], [2.0, 4.1], [3.0, 5.9], [4.0, 8.0]])
    >>> rep = zhili.audit(fw, x, pipe, unit_ids=list("pqrs"))
    >>> float(rep.stats.loc["b", "max"]), rep.flags["kind"].tolist()
    (8.0, ['collinear'])
    """
    method = _p.text("method", method)
    collinear = _p.real("collinear", collinear, lo=0.0, hi=1.0, closed=True)
    stage = _p.optional_text("stage", stage)
    remove_one = _p.flag("remove_one", remove_one)
    fw, pipe, kw, unit_label = _setup(
        framework,
        data,
        pipeline,
        dict(unit=unit, names=names, time=time, unit_ids=unit_ids, columns=columns, groups=groups, numeric=numeric),
    )
    raw = _native.audit(fw._inner, pipe._inner, kw, method=method, collinear=collinear, stage=stage, remove_one=remove_one)
    return AuditReport(raw, unit_label)
