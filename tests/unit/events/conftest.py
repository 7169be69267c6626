"""Relay tests on a real, migrated SQLite state file; sinks that record what they got."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.model import Event, EventType
from process_apis.events.outbox import stage
from process_apis.events.relay import OutboxRelay


@pytest.fixture
def engine(sqlite_state_engine: AsyncEngine) -> AsyncEngine:
    return sqlite_state_engine


class RecordingSink:
    """Keeps every batch it was handed; fails while ``fail_on`` names an event it gets."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.fail_on: set[str] = set()

    async def publish(self, events: Sequence[Event]) -> None:
        ids = [e.id for e in events]
        if self.fail_on & set(ids):
            raise ConnectionError("sink down")
        self.batches.append(ids)

    @property
    def received(self) -> list[str]:
        return [event_id for batch in self.batches for event_id in batch]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def event(n: int, aggregate: str = "order:EU01:1") -> Event:
    return Event(
        id=f"e{n}",
        type=EventType.ORDER_STATUS_CHANGED,
        aggregate=aggregate,
        connection="EU01",
        data={"n": n},
    )


async def staged(engine: AsyncEngine, *events: Event) -> None:
    async with engine.begin() as conn:
        await stage(conn, events)


async def until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait until ``check()`` holds; fail after ``seconds``."""
    async with asyncio.timeout(seconds):
        for _ in itertools.count():
            if check():
                return
            await asyncio.sleep(0.01)


async def drained(relay: OutboxRelay, seconds: float = 10.0) -> None:
    """Wait until the relay's marks are committed: what a sink got is not yet marked."""
    async with asyncio.timeout(seconds):
        for _ in itertools.count():
            if not await relay.backlog():
                return
            await asyncio.sleep(0.01)
