"""Every bad input raises the right ZhiliError subclass with a message that names the culprit."""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Type

import numpy as np
import pandas as pd
import pytest

import zhili

BASE: Dict[str, Any] = {
    "version": 1,
    "nodes": [
        {"id": "index"},
        {"id": "safety", "parent": "index"},
        {"id": "crime", "parent": "safety", "direction": "cost"},
        {"id": "trust", "parent": "safety"},
        {"id": "courts", "parent": "index"},
    ],
}


def fw_with(*edits: Any) -> Dict[str, Any]:
    doc = copy.deepcopy(BASE)
    for e in edits:
        e(doc["nodes"])
    return doc


def node(i: int, **kw: Any) -> Any:
    return lambda nodes: nodes[i].update(kw)


def add(**kw: Any) -> Any:
    return lambda nodes: nodes.append(kw)


FRAMEWORK_CASES = [
    ("duplicate_id", fw_with(add(id="trust", parent="index")), "trust", "duplicate_id"),
    ("unknown_parent", fw_with(node(4, parent="nowhere")), "nowhere", "unknown_parent"),
    ("cycle", fw_with(node(1, parent="crime"), add(id="x", parent="index")), "cycle", "cycle"),
    ("two_roots", fw_with(add(id="orphan")), "orphan", "root"),
    ("childless_aggregate", fw_with(add(id="empty", parent="index", kind="aggregate")), "empty", "childless_aggregate"),
    ("indicator_with_children", fw_with(node(1, kind="indicator")), "safety", "indicator_with_children"),
    ("negative_weight", fw_with(node(2, weight=-1.0)), "crime", "bad_weight"),
    ("zero_sibling_weights", fw_with(node(2, weight=0.0), node(3, weight=0.0)), "safety", "zero_sibling_weights"),
    ("unknown_direction", fw_with(node(3, direction="sideways")), "sideways", "unknown_direction"),
    ("unknown_kind", fw_with(node(4, kind="leaf")), "leaf", "unknown_kind"),
    ("bad_goalposts", fw_with(node(3, goalposts=[5.0, 1.0])), "trust", "bad_field"),
    ("version", dict(fw_with(), version=99), "99", "version"),
]


@pytest.mark.parametrize("doc,culprit,kind", [c[1:] for c in FRAMEWORK_CASES], ids=[c[0] for c in FRAMEWORK_CASES])
def test_invalid_framework(doc: Dict[str, Any], culprit: str, kind: str) -> None:
    with pytest.raises(zhili.FrameworkError) as e:
        zhili.Framework.from_dict(doc)
    assert culprit in str(e.value)
    problems: List[zhili.Problem] = e.value.problems  # type: ignore[attr-defined]
    assert kind in [p.kind for p in problems]
    assert all(isinstance(p, zhili.Problem) for p in problems)


