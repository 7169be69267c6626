"""The in-process bus: every subscriber gets every event it asked for, in order; one that
falls behind is ended with an error it sees."""

from __future__ import annotations

import asyncio

import pytest

from process_apis.events.fanout import SubscriberTooSlow, SubscriptionClosed
from process_apis.events.memory_bus import InProcessBus
from process_apis.events.model import Event, EventType
from tests.unit.events.conftest import event


async def take(stream: object, n: int) -> list[str]:
    got: list[str] = []
    async with asyncio.timeout(10):  # a bound, not a measure: events arrive at once
        async for item in stream:  # type: ignore[attr-defined]
            got.append(item.id)
            if len(got) == n:
                break
    return got


async def test_each_subscriber_gets_every_event_in_order() -> None:
    bus = InProcessBus()
    first, second = bus.subscribe(), bus.subscribe()
    await bus.publish([event(1), event(2)])
    await bus.publish([event(3)])
    assert await take(first, 3) == ["e1", "e2", "e3"]
    assert await take(second, 3) == ["e1", "e2", "e3"]


async def test_a_subscriber_sees_only_the_types_it_asked_for() -> None:
    bus = InProcessBus()
    invoices = bus.subscribe([EventType.INVOICE_ISSUED])
    issued = Event(
        id="i1", type=EventType.INVOICE_ISSUED, aggregate="invoice:EU01:9", connection="EU01"
    )
    await bus.publish([event(1), issued, event(2)])
    assert await take(invoices, 1) == ["i1"]


async def test_events_before_subscribing_are_not_replayed() -> None:
    bus = InProcessBus()
    await bus.publish([event(1)])
    late = bus.subscribe()
    await bus.publish([event(2)])
    assert await take(late, 1) == ["e2"]


async def test_a_subscriber_that_falls_behind_gets_what_it_held_then_an_error() -> None:
    bus = InProcessBus(max_pending=3)
    slow, fast = bus.subscribe(), bus.subscribe()
    await bus.publish([event(1), event(2), event(3)])
    assert await take(fast, 3) == ["e1", "e2", "e3"]
    await bus.publish([event(4)])  # slow holds 3 already: it is ended

    assert await take(slow, 3) == ["e1", "e2", "e3"]
    with pytest.raises(SubscriberTooSlow, match="more than 3 events behind"):
        await slow.__anext__()
    with pytest.raises(SubscriberTooSlow):  # and it stays ended
        await slow.__anext__()
    assert await take(fast, 1) == ["e4"]
    assert bus.subscriber_count == 1


async def test_closing_a_subscription_unregisters_it() -> None:
    bus = InProcessBus()
    async with bus.subscribe() as stream:
        await bus.publish([event(1)])
        assert await take(stream, 1) == ["e1"]
    assert bus.subscriber_count == 0
    got = [item async for item in stream]
    assert got == []


async def test_shutdown_ends_every_subscriber_with_an_error() -> None:
    bus = InProcessBus()
    stream = bus.subscribe()
    waiting = asyncio.create_task(stream.__anext__())
    await asyncio.sleep(0)
    await bus.aclose()
    with pytest.raises(SubscriptionClosed):
        await waiting


def test_a_queue_needs_room_for_one_event() -> None:
    with pytest.raises(ValueError, match="max_pending"):
        InProcessBus(max_pending=0)
