"""The statistical audit (``zhili_core::analysis::audit``)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence

import numpy as np

from .. import _native
from .._compat import pandas as _pandas
from .. import _params as _p
from ._common import _call

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


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
    raw, unit_label = _call(
        _native.audit, framework, data, pipeline, locals(), method=method, collinear=collinear, stage=stage, remove_one=remove_one
    )
    return AuditReport(raw, unit_label)