@pytest.mark.parametrize("weight", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_non_finite_weight(weight: float) -> None:
    # JSON cannot carry NaN / inf: they arrive through with_weights (or TOML).
    fw = zhili.Framework.from_dict(BASE)
    with pytest.raises(zhili.FrameworkError, match="crime") as e:
        fw.with_weights({"crime": weight})
    assert e.value.problems[0].node == "crime"  # type: ignore[attr-defined]
    toml = f'version = 1\n[[nodes]]\nid = "i"\n[[nodes]]\nid = "a"\nparent = "i"\nweight = {"nan" if weight != weight else "inf"}\n'
    with pytest.raises(zhili.FrameworkError, match="`a`"):
        zhili.Framework.from_toml_str(toml)


def test_every_problem_reported_at_once() -> None:
    doc = fw_with(add(id="trust", parent="index"), node(4, parent="nowhere"), node(2, weight=-2.0))
    with pytest.raises(zhili.FrameworkError) as e:
        zhili.Framework.from_dict(doc)
    kinds = sorted(p.kind for p in e.value.problems)  # type: ignore[attr-defined]
    assert kinds == ["bad_weight", "duplicate_id", "unknown_parent"]


@pytest.mark.parametrize(
    "make,exc,culprit",
    [
        (lambda: zhili.Framework.from_toml_str('version = 1\n[[nodes]]\nid = "i"\nweight = "heavy"\n'), zhili.ParseError, "line 4"),
        (lambda: zhili.Framework.from_toml_str('version = 1\n[[nodes]]\nid = "i"\ncolour = "red"\n'), zhili.ParseError, "colour"),
        (lambda: zhili.Framework.from_json_str('{"version": 1, "nodes": [}'), zhili.ParseError, "line 1"),
        (lambda: zhili.Framework.from_coinr([{"iCode": "x", "Type": "Leaf"}]), zhili.ParseError, "Leaf"),
        (lambda: zhili.Framework.from_coinr([{"iCode": "x", "Type": "Indicator", "Direction": 2}]), zhili.ParseError, "Direction"),
        (lambda: zhili.Framework.from_coinr([{"iCode": "x", "Type": "Indicator", "Weight": "heavy"}]), zhili.ParseError, "heavy"),
        (lambda: zhili.Framework.from_toml("/nonexistent/framework.toml"), zhili.ParseError, "/nonexistent/framework.toml"),
    ],
    ids=["toml_type", "toml_unknown_field", "json_syntax", "coinr_type", "coinr_direction", "coinr_weight", "missing_file"],
)
def test_bad_documents(make: Any, exc: Type[BaseException], culprit: str) -> None:
    with pytest.raises(exc) as e:
        make()
    assert culprit in str(e.value)
    assert isinstance(e.value, zhili.ZhiliError)


def test_parse_error_location() -> None:
    with pytest.raises(zhili.ParseError) as e:
        zhili.Framework.from_toml_str('version = 1\n[[nodes]]\nid = "i"\nweight = "heavy"\n')
    assert e.value.line == 4  # type: ignore[attr-defined]
    assert e.value.file == "<toml>"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "steps,culprit",
    [
        ([zhili.steps.Impute("mean")], "last step must be `aggregate`"),
        ([zhili.steps.Aggregate(), zhili.steps.Aggregate()], "step 2 (`aggregate`) appears more than once"),
        ([zhili.steps.Impute("mean"), zhili.steps.Impute("median"), zhili.steps.Aggregate()], "`impute`"),
        ([zhili.steps.Step("teleport"), zhili.steps.Aggregate()], "teleport"),
        ([zhili.steps.Impute("guess"), zhili.steps.Aggregate()], "guess"),
        ([zhili.steps.Aggregate("median_of_medians")], "median_of_medians"),
        ([zhili.steps.Impute("mean", colour="red"), zhili.steps.Aggregate()], "colour"),
    ],
    ids=["no_aggregate", "aggregate_twice", "duplicate_step", "unknown_step", "unknown_impute_method", "unknown_aggregator", "unknown_option"],
)
def test_bad_pipelines(steps: List[zhili.steps.Step], culprit: str) -> None:
    with pytest.raises(zhili.ZhiliError) as e:
        zhili.Pipeline(steps)
    assert isinstance(e.value, (zhili.PipelineError, zhili.ParseError))
    assert culprit in str(e.value)


def test_bad_pipeline_version() -> None:
    with pytest.raises(zhili.PipelineError, match="version 7"):
        zhili.Pipeline.from_dict({"version": 7, "steps": [{"type": "aggregate", "method": "arithmetic"}]})


AGG = zhili.Pipeline([zhili.steps.Aggregate("arithmetic")])
FW = zhili.Framework.from_dict(BASE)


def frame(**over: Any) -> pd.DataFrame:
    df = pd.DataFrame(
        {"unit": ["a", "b", "c"], "crime": [1.0, 2.0, 3.0], "trust": [3.0, 4.0, 5.0], "courts": [1.0, 1.5, 2.0]}
    )
    for k, v in over.items():
        df[k] = v
    return df


