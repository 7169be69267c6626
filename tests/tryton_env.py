"""Pytest plugin: a real Tryton with demo data for integration and end-to-end tests.

Fixtures:

- ``tryton_template`` (session): the built database, never served or written. Built once per
  run into a temporary directory, or, when ``GATEWAY_TRYTON_CACHE`` names a directory, built
  there once and reused by later runs while trytond, the demo-data recipe and the year match.
- ``tryton`` (session): trytond serving a copy of the template, for tests that only read.
- ``tryton_rpc`` (session): a ``TrytonRpc`` logged in as admin on ``tryton``.
- ``tryton_fresh`` (function): its own copy and its own trytond, for tests that write.
- ``tryton_catalog`` (session): the demo catalogue module (``erp_sandbox.tryton.catalog``):
  company, customers, products, low-stock codes and historic sales the database holds.

A build (minutes on a busy machine) reports its steps on the terminal as it goes, whatever the
output capture.

When the ``tryton`` extra is not installed the fixtures skip the test, except on CI (``CI`` set)
where they fail it. Tryton runs in child processes only: this process never imports trytond.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest

from erp_sandbox.tryton import (
    RunningTryton,
    TrytonDatabase,
    TrytonRpc,
    TrytonRpcError,
    build_database,
    catalog,
    copy_database,
    ensure_database,
    run_server,
)

__all__ = [
    "RunningTryton",
    "TrytonDatabase",
    "TrytonRpc",
    "TrytonRpcError",
    "require_tryton",
    "tryton",
    "tryton_catalog",
    "tryton_fresh",
    "tryton_missing",
    "tryton_rpc",
    "tryton_template",
]

CACHE_VARIABLE = "GATEWAY_TRYTON_CACHE"
_DISTRIBUTIONS = ("trytond", "trytond-sale", "trytond-account-invoice-stock", "proteus")


def tryton_missing() -> str | None:
    """Why Tryton cannot run here, or ``None`` when the ``tryton`` extra is installed."""
    missing = []
    for name in _DISTRIBUTIONS:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    if not missing:
        return None
    return (
        f"Tryton is not installed (missing {', '.join(missing)}); "
        "install the project's extra: pip install -e '.[tryton]'"
    )


def require_tryton() -> None:
    """Skip the calling test without Tryton; on CI (``CI`` set) fail it instead."""
    reason = tryton_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required on CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def tryton_catalog() -> ModuleType:
    """What the demo database holds, as plain data (needs no Tryton)."""
    return catalog


@pytest.fixture(scope="session")
def tryton_template(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> TrytonDatabase:
    """The demo database as built; copy it (``copy_database``) before serving or writing."""
    require_tryton()
    target = tmp_path_factory.mktemp("tryton-template")
    progress = _on_terminal(pytestconfig)
    cache = os.environ.get(CACHE_VARIABLE)
    if cache:
        # The cached database itself is never handed out, so no test can change it.
        return copy_database(ensure_database(Path(cache), progress=progress), target)
    return build_database(target, progress=progress)


def _on_terminal(config: pytest.Config) -> Callable[[str], None]:
    """Writes a line on pytest's terminal even while the test's output is captured."""
    reporter = config.pluginmanager.getplugin("terminalreporter")
    capture = config.pluginmanager.getplugin("capturemanager")

    def report(line: str) -> None:
        if reporter is None:
            return
        with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
            reporter.write_line(line)

    return report


@pytest.fixture(scope="session")
def tryton(
    tryton_template: TrytonDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningTryton]:
    """trytond on a copy of the template shared by the whole run: do not write through it."""
    db = copy_database(tryton_template, tmp_path_factory.mktemp("tryton-shared"))
    with run_server(db) as running:
        yield running


@pytest.fixture(scope="session")
def tryton_rpc(tryton: RunningTryton) -> Iterator[TrytonRpc]:
    """JSON-RPC as admin on the shared server."""
    with tryton.rpc() as rpc:
        yield rpc


@pytest.fixture
def tryton_fresh(tryton_template: TrytonDatabase, tmp_path: Path) -> Iterator[RunningTryton]:
    """trytond on a copy of its own, for one test that writes."""
    db = copy_database(tryton_template, tmp_path / "tryton")
    with run_server(db) as running:
        yield running
