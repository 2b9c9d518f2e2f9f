"""Figures with matplotlib (``pip install zhili[plot]``), mirroring COINr's plots.

Every function draws into ``ax`` (a new figure's axes when ``None``) and returns the
:class:`matplotlib.axes.Axes`, so figures compose and can be saved for papers:

- :func:`framework` — the framework as a sunburst of effective weights (``plot_framework``);
- :func:`bar` — scores of a node as bars coloured by grade (``plot_bar``);
- :func:`dot` — all units' scores as dots with one unit highlighted (``plot_dot``);
- :func:`dist` — distributions of node scores as violins or boxes (``plot_dist``);
- :func:`corr` — a correlation heatmap of one level (``plot_corr``);
- :func:`scatter` — one node against another (``plot_scatter``);
- :func:`uncertainty` — rank intervals of an uncertainty analysis (``plot_uncertainty``);
- :func:`sensitivity` — first-order and total Sobol indices with confidence intervals
  (``plot_sensitivity``).

Names are shown in the framework's language unless ``lang="zh"`` / ``"en"`` is given.
Chinese names need a CJK font: the first installed of Noto Sans CJK, Source Han Sans,
WenQuanYi, SimHei, PingFang or Microsoft YaHei is put first in matplotlib's
``font.sans-serif``; when none is installed a :class:`CJKFontWarning` is issued once
(Debian / Ubuntu: ``apt install fonts-noto-cjk``).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import zhili, zhili.plot
>>> res = zhili.datasets.load().score()
>>> ax = zhili.plot.bar(res)
>>> len(ax.patches) == len(res.unit_ids)
True
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Protocol, Sequence, Set, Tuple, Union

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

    from ._framework import Framework


class Results(Protocol):
    """What the plots read of a :class:`zhili.Results`. Typed here, not imported: results
    reach this module for ``res.plot``, and this module reaches nothing of theirs back."""

    _unit_names: Optional[Dict[str, str]]

    @property
    def framework(self) -> "Framework": ...
    @property
    def unit_ids(self) -> List[str]: ...
    @property
    def node_ids(self) -> List[str]: ...
    @property
    def index_id(self) -> str: ...
    def scores_array(self) -> np.ndarray: ...
    def _scores(self) -> "pd.DataFrame": ...


class UncertaintyResult(Protocol):
    """What :func:`uncertainty` reads of a :class:`zhili.analysis.UncertaintyResult`."""

    def rank_stats(self, node: Optional[str] = None) -> "pd.DataFrame": ...

__all__ = [
    "framework",
    "bar",
    "dot",
    "dist",
    "corr",
    "scatter",
    "uncertainty",
    "sensitivity",
    "cjk_font",
    "CJKFontWarning",
]

#: CJK font families tried in order.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "PingFang SC",
    "Microsoft YaHei",
)

_BAND_COLOURS = {"red": "#d9453b", "orange": "#f08c2e", "yellow": "#f2c62f", "green": "#3f9e4d", "blue": "#3b73c4"}
_SCALE = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"]


class CJKFontWarning(UserWarning):
    """No CJK font is installed: Chinese names would be drawn as empty boxes."""


_state: Dict[str, Any] = {"font": None, "checked": False, "warned": False}


def _installed_families() -> Set[str]:
    """Font family names matplotlib knows (monkeypatched in tests)."""
    from matplotlib import font_manager

    return {f.name for f in font_manager.fontManager.ttflist}


def cjk_font() -> Optional[str]:
    """The CJK font family zhili's plots use, or ``None`` when none is installed (then a
    :class:`CJKFontWarning` is issued, once per session)."""
    if not _state["checked"]:
        installed = _installed_families()
        _state["font"] = next((f for f in CJK_FONTS if f in installed), None)
        _state["checked"] = True
        if _state["font"] is not None:
            import matplotlib

            fams = [f for f in matplotlib.rcParams["font.sans-serif"] if f != _state["font"]]
            matplotlib.rcParams["font.sans-serif"] = [_state["font"], *fams]
    if _state["font"] is None and not _state["warned"]:
        _state["warned"] = True
        warnings.warn(
            "zhili.plot: no CJK font found (tried Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei, "
            "PingFang, Microsoft YaHei): Chinese names will show as empty boxes. Install one, e.g. "
            "`apt install fonts-noto-cjk`, then restart Python.",
            CJKFontWarning,
            stacklevel=3,
        )
    font: Optional[str] = _state["font"]
    return font


def _axes(ax: Optional["Axes"], size: Tuple[float, float] = (8.0, 4.5)) -> "Axes":
    cjk_font()
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _fig, new = plt.subplots(figsize=size)
    return new


# ---- names ---------------------------------------------------------------------------------
def _fw(obj: Any) -> "Framework":
    from ._framework import Framework

    if isinstance(obj, Framework):
        return obj
    fw = getattr(obj, "framework", None)  # zhili.Results
    if isinstance(fw, Framework):
        return fw
    raise TypeError(f"expected zhili.Results or zhili.Framework, not {type(obj).__name__}")


def _lang(fw: "Framework", lang: Optional[str]) -> str:
    """``zh`` / ``en``: explicit, else the framework's own language (as ``zhili_io::Lang``)."""
    if lang is not None:
        code = str(lang).lower()
        if code.startswith("zh") or code == "中文":
            return "zh"
        if code.startswith("en"):
            return "en"
        raise ValueError(f"unknown language `{lang}` (use zh or en)")
    nodes = fw.nodes
    zh = sum(1 for n in nodes if n["name_zh"])
    en = sum(1 for n in nodes if n["name_en"])
    return "zh" if zh and zh * 2 >= len(nodes) else ("en" if en else "en")