DATA_CASES = [
    ("missing_indicator", lambda: zhili.score(FW, frame().drop(columns="trust"), AGG), zhili.MissingColumnError, "trust"),
    ("missing_unit_column", lambda: zhili.score(FW, frame(), AGG, unit="uCode"), zhili.MissingColumnError, "uCode"),
    ("non_numeric", lambda: zhili.score(FW, frame(courts=["1", "x2", "3"]), AGG), zhili.DataError, "x2"),
    ("duplicate_unit", lambda: zhili.score(FW, frame(unit=["a", "a", "c"]), AGG), zhili.DataError, "`a`"),
    ("missing_unit_id", lambda: zhili.score(FW, frame(unit=["a", None, "c"]), AGG), zhili.DataError, "row 2"),
    ("infinite_value", lambda: zhili.score(FW, frame(trust=[1.0, np.inf, 2.0]), AGG), zhili.MethodError, "unit `b`"),
    ("empty", lambda: zhili.score(FW, frame().iloc[:0], AGG), zhili.EmptyDataError, "no units"),
    (
        "numpy_shape",
        lambda: zhili.score(FW, np.ones((3, 2)), AGG, unit_ids=["a", "b", "c"]),
        zhili.ShapeError,
        "3 indicators",
    ),
    ("numpy_1d", lambda: zhili.score(FW, np.ones(3), AGG), zhili.ShapeError, "2-D"),
    (
        "group_length",
        lambda: zhili.score(FW, np.ones((3, 3)), AGG, groups={"region": ["x", "y"]}),
        zhili.ShapeError,
        "region",
    ),
    ("unknown_weight_node", lambda: zhili.score(FW, frame(), AGG, weights={"nope": 2.0}), zhili.UnknownIdError, "nope"),
    ("negative_weight", lambda: zhili.score(FW, frame(), AGG, weights={"courts": -1.0}), zhili.FrameworkError, "courts"),
    (
        "geometric_nonpositive",
        lambda: zhili.score(FW, frame(trust=[1.0, 0.0, 2.0]), [zhili.steps.Aggregate("geometric")]),
        zhili.MethodError,
        "unit `b`, node `safety`",
    ),
    ("unknown_bundled", lambda: zhili.datasets.load("atlantis"), zhili.UnknownIdError, "atlantis"),
    ("bad_data_type", lambda: zhili.score(FW, {"a": 1}, AGG), TypeError, "dict"),
]


@pytest.mark.parametrize("call,exc,culprit", [c[1:] for c in DATA_CASES], ids=[c[0] for c in DATA_CASES])
def test_bad_data(call: Any, exc: Type[BaseException], culprit: str) -> None:
    with pytest.raises(exc) as e:
        call()
    assert culprit in str(e.value), str(e.value)


def test_method_error_attributes() -> None:
    with pytest.raises(zhili.MethodError) as e:
        zhili.score(FW, frame(trust=[1.0, 0.0, 2.0]), [zhili.steps.Aggregate("geometric")])
    assert (e.value.method, e.value.unit, e.value.node) == ("geometric", "b", "safety")  # type: ignore[attr-defined]


def test_missing_column_attributes() -> None:
    with pytest.raises(zhili.MissingColumnError) as e:
        zhili.score(FW, frame().drop(columns="trust"), AGG)
    assert e.value.column == "trust"  # type: ignore[attr-defined]
    assert isinstance(e.value, zhili.DataError)


def test_unknown_stage() -> None:
    res = zhili.score(FW, frame(), AGG)
    with pytest.raises(zhili.UnknownIdError, match="treated") as e:
        res.stage("treated")
    assert "raw" in str(e.value)  # lists the stages there are


def test_hierarchy() -> None:
    for cls in [
        zhili.FrameworkError,
        zhili.ParseError,
        zhili.DataError,
        zhili.MissingColumnError,
        zhili.ShapeError,
        zhili.EmptyDataError,
        zhili.UnknownIdError,
        zhili.MethodError,
        zhili.PipelineError,
        zhili.InternalError,
    ]:
        assert issubclass(cls, zhili.ZhiliError)
    assert issubclass(zhili.ZhiliError, Exception)
    assert issubclass(zhili.MissingColumnError, zhili.DataError)


def test_panic_never_reaches_python() -> None:
    """A Rust panic inside the engine surfaces as InternalError (an Exception), not PanicException."""
    with pytest.raises(zhili.InternalError, match="deliberate panic"):
        zhili._native._debug_panic()
