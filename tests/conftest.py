"""Suite-wide: tier markers follow the folder a test lives in; the shared fixture plugins."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.tryton_env", "tests.support.state", "tests.support.tracing"]

# Folder → tier; the adapter contract suite runs over real wires, so it is integration.
TIERS = {"unit": "unit", "integration": "integration", "contract": "integration", "e2e": "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for folder, tier in TIERS.items():
            if folder in parts:
                item.add_marker(getattr(pytest.mark, tier))