def _node_labels(fw: "Framework", lang: str) -> Dict[str, str]:
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    return {n["id"]: n[first] or n[second] or n["id"] for n in fw.nodes}


def _unit_labels(results: "Results", units: Sequence[str]) -> List[str]:
    names = results._unit_names or {}
    return [names.get(u) or u for u in units]


def _node_scores(results: "Results", node: Optional[str]) -> Tuple[str, np.ndarray]:
    node = node or results.index_id
    ids = results.node_ids
    if node not in ids:
        from . import _native

        raise _native.UnknownIdError(f"unknown node `{node}` in the results (nodes: {', '.join(ids[:12])}, ...)")
    return node, np.asarray(results.scores_array()[:, ids.index(node)], dtype=float)


# ---- framework -----------------------------------------------------------------------------
def framework(obj: Union["Framework", "Results"], *, lang: Optional[str] = None, ax: Optional["Axes"] = None) -> "Axes":
    """The framework as a sunburst: one ring per depth, each node's wedge spans its
    effective weight (``360° × w_eff``); each wedge's ``gid`` is its node id."""
    fw = _fw(obj)
    ax = _axes(ax, (7.0, 7.0))
    labels = _node_labels(fw, _lang(fw, lang))
    nodes = {n["id"]: n for n in fw.nodes}
    order = fw._walk()
    depth = max(n["depth"] for n in order)
    ring = 1.0 / max(depth, 1)
    top = [c for c in nodes[fw.index_id]["children"]]
    palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    def branch(nid: str) -> str:
        while nodes[nid]["parent"] not in (None, fw.index_id):
            nid = nodes[nid]["parent"]
        return nid

    for d in range(1, depth + 1):
        sizes: List[float] = []
        ids: List[Optional[str]] = []
        for n in order:
            if n["depth"] == d or (n["depth"] < d and n["depth"] > 0 and not n["children"]):
                sizes.append(float(n["effective_weight"]))
                ids.append(n["id"] if n["depth"] == d else None)
        if not sizes or sum(sizes) <= 0:
            continue
        colours = []
        for nid in ids:
            if nid is None:
                colours.append("none")
                continue
            base = palette[top.index(branch(nid)) % len(palette)] if branch(nid) in top else "#999999"
            colours.append(base)
        show = d == 1 or len([i for i in ids if i]) <= 40
        wedges, texts = ax.pie(
            sizes,
            radius=d * ring,
            colors=colours,
            startangle=90,
            counterclock=False,
            normalize=True,
            labels=[labels[i] if (i and show) else "" for i in ids],
            labeldistance=1 - 0.5 * ring / (d * ring),
            rotatelabels=d > 1,
            textprops={"fontsize": 9 if d == 1 else 6, "ha": "center", "va": "center"},
            wedgeprops={"width": ring, "edgecolor": "white", "linewidth": 0.6, "alpha": 1.0 if d == 1 else 0.75},
        )
        for w, nid in zip(wedges, ids):
            if nid is None:
                w.set_visible(False)
            else:
                w.set_gid(nid)
    ax.set_title(labels[fw.index_id])
    ax.set_aspect("equal")
    return ax


