"""The indicator tree."""

from __future__ import annotations

import html
import json
import math
import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _native
from ._compat import pandas as _pandas

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

PathLike = Union[str, "os.PathLike[str]"]

_IMETA_TEXT = ("iCode", "iName", "Parent", "Type", "Unit", "Denominator")
_IMETA_NUM = ("Level", "Direction", "Weight", "Target")


def _read(path: PathLike) -> Tuple[str, str]:
    text, _enc = _native.read_text(os.fspath(path))
    return text, os.fspath(path)


def _text(source: Union[str, "os.PathLike[str]"]) -> Tuple[str, str]:
    """``(text, name)`` of a path or of literal text (text has a newline or is not a file)."""
    if isinstance(source, os.PathLike) or ("\n" not in source and os.path.isfile(source)):
        p = os.fspath(source)
        return _native.read_text(p)[0], p
    return str(source), "<text>"


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        pd = _pandas()

        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return v


def _imeta_records(rows: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    out = []
    for r in rows:
        rec: Dict[str, Any] = {}
        for k in _IMETA_TEXT:
            v = _clean(r.get(k))
            if v is not None:
                rec[k] = str(v)
        for k in _IMETA_NUM:
            v = _clean(r.get(k))
            if v is not None:
                try:
                    rec[k] = float(v)
                except (TypeError, ValueError):
                    raise _native.ParseError(
                        f"iMeta: `{v}` in column `{k}` of `{r.get('iCode')}` is not a number"
                    ) from None
        rec.setdefault("iCode", "")
        rec.setdefault("Type", "")
        out.append(rec)
    return out


class Framework:
    """A validated indicator tree: nodes with weights (relative to siblings) and directions.

    Build one from TOML / JSON (file or text), a dict, or a COINr iMeta table. Every
    problem of an invalid framework is reported at once in a :class:`FrameworkError`
    whose ``problems`` lists them.

    >>> fw = Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "index"},
    ...     {"id": "safety", "parent": "index", "weight": 2},
    ...     {"id": "crime", "parent": "safety", "direction": "cost"},
    ...     {"id": "trust", "parent": "safety"},
    ...     {"id": "courts", "parent": "index"},
    ... ]})
    >>> fw
    Framework('index': 3 indicators, 2 aggregates)
    >>> fw.indicator_ids
    ['crime', 'trust', 'courts']
    >>> round(fw.effective_weights["crime"], 4)
    0.3333
    >>> print(fw.tree())
    index  (w 1, eff 1)
      safety  (w 2, eff 0.667)
        crime  (w 1, eff 0.333, cost)
        trust  (w 1, eff 0.333, benefit)
      courts  (w 1, eff 0.333, benefit)
    """

    __slots__ = ("_inner",)
    _inner: "_native.Framework"

    def __init__(self, native: "_native.Framework") -> None:
        if not isinstance(native, _native.Framework):
            raise TypeError("use Framework.from_toml / from_json / from_dict / from_coinr to build a Framework")
        self._inner = native

    # ---- constructors -------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: PathLike) -> "Framework":
        """Read a framework TOML file (UTF-8 or GBK)."""
        text, name = _read(path)
        return cls(_native.Framework.from_toml(text, name))

    @classmethod
    def from_toml_str(cls, text: str) -> "Framework":
        """Parse a framework TOML document.

        >>> Framework.from_toml_str('version = 1\\n[[nodes]]\\nid = "i"\\n[[nodes]]\\nid = "x"\\nparent = "i"').node_ids
        ['i', 'x']
        """
        return cls(_native.Framework.from_toml(text, "<toml>"))

    @classmethod
    def from_json(cls, path: PathLike) -> "Framework":
        """Read a framework JSON file."""
        text, name = _read(path)
        return cls(_native.Framework.from_json(text, name))

    @classmethod
    def from_json_str(cls, text: str) -> "Framework":
        """Parse a framework JSON document."""
        return cls(_native.Framework.from_json(text, "<json>"))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "Framework":
        """Build from a dict shaped like the TOML / JSON document (``version``, ``nodes``)."""
        try:
            text = json.dumps(doc, allow_nan=False)
        except ValueError as e:
            raise _native.ParseError(f"<dict>: {e}") from None
        return cls(_native.Framework.from_json(text, "<dict>"))

    @classmethod
    def from_coinr(cls, imeta: Any) -> "Framework":
        """Build from a COINr iMeta table: a pandas DataFrame, a CSV path, or a list of dicts.

        Columns ``iCode`` and ``Type`` are required; ``Parent``, ``Direction`` (1 / -1),
        ``Weight``, ``iName``, ``Unit``, ``Target``, ``Denominator`` are read when present.
        Rows of type ``Group``, ``Denominator`` and ``Other`` describe data columns and are skipped.

        >>> fw = Framework.from_coinr([
        ...     {"iCode": "x1", "Type": "Indicator", "Parent": "P", "Direction": -1, "Weight": 1},
        ...     {"iCode": "x2", "Type": "Indicator", "Parent": "P", "Direction": 1, "Weight": 1},
        ...     {"iCode": "P", "Type": "Aggregate", "Weight": 1},
        ... ])
        >>> [n["direction"] for n in fw.nodes]
        ['cost', 'benefit', None]
        """
        if isinstance(imeta, (str, os.PathLike)):
            text, name = _read(imeta)
            return cls(_native.Framework.from_coinr_csv(text, name))
        if hasattr(imeta, "to_dict") and hasattr(imeta, "columns"):
            rows = imeta.to_dict(orient="records")
        else:
            rows = list(imeta)
        text = json.dumps(_imeta_records(rows), allow_nan=False)
        return cls(_native.Framework.from_coinr_json(text, "iMeta", 2))

    # ---- writers ----------------------------------------------------------------------
    def to_toml(self, path: Optional[PathLike] = None) -> str:
        """The framework document as TOML; also written to ``path`` if given."""
        return _write(self._inner.to_toml(), path)

    def to_json(self, path: Optional[PathLike] = None) -> str:
        """The framework document as JSON; also written to ``path`` if given."""
        return _write(self._inner.to_json(), path)

    def to_dict(self) -> Dict[str, Any]:
        """The framework document as a dict (round-trips through :meth:`from_dict`)."""
        d: Dict[str, Any] = json.loads(self._inner.to_json())
        return d

    def to_coinr(self) -> "pd.DataFrame":
        """The framework as a COINr iMeta DataFrame (needs pandas)."""
        pd = _pandas()

        cols = ["Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type", "Unit", "Target", "Denominator"]
        return pd.DataFrame(json.loads(self._inner.to_coinr_json()), columns=cols)

    # ---- inspection ---------------------------------------------------------------
    @property
    def id(self) -> Optional[str]:
        """The framework id, if the document has one."""
        return self._inner.id

    @property
    def name(self) -> Optional[str]:
        """The framework name (English, else Chinese), if any."""
        zh, en = self._inner.name
        return en or zh

    @property
    def index_id(self) -> str:
        """The id of the root node (the index)."""
        return self._inner.root_id

    @property
    def indicator_ids(self) -> List[str]:
        """Indicator ids in document order."""
        return self._inner.indicator_ids

    @property
    def node_ids(self) -> List[str]:
        """Every node id in document order."""
        return self._inner.node_ids

    @property
    def nodes(self) -> List[Dict[str, Any]]:
        """Every node as a dict (``id, name_zh, name_en, parent, children, kind, weight,
        direction, level, depth, unit, target, goalposts, denominator, effective_weight``)."""
        return self._inner.nodes()

    @property
    def effective_weights(self) -> Dict[str, float]:
        """Each node's effective weight in the index (product of sibling shares to the root)."""
        return dict(zip(self._inner.node_ids, self._inner.effective_weights()))

    def to_frame(self) -> "pd.DataFrame":
        """The nodes as a DataFrame indexed by id (needs pandas)."""
        pd = _pandas()

        return pd.DataFrame(self.nodes).set_index("id")

    def with_weights(self, weights: Mapping[str, float]) -> "Framework":
        """A copy with some node weights replaced, re-validated.

        >>> fw = Framework.from_dict({"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
        >>> fw.with_weights({"a": 3}).effective_weights["a"]
        0.75
        """
        return Framework(self._inner.with_weights([(str(k), float(v)) for k, v in dict(weights).items()]))

    def _walk(self) -> List[Dict[str, Any]]:
        nodes = {n["id"]: n for n in self.nodes}
        out: List[Dict[str, Any]] = []
        stack = [self.index_id]
        while stack:
            n = nodes[stack.pop()]
            out.append(n)
            stack.extend(reversed(n["children"]))
        return out

    def tree(self) -> str:
        """The tree as indented text: weight, effective weight, direction."""
        lines = []
        for n in self._walk():
            bits = [f"w {_g(n['weight'])}", f"eff {_g(n['effective_weight'])}"]
            if n["direction"]:
                bits.append(n["direction"])
            label = n["name_en"] or n["name_zh"]
            lines.append(f"{'  ' * n['depth']}{n['id']}  ({', '.join(bits)})" + (f"  {label}" if label else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        n_ind = len(self.indicator_ids)
        n_agg = len(self.node_ids) - n_ind
        return f"Framework({self.index_id!r}: {n_ind} indicators, {n_agg} aggregates)"

    def _repr_html_(self) -> str:
        rows = []
        for n in self._walk():
            name = " / ".join(html.escape(x) for x in (n["name_zh"], n["name_en"]) if x)
            arrow = {"benefit": "↑ benefit", "cost": "↓ cost"}.get(n["direction"] or "", "")
            weight = "<b>" if n["kind"] == "aggregate" else ""
            rows.append(
                f"<tr><td style='text-align:left;padding-left:{0.3 + 1.5 * n['depth']:.1f}em'>"
                f"{weight}{html.escape(n['id'])}{'</b>' if weight else ''}</td>"
                f"<td style='text-align:left'>{name}</td><td>{_g(n['weight'])}</td>"
                f"<td>{n['effective_weight']:.4f}</td><td style='text-align:left'>{arrow}</td></tr>"
            )
        title = html.escape(self.name or self.id or self.index_id)
        return (
            f"<div><b>Framework {title}</b>: {len(self.indicator_ids)} indicators, "
            f"{len(self.node_ids) - len(self.indicator_ids)} aggregates"
            "<table><thead><tr><th>node</th><th>name</th><th>weight</th><th>effective weight</th>"
            f"<th>direction</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Framework) and self._inner == other._inner

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> str:
        return self._inner.to_json()

    def __setstate__(self, state: str) -> None:
        self._inner = _native.Framework.from_json(state, "<pickle>")


def _g(x: float) -> str:
    return f"{x:.3g}"


def _write(text: str, path: Optional[PathLike]) -> str:
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return text
