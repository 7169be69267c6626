"""The outbox reader port: the fake, SQLite and PostgreSQL hand the relay the same events.

What the relay relies on: unpublished events in the order they were staged, a batch at a
time; published ones are not offered again and keep the time of their first publication;
only published events older than the retention are purged.
"""

from __future__ import annotations

import datetime as dt

import pytest

from process_apis.events.model import Event, EventType
from process_apis.events.port import OutboxReader
from tests.contract.state.conftest import Backend

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def reader(backend: Backend) -> OutboxReader:
    return backend.outbox()


def event(n: int) -> Event:
    return Event(
        id=f"e{n}",
        type=EventType.ORDER_PLACED,
        aggregate=f"order:EU01:{n % 2}",
        connection="EU01",
        occurred_at=T0 + dt.timedelta(seconds=n),
        data={"n": n, "note": "ü"},
    )


async def test_unpublished_events_come_in_staging_order_a_batch_at_a_time(
    backend: Backend, reader: OutboxReader
) -> None:
    await backend.stage([event(3), event(1)])
    await backend.stage([event(2), event(1)])

    batch = await reader.unpublished(2)

    assert [s.event for s in batch] == [event(3), event(1)]
    assert batch[0].seq < batch[1].seq
    assert [s.event.id for s in await reader.unpublished(10)] == ["e3", "e1", "e2"]
    assert await reader.backlog() == 3


async def test_published_events_are_not_offered_again(
    backend: Backend, reader: OutboxReader
) -> None:
    await backend.stage([event(1), event(2), event(3)])
    first = await reader.unpublished(2)

    await reader.mark_published([s.seq for s in first], T0)
    await reader.mark_published([], T0)

    assert [s.event.id for s in await reader.unpublished(10)] == ["e3"]
    assert await reader.backlog() == 1


async def test_the_events_past_a_seq_can_be_read_before_earlier_ones_are_marked(
    backend: Backend, reader: OutboxReader
) -> None:
    await backend.stage([event(1), event(2), event(3)])
    first, second, third = await reader.unpublished(10)

    assert [s.event.id for s in await reader.unpublished(10, after=first.seq)] == ["e2", "e3"]
    assert await reader.unpublished(10, after=third.seq) == []
    await reader.mark_published([second.seq], T0)
    assert [s.event.id for s in await reader.unpublished(10, after=first.seq)] == ["e3"]
    assert [s.event.id for s in await reader.unpublished(10)] == ["e1", "e3"]


async def test_only_events_published_before_the_cutoff_are_purged(
    backend: Backend, reader: OutboxReader
) -> None:
    await backend.stage([event(1), event(2), event(3)])
    old, recent, _ = await reader.unpublished(10)
    await reader.mark_published([old.seq], T0)
    await reader.mark_published([recent.seq], T0 + 2 * HOUR)
    # Marking again keeps the first publication's time.
    await reader.mark_published([old.seq, recent.seq], T0 + 5 * HOUR)

    assert await reader.purge(T0 + HOUR) == 1
    assert await reader.purge(T0 + HOUR) == 0
    assert [s.event.id for s in await reader.unpublished(10)] == ["e3"]
    assert await reader.purge(T0 + 10 * HOUR) == 1
    assert await reader.backlog() == 1