# ---- scores --------------------------------------------------------------------------------
def _grade_colours(categories: Sequence[str]) -> Dict[str, str]:
    """A colour per grade label: its own when it names one, else red (first, lowest) → green."""
    out = {}
    n = len(categories)
    for k, c in enumerate(categories):
        named = next((v for name, v in _BAND_COLOURS.items() if str(c).lower().startswith(name)), None)
        out[c] = named or _SCALE[0 if n <= 1 else round(k * (len(_SCALE) - 1) / (n - 1))]
    return out


def bar(
    results: "Results",
    node: Optional[str] = None,
    by_grade: bool = True,
    *,
    grades: Optional[Union["pd.Series", Mapping[str, str]]] = None,
    top: Optional[int] = None,
    lang: Optional[str] = None,
    ax: Optional["Axes"] = None,
) -> "Axes":
    """Scores of ``node`` (default the index) as bars, best first.

    ``by_grade`` colours the bars by grade: ``grades`` maps unit id → grade label (e.g.
    ``results.grade(["差", "中", "良", "优"], thresholds=[60, 70, 85])``, lowest band first
    when it is an ordered categorical); without it, units are graded into score quartiles.
    Bar heights are the scores; tick labels are the units' names (ids when unnamed).
    """
    node, s = _node_scores(results, node)
    units = results.unit_ids
    order = [i for i in np.argsort(-np.nan_to_num(s, nan=-np.inf), kind="stable") if not np.isnan(s[i])]
    if top is not None:
        order = order[:top]
    ax = _axes(ax, (max(6.0, 0.28 * len(order) + 2), 4.5))
    fw = results.framework
    labels = _node_labels(fw, _lang(fw, lang))
    colour = ["#4e79a7"] * len(order)
    legend: List[Tuple[str, str]] = []
    if by_grade:
        if grades is None:
            from ._grade import grade

            qs = ["Q4", "Q3", "Q2", "Q1"]
            g = grade(s, qs, quantiles=[0.25, 0.5, 0.75])
            unit_grade = {u: lab for u, lab in zip(units, g.labels)}
            cats: List[str] = qs
        else:
            unit_grade = {str(k): (None if v is None or v != v else str(v)) for k, v in dict(grades).items()}
            cat = getattr(getattr(grades, "cat", None), "categories", None)
            cats = [str(c) for c in cat] if cat is not None else sorted({v for v in unit_grade.values() if v})
        cmap = _grade_colours(cats)
        colour = [cmap.get(unit_grade.get(units[i]) or "", "#bbbbbb") for i in order]
        legend = [(c, cmap[c]) for c in reversed(cats) if c in {unit_grade.get(units[i]) for i in order}]
    x = np.arange(len(order))
    ax.bar(x, s[order], color=colour, width=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels(_unit_labels(results, [units[i] for i in order]), rotation=90 if len(order) > 8 else 0)
    ax.set_ylabel(labels.get(node, node))
    ax.set_xlim(-0.6, len(order) - 0.4)
    if legend:
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=c, label=lab) for lab, c in legend], fontsize=8, loc="upper right")
    return ax


def dot(
    results: "Results",
    node: Optional[str] = None,
    highlight: Optional[str] = None,
    *,
    lang: Optional[str] = None,
    ax: Optional["Axes"] = None,
) -> "Axes":
    """Every unit's score of ``node`` as a dot on one axis (the first collection, x = scores);
    ``highlight`` (a unit id) is drawn in red (the second collection) and labelled."""
    node, s = _node_scores(results, node)
    ax = _axes(ax, (8.0, 2.2))
    fw = results.framework
    labels = _node_labels(fw, _lang(fw, lang))
    ok = ~np.isnan(s)
    ax.scatter(s[ok], np.zeros(int(ok.sum())), s=40, color="#8aa4c8", alpha=0.7, edgecolors="none")
    if highlight is not None:
        units = results.unit_ids
        if highlight not in units:
            from . import _native

            raise _native.UnknownIdError(f"unknown unit `{highlight}` (not among the {len(units)} scored units)")
        i = units.index(highlight)
        ax.scatter([s[i]], [0.0], s=90, color="#d73027", zorder=3)
        ax.annotate(
            _unit_labels(results, [highlight])[0],
            (s[i], 0.0),
            xytext=(0, 12),
            textcoords="offset points",
            ha="center",
            color="#d73027",
        )
    ax.set_yticks([])
    ax.set_ylim(-1, 1)
    ax.set_xlabel(labels.get(node, node))
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax


