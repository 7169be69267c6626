"""``erp-gateway quarantine``: the operator's side of the quarantine, over the real bootstrap."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from experience_api.cli import main
from experience_api.safety import embedded_sandbox_dir
from tests.e2e.test_quarantine import (
    ORDER,
    gateway,
    orders_with_reference,
    place,
    quarantine_during_outage,
    sap_back,
)


async def cli(*args: str) -> int:
    # The command runs its own event loop, as it does from a shell.
    return await asyncio.to_thread(main, ["quarantine", *args])


async def test_replay_from_the_cli_places_the_order_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    data_dir = ("--data-dir", str(tmp_path))

    # The record came from an SAP these settings do not reach: no throwaway sandbox takes it.
    assert await cli("replay", record_id, *data_dir) == 2
    assert "refusing to act" in capsys.readouterr().err
    assert not embedded_sandbox_dir(tmp_path, "EU01").exists()

    # The gateway now serves EU01 from the sandbox beside its state: the CLI acts on that.
    async with gateway(sap_back(tmp_path)):
        pass
    assert await cli("list", "--status", "open", *data_dir) == 0
    assert record_id in capsys.readouterr().out
    assert await cli("replay", record_id, *data_dir) == 0
    assert f"replayed {record_id}: EU01:" in capsys.readouterr().out
    assert await cli("replay", record_id, *data_dir) == 3
    assert "already replayed" in capsys.readouterr().err

    async with gateway(sap_back(tmp_path)) as back:
        assert len(orders_with_reference(back)) == 1
        placed = await place(back)
        assert placed["errors"] == []
        assert len(orders_with_reference(back)) == 1


async def test_show_edit_discard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    data_dir = ("--data-dir", str(tmp_path))
    assert await cli("show", record_id, *data_dir) == 2
    async with gateway(sap_back(tmp_path)):  # EU01 is now the sandbox beside the state
        pass

    assert await cli("show", record_id, *data_dir) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["id"], shown["status"], shown["attempts"]) == (record_id, "open", 1)

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**shown["payload"], "lines": [{"sku": "TG11", "quantity": 0}]}))
    assert await cli("edit", record_id, "--payload", str(bad), *data_dir) == 2
    assert "payload.lines.0.quantity: must be greater than 0" in capsys.readouterr().err
    (tmp_path / "broken.json").write_text("{not json")
    assert await cli("edit", record_id, "--payload", str(tmp_path / "broken.json"), *data_dir) == 2
    assert "cannot read the payload" in capsys.readouterr().err

    good = tmp_path / "good.json"
    good.write_text(json.dumps({**shown["payload"], "lines": [{"sku": "TG11", "quantity": "2"}]}))
    assert await cli("edit", record_id, "--payload", str(good), *data_dir) == 0
    assert json.loads(capsys.readouterr().out)["payload"]["lines"][0]["quantity"] == "2"

    assert await cli("discard", record_id, "--note", "ordered by phone", *data_dir) == 0
    assert capsys.readouterr().out == f"discarded {record_id}\n"
    assert await cli("list", "--status", "discarded", "--json", *data_dir) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["status"], listed["resolution_note"]) == ("discarded", "ordered by phone")
    assert listed["resolved_by"].startswith("cli:")
    assert await cli("replay", "--all", *data_dir) == 0
    assert "replayed 0, failed 0, skipped 0" in capsys.readouterr().out

    async with gateway(sap_back(tmp_path)) as back:
        retry = await place(back)
        assert retry["errors"][0]["code"] == "INVALID_STATE"
        assert orders_with_reference(back) == []


async def test_mistakes_exit_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = ("--data-dir", str(tmp_path))
    assert await cli("show", "no-such-record", *data_dir) == 3
    assert await cli("replay", *data_dir) == 2
    assert await cli("replay", "x", "--all", *data_dir) == 2
    assert await cli("discard", "x", "--note", " ", *data_dir) == 2
    assert await cli("list", "--config", str(tmp_path / "missing.toml"), *data_dir) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "does not exist" in err
    assert ORDER["idempotencyKey"] not in err
