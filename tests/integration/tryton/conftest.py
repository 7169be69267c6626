"""The Tryton adapter against a real trytond: fixtures from the ``tests.tryton_env`` plugin.

Run with ``pytest -p tests.tryton_env tests/integration/tryton``. Without the plugin the
fixtures ``tryton``/``tryton_fresh`` do not exist and these tests are skipped with that reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PLUGIN = "tests.tryton_env"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.pluginmanager.has_plugin(PLUGIN):
        return
    skip = pytest.mark.skip(reason=f"needs the Tryton fixtures: run pytest with -p {PLUGIN}")
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(skip)