def dist(
    results: "Results",
    node: Union[str, Sequence[str], None] = None,
    *,
    kind: str = "violin",
    lang: Optional[str] = None,
    ax: Optional["Axes"] = None,
) -> "Axes":
    """Distribution of the scores of one node or several (``kind`` ``"violin"`` with the
    median marked, or ``"box"``), one per x position, labelled with node names."""
    nodes = [node] if node is None or isinstance(node, str) else list(node)
    cols = [_node_scores(results, n) for n in nodes]
    ax = _axes(ax, (max(4.0, 1.2 * len(cols) + 2), 4.5))
    fw = results.framework
    labels = _node_labels(fw, _lang(fw, lang))
    data = [c[1][~np.isnan(c[1])] for c in cols]
    pos = np.arange(1, len(data) + 1)
    if kind == "violin":
        ax.violinplot(data, positions=pos, showmedians=True, showextrema=True)
    elif kind == "box":
        ax.boxplot(data, positions=pos)
    else:
        raise ValueError(f"kind must be 'violin' or 'box', not {kind!r}")
    ax.set_xticks(pos)
    ax.set_xticklabels([labels.get(c[0], c[0]) for c in cols], rotation=30 if len(cols) > 4 else 0)
    return ax


def corr(
    results: "Results",
    level: Optional[int] = None,
    *,
    nodes: Optional[Sequence[str]] = None,
    method: str = "pearson",
    lang: Optional[str] = None,
    ax: Optional["Axes"] = None,
) -> "Axes":
    """Correlation heatmap of the scores of the nodes at COINr ``level`` (indicators = 1,
    the default) or of ``nodes``; ``method`` ``"pearson"`` or ``"spearman"``. The image holds
    the matrix; cells are annotated when there are at most 12 nodes."""
    fw = results.framework
    if nodes is None:
        lv = 1 if level is None else int(level)
        nodes = [n["id"] for n in fw.nodes if n["level"] == lv and n["id"] in results.node_ids]
        if not nodes:
            raise ValueError(f"no scored nodes at level {lv}")
    ids = list(nodes)
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method must be 'pearson' or 'spearman', not {method!r}")
    for n in ids:
        _node_scores(results, n)
    r = results._scores()[ids].corr(method=method).to_numpy()
    k = len(ids)
    ax = _axes(ax, (max(5.0, 0.35 * k + 3), max(4.0, 0.35 * k + 2)))
    labels = _node_labels(fw, _lang(fw, lang))
    im = ax.imshow(r, cmap="RdBu_r", vmin=-1, vmax=1)
    names = [labels.get(i, i) for i in ids]
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xticklabels(names, rotation=90, fontsize=8)
    ax.set_yticklabels(names, fontsize=8)
    if k <= 12:
        for a in range(k):
            for b in range(k):
                if not np.isnan(r[a, b]):
                    ax.text(b, a, f"{r[a, b]:.2f}", ha="center", va="center", fontsize=7)
    ax.figure.colorbar(im, ax=ax, shrink=0.8)
    return ax


def scatter(
    results: "Results",
    x: str,
    y: str,
    *,
    label: bool = False,
    lang: Optional[str] = None,
    ax: Optional["Axes"] = None,
) -> "Axes":
    """Scores of node ``y`` against node ``x`` (one dot per unit; ``label`` writes unit names)."""
    _, sx = _node_scores(results, x)
    _, sy = _node_scores(results, y)
    ax = _axes(ax, (5.5, 5.0))
    fw = results.framework
    labels = _node_labels(fw, _lang(fw, lang))
    ok = ~np.isnan(sx) & ~np.isnan(sy)
    ax.scatter(sx[ok], sy[ok], color="#4e79a7")
    if label:
        for u, a, b in zip(_unit_labels(results, results.unit_ids), sx, sy):
            if not (np.isnan(a) or np.isnan(b)):
                ax.annotate(u, (a, b), xytext=(3, 3), textcoords="offset points", fontsize=7)
    ax.set_xlabel(labels.get(x, x))
    ax.set_ylabel(labels.get(y, y))
    return ax


