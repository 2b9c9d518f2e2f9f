"""Issue 19 from Python: big requests raise (never kill the kernel), parameters are checked at
the edge with errors naming the parameter and the value, paths are never parsed as text."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Dict

import numpy as np
import pytest

import zhili

FW: Dict[str, Any] = {"version": 1, "nodes": [{"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]}
X = np.array([[1.0, 9.0], [5.0, 4.0], [2.0, 2.0], [8.0, 1.0]])
UNITS = list("pqrs")
FACTORS = [{"type": "weights", "spread": 0.5}]


@pytest.fixture(scope="module")
def fw() -> zhili.Framework:
    return zhili.Framework.from_dict(FW)


@pytest.fixture(scope="module")
def pipe() -> zhili.Pipeline:
    return zhili.Pipeline([zhili.steps.Normalise("minmax"), zhili.steps.Aggregate("arithmetic")])


def test_a_huge_sensitivity_raises_a_memory_error(fw: zhili.Framework, pipe: zhili.Pipeline) -> None:
    with pytest.raises(zhili.MemoryLimitError, match="max-memory") as e:
        zhili.sensitivity(fw, X, pipe, unit_ids=UNITS, factors=FACTORS, n=10**9)
    assert isinstance(e.value, zhili.ZhiliError) and e.value.needed > e.value.limit


def test_a_huge_design_sample_raises_a_memory_error(fw: zhili.Framework) -> None:
    with pytest.raises(zhili.MemoryLimitError):
        zhili.Design.sample(fw, FACTORS, runs=10**9)


def test_a_request_under_the_limit_runs(fw: zhili.Framework, pipe: zhili.Pipeline) -> None:
    try:
        zhili.set_max_memory("1M")
        assert zhili.max_memory() == 1 << 20
        si = zhili.sensitivity(fw, X, pipe, unit_ids=UNITS, factors=FACTORS, n=16, resamples=50)
        assert si.attrs["runs"] == 16 * 3
        zhili.set_max_memory(4096)
        with pytest.raises(zhili.MemoryLimitError, match="4.0 KiB"):
            zhili.sensitivity(fw, X, pipe, unit_ids=UNITS, factors=FACTORS, n=16, resamples=50)
        with pytest.raises(zhili.ZhiliError, match="lots"):
            zhili.set_max_memory("lots")
    finally:
        zhili.set_max_memory(None)


def test_the_kernel_survives_a_huge_request() -> None:
    # In a fresh interpreter (as a Jupyter kernel would be): an error, then life goes on.
    code = (
        "import zhili\n"
        "fw = zhili.Framework.from_dict({'version': 1, 'nodes': [{'id': 'i'}, {'id': 'a', 'parent': 'i'}, {'id': 'b', 'parent': 'i'}]})\n"
        "try:\n"
        "    zhili.Design.sample(fw, [{'type': 'weights', 'spread': 0.2}], runs=10**12)\n"
        "except zhili.ZhiliError as e:\n"
        "    print('refused')\n"
        "print(len(zhili.Design.sample(fw, [{'type': 'weights', 'spread': 0.2}], runs=3)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["refused", "3"]


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        (dict(runs=-1), "runs"),
        (dict(runs=2**64), "runs"),
        (dict(runs=0), "runs"),
        (dict(runs=2.5), "runs"),
        (dict(runs="10"), "runs"),
        (dict(seed=-1), "seed"),
        (dict(seed=2**64), "seed"),
        (dict(seed="x"), "seed"),
        (dict(keep_runs="yes"), "keep_runs"),
        (dict(record_design=1), "record_design"),
        (dict(nodes="index"), "nodes"),
        (dict(factors=[]), "factors"),
        (dict(factors=3), "factors"),
    ],
)
def test_uncertainty_parameters_name_themselves(fw: zhili.Framework, pipe: zhili.Pipeline, kwargs: Dict[str, Any], parameter: str) -> None:
    args: Dict[str, Any] = dict(factors=FACTORS, runs=10)
    args.update(kwargs)
    with pytest.raises(zhili.ParameterError, match=parameter) as e:
        zhili.uncertainty(fw, X, pipe, unit_ids=UNITS, **args)
    assert isinstance(e.value, ValueError) and e.value.parameter == parameter


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        (dict(n=1), "n"),
        (dict(n=-5), "n"),
        (dict(seed=-1), "seed"),
        (dict(resamples=1), "resamples"),
        (dict(resamples=-1), "resamples"),
        (dict(confidence=1.0), "confidence"),
        (dict(confidence=float("nan")), "confidence"),
        (dict(confidence="high"), "confidence"),
        (dict(output=3), "output"),
        (dict(factors=[]), "factors"),
    ],
)
def test_sensitivity_parameters_name_themselves(fw: zhili.Framework, pipe: zhili.Pipeline, kwargs: Dict[str, Any], parameter: str) -> None:
    args: Dict[str, Any] = dict(factors=FACTORS, n=8)
    args.update(kwargs)
    with pytest.raises(zhili.ParameterError, match=parameter):
        zhili.sensitivity(fw, X, pipe, unit_ids=UNITS, **args)


def test_score_weights_and_flags_are_checked(fw: zhili.Framework, pipe: zhili.Pipeline) -> None:
    with pytest.raises(zhili.ParameterError, match=r"weights\['a'\]=.heavy.") as e:
        zhili.score(fw, X, pipe, unit_ids=UNITS, weights={"a": "heavy"})
    assert e.value.parameter == "weights['a']"
    with pytest.raises(zhili.ParameterError, match="weights"):
        zhili.score(fw, X, pipe, unit_ids=UNITS, weights={"a": float("inf")})
    with pytest.raises(zhili.ParameterError, match="weights"):
        zhili.score(fw, X, pipe, unit_ids=UNITS, weights=[1, 2])
    with pytest.raises(zhili.ParameterError, match="keep_stages"):
        zhili.score(fw, X, pipe, unit_ids=UNITS, keep_stages="no")
    # valid values still work
    assert zhili.score(fw, X, pipe, unit_ids=UNITS, weights={"a": 3}).index.notna().all()


def test_audit_and_report_parameters(fw: zhili.Framework, pipe: zhili.Pipeline) -> None:
    with pytest.raises(zhili.ParameterError, match="collinear"):
        zhili.audit(fw, X, pipe, unit_ids=UNITS, collinear=float("nan"))
    with pytest.raises(zhili.ParameterError, match="remove_one"):
        zhili.audit(fw, X, pipe, unit_ids=UNITS, remove_one="yes")
    res = zhili.score(fw, X, pipe, unit_ids=UNITS)
    with pytest.raises(zhili.ParameterError, match="seed"):
        res.to_html_report(seed=-1)
    with pytest.raises(zhili.ParameterError, match="uncertainty"):
        res.to_html_report(uncertainty=-3)


def test_a_missing_design_file_is_named_not_parsed(tmp_path: Any) -> None:
    missing = str(tmp_path / "missing.csv")
    with pytest.raises(zhili.MissingFileError, match="missing.csv") as e:
        zhili.Design(missing)
    assert isinstance(e.value, FileNotFoundError) and isinstance(e.value, zhili.ZhiliError)
    with pytest.raises(zhili.MissingFileError):
        zhili.Design(tmp_path / "missing.csv")
    # text (it has a newline) and an existing path both work
    p = tmp_path / "d.csv"
    p.write_text("run,w:a\n1,2\n")
    assert len(zhili.Design(str(p))) == len(zhili.Design("run,w:a\n1,2\n")) == 1


def test_a_duplicated_design_column_is_refused() -> None:
    with pytest.raises(zhili.ParseError, match="columns 2 and 3 are both `w:a`"):
        zhili.Design("run,w:a,w:a\n1,2,3\n")


def test_long_values_are_cut_in_messages(fw: zhili.Framework, pipe: zhili.Pipeline) -> None:
    with pytest.raises(zhili.ParameterError) as e:
        zhili.uncertainty(fw, X, pipe, unit_ids=UNITS, factors=FACTORS, runs="9" * 100_000)
    assert len(str(e.value)) < 400 and "characters)" in str(e.value)


@pytest.mark.skipif(os.name != "posix", reason="signals from a subprocess")
def test_sensitivity_is_interrupted_by_a_signal(tmp_path: Any) -> None:
    # SIGINT from another process while a long sensitivity analysis runs: KeyboardInterrupt.
    code = (
        "import os, signal, subprocess, sys, numpy as np, zhili\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "fw = zhili.Framework.from_dict({'version': 1, 'nodes': [{'id': 'i'}, {'id': 'a', 'parent': 'i'}, {'id': 'b', 'parent': 'i'}]})\n"
        "pipe = zhili.Pipeline([zhili.steps.Normalise('minmax'), zhili.steps.Aggregate('arithmetic')])\n"
        "x = np.random.default_rng(1).random((200, 2))\n"
        "subprocess.Popen([sys.executable, '-c', f'import os, signal, time; time.sleep(1.0); os.kill({os.getpid()}, signal.SIGINT)'])\n"
        "try:\n"
        "    zhili.sensitivity(fw, x, pipe, unit_ids=[str(i) for i in range(200)], factors=[{'type': 'weights', 'spread': 0.5}], n=5_000_000, resamples=0)\n"
        "    print('finished')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "interrupted", out.stderr


def test_a_long_score_is_interrupted_by_a_signal() -> None:
    # SIGINT from another process during a long Copeland score (O(n²) comparisons, minutes
    # for 150,000 units): KeyboardInterrupt at the engine's next check, not after the run.
    code = (
        "import os, signal, subprocess, sys, numpy as np, zhili\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "fw = zhili.Framework.from_dict({'version': 1, 'nodes': [{'id': 'i'}, {'id': 'a', 'parent': 'i'}, {'id': 'b', 'parent': 'i'}]})\n"
        "pipe = zhili.Pipeline([zhili.steps.Normalise('minmax'), zhili.steps.Aggregate('copeland')])\n"
        "n = 150_000\n"
        "x = np.random.default_rng(1).random((n, 2))\n"
        "subprocess.Popen([sys.executable, '-c', f'import os, signal, time; time.sleep(1.0); os.kill({os.getpid()}, signal.SIGINT)'])\n"
        "try:\n"
        "    zhili.score(fw, x, pipe, unit_ids=[str(i) for i in range(n)])\n"
        "    print('finished')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.stdout.strip() == "interrupted", out.stderr
