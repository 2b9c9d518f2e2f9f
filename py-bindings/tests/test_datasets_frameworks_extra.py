"""`zhili.frameworks`: bundled frameworks by name."""

import pytest

import zhili


def test_frameworks_load_by_name() -> None:
    fw = zhili.frameworks.load("kunming-municipal")
    assert len(fw.indicator_ids) == 46
    assert zhili.frameworks.default() == "kunming-county"
    with pytest.raises(zhili.UnknownIdError, match="nope"):
        zhili.frameworks.load("nope")
