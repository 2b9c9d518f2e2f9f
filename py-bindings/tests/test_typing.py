"""The type stubs stay true to the native module, and the wrappers type-check against them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "python" / "zhili"

pytest.importorskip("mypy")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=600)


def test_stubtest_native() -> None:
    r = _run("mypy.stubtest", "zhili._native")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_wrappers() -> None:
    r = _run("mypy", "--ignore-missing-imports", "--no-incremental", str(PKG))
    assert r.returncode == 0, r.stdout + r.stderr
