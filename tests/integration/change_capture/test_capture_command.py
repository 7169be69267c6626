"""``erp-gateway capture status|reset`` on the state database of a data directory."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from experience_api.cli import main
from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from tests.fakes.memory_erp import MemoryErp
from tests.support.state import sqlite_state

pytestmark = pytest.mark.integration


async def poll_once(data_dir: Path) -> None:
    engine = await sqlite_state(data_dir / "gateway.sqlite")
    try:
        poller = ChangeCapturePoller(
            "EU01", MemoryErp("EU01"), SqlWatermarkStore(engine), ChangeCapturePolicy(enabled=True)
        )
        await poller.poll_once()
    finally:
        await engine.dispose()


def test_status_lists_watermarks_and_reset_forgets_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(poll_once(tmp_path))
    state = ["--data-dir", str(tmp_path)]

    assert main(["capture", "status", "--json", *state]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["connection"], r["stream"], r["version"]) for r in rows] == [
        ("EU01", "inventory", 1),
        ("EU01", "invoices", 1),
        ("EU01", "orders", 1),
    ]

    assert main(["capture", "reset", "EU01", "--stream", "orders", *state]) == 0
    assert "forgot 1" in capsys.readouterr().out
    assert main(["capture", "reset", "NOPE", *state]) == 2
    assert "unknown connection" in capsys.readouterr().err
    assert main(["capture", "status", *state]) == 0
    listed = capsys.readouterr().out
    assert "inventory" in listed
    assert "orders" not in listed
