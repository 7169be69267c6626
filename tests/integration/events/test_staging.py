"""Events are staged in the transaction of the change they describe (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.model import Event, EventType
from process_apis.events.outbox import event_from_row, stage
from process_apis.events.sql_outbox import SqlOutbox
from process_apis.idempotency.port import KeyState
from process_apis.idempotency.sql_store import SqlIdempotencyStore
from process_apis.persistence.tables import outbox


def event(n: int) -> Event:
    return Event(
        id=f"e{n}",
        type=EventType.ORDER_PLACED,
        aggregate=f"order:EU01:{n}",
        connection="EU01",
        data={"order_id": f"EU01:{n}", "net_amount": {"amount": "12.30", "currency": "EUR"}},
    )


async def outbox_events(engine: AsyncEngine) -> list[Event]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
    return [event_from_row(row) for row in rows]


async def test_completing_a_key_stages_its_events_once(state_engine: AsyncEngine) -> None:
    nudges: list[int] = []
    store = SqlIdempotencyStore(state_engine, on_events=lambda: nudges.append(1))
    await store.claim("place_order:EU01", "k1", "f", dt.timedelta(hours=1))
    events = [event(1), event(2)]
    await store.complete("place_order:EU01", "k1", '{"id": 1}', events=events)
    # The same events again (a replay completing the key anew): nothing new, no nudge.
    await store.complete("place_order:EU01", "k1", '{"id": 1}', events=[event(1), event(2)])

    assert await outbox_events(state_engine) == events
    assert nudges == [1]
    record = await store.claim("place_order:EU01", "k1", "f", dt.timedelta(hours=1))
    assert record is not None
    assert record.state is KeyState.COMPLETED


async def test_the_sql_outbox_appends_new_events_and_wakes_the_relay(
    state_engine: AsyncEngine,
) -> None:
    nudges: list[int] = []
    box = SqlOutbox(state_engine, notify=lambda: nudges.append(1))
    first = event(1)
    await box.append([first])
    await box.append([first, event(2)])
    await box.append([])
    assert [e.id for e in await outbox_events(state_engine)] == ["e1", "e2"]
    assert nudges == [1, 1]


async def test_two_transactions_staging_one_change_at_once_make_one_event(
    state_engine: AsyncEngine,
) -> None:
    # A mutation and change capture can announce the same invoice at the same moment.
    shared = event(7)
    async with state_engine.connect() as first:
        await first.begin()
        await stage(first, [shared])
        second = asyncio.create_task(_stage_alone(state_engine, shared))
        await asyncio.sleep(0.3)  # the second transaction reaches its INSERT and waits
        await first.commit()
        await second
    assert await outbox_events(state_engine) == [shared]


async def _stage_alone(engine: AsyncEngine, staged: Event) -> None:
    async with engine.begin() as conn:
        await stage(conn, [staged])


async def test_staging_transactions_commit_in_outbox_order(state_engine: AsyncEngine) -> None:
    # Were the second one to commit first with a higher seq, the relay could publish it
    # before the first; so the second waits for the first to end.
    async with state_engine.connect() as first:
        await first.begin()
        await stage(first, [event(1)])
        second = asyncio.create_task(_stage_alone(state_engine, event(2)))
        await asyncio.sleep(0.3)
        assert not second.done()
        await first.commit()
        await second
    assert [e.id for e in await outbox_events(state_engine)] == ["e1", "e2"]