# ---- analyses ------------------------------------------------------------------------------
def uncertainty(
    ua: "UncertaintyResult",
    *,
    node: Optional[str] = None,
    results: Optional["Results"] = None,
    top: Optional[int] = None,
    ax: Optional["Axes"] = None,
) -> "Axes":
    """Rank intervals of an uncertainty analysis: per unit (by nominal rank) a vertical line
    from the 5th to the 95th percentile rank (the first line collection), the nominal rank
    (diamond) and the median rank (dot). ``results`` supplies unit names."""
    st = ua.rank_stats(node).sort_values("nominal_rank", kind="stable")
    st = st[~st["p5"].isna()]
    if top is not None:
        st = st.head(top)
    ax = _axes(ax, (max(6.0, 0.28 * len(st) + 2), 4.5))
    x = np.arange(len(st))
    ax.vlines(x, st["p5"].to_numpy(), st["p95"].to_numpy(), color="#6baed6", linewidth=4, label="5–95 %")
    ax.scatter(x, st["nominal_rank"].to_numpy(), marker="D", color="#d73027", zorder=3, s=25, label="nominal")
    ax.scatter(x, st["median"].to_numpy(), color="#08306b", zorder=3, s=12, label="median")
    units = [str(u) for u in st.index]
    ax.set_xticks(x)
    ax.set_xticklabels(_unit_labels(results, units) if results is not None else units, rotation=90 if len(x) > 8 else 0)
    ax.set_ylabel("rank")
    ax.invert_yaxis()
    ax.legend(fontsize=8)
    return ax


def sensitivity(sa: "pd.DataFrame", *, ax: Optional["Axes"] = None) -> "Axes":
    """Sobol indices (the DataFrame :func:`zhili.sensitivity` returns): first-order (left)
    and total (right) bars per factor, error bars from ``*_lo`` to ``*_hi``."""
    ax = _axes(ax, (max(5.0, 1.2 * len(sa) + 2), 4.0))
    x = np.arange(len(sa))
    w = 0.38
    for off, key, colour, name in ((-w / 2, "first", "#4292c6", "first order S"), (w / 2, "total", "#fd8d3c", "total ST")):
        v = sa[key].to_numpy(dtype=float)
        lo = sa[f"{key}_lo"].to_numpy(dtype=float)
        hi = sa[f"{key}_hi"].to_numpy(dtype=float)
        err = np.vstack([v - lo, hi - v])
        ax.bar(x + off, v, width=w, color=colour, label=name, yerr=err, capsize=4, ecolor="#333333")
    ax.set_xticks(x)
    ax.set_xticklabels([str(i) for i in sa.index])
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.legend(fontsize=8)
    return ax


class PlotAccessor:
    """``results.plot``: the plots of one :class:`zhili.Results` (``res.plot.bar()``)."""

    def __init__(self, results: "Results") -> None:
        self._r = results

    def framework(self, **kw: Any) -> "Axes":
        """:func:`zhili.plot.framework` of these results."""
        return framework(self._r, **kw)

    def bar(self, node: Optional[str] = None, by_grade: bool = True, **kw: Any) -> "Axes":
        """:func:`zhili.plot.bar` of these results."""
        return bar(self._r, node, by_grade, **kw)

    def dot(self, node: Optional[str] = None, highlight: Optional[str] = None, **kw: Any) -> "Axes":
        """:func:`zhili.plot.dot` of these results."""
        return dot(self._r, node, highlight, **kw)

    def dist(self, node: Union[str, Sequence[str], None] = None, **kw: Any) -> "Axes":
        """:func:`zhili.plot.dist` of these results."""
        return dist(self._r, node, **kw)

    def corr(self, level: Optional[int] = None, **kw: Any) -> "Axes":
        """:func:`zhili.plot.corr` of these results."""
        return corr(self._r, level, **kw)

    def scatter(self, x: str, y: str, **kw: Any) -> "Axes":
        """:func:`zhili.plot.scatter` of these results."""
        return scatter(self._r, x, y, **kw)
