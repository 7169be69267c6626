"""Without the ``tryton`` extra the fixtures skip locally and fail on CI."""

from __future__ import annotations

from importlib import metadata

import pytest

from tests import tryton_env


def _without_proteus(name: str) -> str:
    if name == "proteus":
        raise metadata.PackageNotFoundError(name)
    return "8.2.0"


def test_installed_extra_is_detected() -> None:
    tryton_env.require_tryton()
    assert tryton_env.tryton_missing() is None


def test_missing_package_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tryton_env.metadata, "version", _without_proteus)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="missing proteus"):
        tryton_env.require_tryton()


def test_missing_package_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tryton_env.metadata, "version", _without_proteus)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required on CI"):
        tryton_env.require_tryton()
