"""``erp-gateway webhooks`` on a SQLite state file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from experience_api.cli import main
from process_apis.persistence.database import create_engine
from process_apis.webhooks.enqueuer import WebhookEnqueuer
from process_apis.webhooks.sql_store import SqlWebhookStore
from tests.integration.webhooks.support import event


def _enqueue(data_dir: Path) -> None:
    async def run() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'gateway.sqlite'}")
        try:
            await WebhookEnqueuer(SqlWebhookStore(engine)).publish([event(7)])
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_add_list_deliveries_redeliver(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = ["--data-dir", str(tmp_path)]
    url = "https://hooks.example.com/in"
    assert main(["webhooks", "add", url, "--event", "order.placed", *state]) == 0
    added = capsys.readouterr().out
    assert "secret whsec_" in added

    assert main(["webhooks", "list", "--json", *state]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["url"], listed["event_types"], listed["status"]) == (
        url,
        ["order.placed"],
        "active",
    )
    assert "secret" not in listed

    _enqueue(tmp_path)
    assert main(["webhooks", "deliveries", "--json", *state]) == 0
    [delivery] = json.loads(capsys.readouterr().out)
    assert (delivery["event_id"], delivery["status"]) == ("evt-0007", "pending")

    assert main(["webhooks", "redeliver", delivery["id"], *state]) == 0
    assert "series 2" in capsys.readouterr().out


def test_bad_input_and_missing_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = ["--data-dir", str(tmp_path)]
    assert main(["webhooks", "add", "ftp://files.example.com", *state]) == 2
    assert "http:// or https://" in capsys.readouterr().err
    assert main(["webhooks", "add", "https://x.example", "--connection", "XX", *state]) == 2
    assert "unknown connection 'XX'" in capsys.readouterr().err
    assert main(["webhooks", "redeliver", "no-such-id", *state]) == 3
    assert main(["webhooks", "disable", "no-such-id", *state]) == 3
    assert main(["webhooks", "list", "--json", *state]) == 0
    assert json.loads(capsys.readouterr().out) == []
