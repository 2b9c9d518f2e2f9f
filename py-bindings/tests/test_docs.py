"""Every public object of the package has a docstring (their examples run as doctests)."""

from __future__ import annotations

import inspect

import zhili


def test_every_public_object_is_documented() -> None:
    missing = []
    for name in zhili.__all__:
        obj = getattr(zhili, name)
        if name.startswith("__"):
            continue
        if not (inspect.getdoc(obj) or "").strip():
            missing.append(name)
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                target = member.fget if isinstance(member, property) else member
                if isinstance(target, (staticmethod, classmethod)):
                    target = target.__func__
                if callable(target) and not (inspect.getdoc(target) or "").strip():
                    missing.append(f"{name}.{attr}")
        if inspect.ismodule(obj):
            for attr in getattr(obj, "__all__", []):
                if not (inspect.getdoc(getattr(obj, attr)) or "").strip():
                    missing.append(f"{name}.{attr}")
    assert not missing, f"undocumented: {missing}"


def test_exceptions_documented() -> None:
    for cls in [zhili.ZhiliError, zhili.FrameworkError, zhili.DataError, zhili.MethodError, zhili.PipelineError]:
        assert cls.__doc__ and len(cls.__doc__) > 20
