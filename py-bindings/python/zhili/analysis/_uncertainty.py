"""Monte Carlo uncertainty analysis and exact replay of run designs (``zhili_core::analysis::uncertainty``)."""

from __future__ import annotations

import html
import json
import os
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

from .. import _native
from .._compat import pandas as _pandas
from .._framework import PathLike
from .._score import _as_framework
from .. import _params as _p
from ._common import FactorsLike, Progress, _call, _node_list, _runs_seed, _spec, _text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_STAT_COLUMNS = ["nominal_score", "nominal_rank", "mean", "median", "p5", "p95", "mean_abs_shift", "ranked_runs"]


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
    raw, unit_label = _call(
        _native.uncertainty,
        framework,
        data,
        pipeline,
        locals(),
        json.dumps(spec["factors"]),
        runs=r,
        seed=s,
        nodes=_node_list(nodes if nodes is not None else spec.get("nodes") or []),
        keep_runs=keep_runs,
        record_design=record_design,
        progress=progress,
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
    raw, unit_label = _call(
        _native.replay,
        framework,
        data,
        pipeline,
        locals(),
        d.csv,
        nodes=_node_list(nodes or []),
        keep_runs=keep_runs,
        progress=progress,
    )
    return UncertaintyResult(raw, unit_label)

