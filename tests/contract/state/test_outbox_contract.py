"""The outbox contract: the in-memory fake, SQLite and PostgreSQL record events alike.

What the flows rely on: events are kept in the order appended, an event id is recorded
once however often it is offered, and events whose data cannot be stored are refused
as a whole.
"""

from __future__ import annotations

import datetime as dt

import pytest

from process_apis.events.model import Event, EventType
from process_apis.events.port import Outbox
from tests.contract.state.conftest import Backend

OCCURRED = dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)


@pytest.fixture
def outbox(backend: Backend) -> Outbox:
    return backend.outbox_writer()


def event(n: int, aggregate: str = "invoice:EU01:9") -> Event:
    return Event(
        id=f"e{n}",
        type=EventType.INVOICE_ISSUED,
        aggregate=aggregate,
        connection="EU01",
        occurred_at=OCCURRED,
        data={"invoice_id": f"EU01:{n}", "amount": {"amount": "1.50", "currency": "EUR"}},
    )


async def test_events_are_recorded_in_the_order_appended(backend: Backend, outbox: Outbox) -> None:
    third, first, second = event(3), event(1), event(2, aggregate="invoice:EU01:1")
    await outbox.append([third, first])
    await outbox.append([second])
    assert await backend.staged() == [third, first, second]


async def test_an_event_offered_again_is_recorded_once(backend: Backend, outbox: Outbox) -> None:
    await outbox.append([event(1)])
    await outbox.append([event(1), event(2), event(2)])
    await outbox.append([])
    assert [e.id for e in await backend.staged()] == ["e1", "e2"]


async def test_new_events_beside_recorded_ones_keep_their_order(
    backend: Backend, outbox: Outbox
) -> None:
    await outbox.append([event(1)])
    await outbox.append([event(3), event(1), event(2), event(3), event(0)])
    assert [e.id for e in await backend.staged()] == ["e1", "e3", "e2", "e0"]


async def test_events_that_cannot_be_stored_are_refused_whole(
    backend: Backend, outbox: Outbox
) -> None:
    loop: dict[str, object] = {}
    loop["self"] = loop
    bad = event(2).model_copy(update={"data": loop})
    with pytest.raises(ValueError, match="Circular"):
        await outbox.append([event(1), bad])
    assert await backend.staged() == []
