"""``erp-gateway events status`` over a real state file: what waits, what went out, who
publishes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from experience_api.cli import main
from process_apis.events.lease import DbLease
from process_apis.events.model import Event, EventType
from process_apis.events.outbox import stage
from process_apis.events.relay import RELAY_LEASE, OutboxRelay
from process_apis.events.sql_reader import SqlOutboxReader
from tests.support.state import sqlite_state


class Sink:
    async def publish(self, events: Sequence[Event]) -> None:
        pass


def event(n: int) -> Event:
    return Event(
        id=f"e{n}", type=EventType.ORDER_PLACED, aggregate=f"order:EU01:{n}", connection="EU01"
    )


async def prepare(data_dir: Path) -> None:
    engine = await sqlite_state(data_dir / "gateway.sqlite")
    lease = DbLease(engine, RELAY_LEASE, holder="replica-a", ttl=dt.timedelta(minutes=5))
    relay = OutboxRelay(SqlOutboxReader(engine), [Sink()], lease, batch_size=2)
    async with engine.begin() as conn:
        await stage(conn, [event(1), event(2)])
    assert await relay.run_once() == 2
    async with engine.begin() as conn:
        await stage(conn, [event(3)])
    await engine.dispose()


def test_status_shows_the_backlog_and_the_relay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(prepare(tmp_path))
    assert main(["events", "status", "--data-dir", str(tmp_path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["waiting"] == 1
    assert row["published"] == 2
    assert row["relay"] == "replica-a"
    assert row["oldest_waiting"] is not None

    assert main(["events", "status", "--data-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "waiting:   1, oldest" in text
    assert "relay:     replica-a" in text


def test_status_of_a_new_gateway_has_nothing_waiting_and_no_relay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "status", "--data-dir", str(tmp_path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["waiting"], row["published"], row["relay"]) == (0, 0, None)
