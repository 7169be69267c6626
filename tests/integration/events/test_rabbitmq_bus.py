"""The RabbitMQ bus against the real broker on 127.0.0.1:5672: confirmed persistent
messages on a durable topic exchange, fan-out to every replica's subscribers, and an
external consumer's durable queue bound to one routing key."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator, Sequence

import aio_pika
import pytest

from process_apis.events.fanout import Subscription
from process_apis.events.lease import DbLease
from process_apis.events.model import Event, EventType
from process_apis.events.outbox import stage
from process_apis.events.rabbitmq import BusUnavailable, RabbitMqBus
from process_apis.events.relay import RELAY_LEASE, OutboxRelay
from process_apis.events.sql_reader import SqlOutboxReader
from tests.support.services import require
from tests.support.state import sqlite_state

HOST, PORT = "127.0.0.1", 5672
URL = f"amqp://guest:guest@{HOST}:{PORT}/"


@pytest.fixture
def exchange() -> str:
    require(PORT, "RabbitMQ")
    return f"erp-gateway.test.{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def admin(exchange: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A plain client of the broker, as an external consumer would be; cleans up after."""
    connection = await aio_pika.connect(URL)
    channel = await connection.channel()
    yield channel
    await channel.exchange_delete(exchange)
    await connection.close()


async def started(exchange: str) -> RabbitMqBus:
    bus = RabbitMqBus(URL, exchange=exchange)
    await bus.start()
    return bus


def order_event(n: int, status: str = "shipped") -> Event:
    return Event(
        type=EventType.ORDER_STATUS_CHANGED,
        aggregate=f"order:EU01:{n}",
        connection="EU01",
        data={"order_id": f"EU01:{n}", "number": str(n), "status": status},
    )


def invoice_event(n: int) -> Event:
    return Event(
        type=EventType.INVOICE_ISSUED,
        aggregate=f"invoice:EU01:{n}",
        connection="EU01",
        data={"invoice_id": f"EU01:{n}", "gross_amount": {"amount": "10.50", "currency": "EUR"}},
    )


async def take(stream: Subscription, n: int) -> list[Event]:
    got: list[Event] = []
    async with asyncio.timeout(10):
        async for event in stream:
            got.append(event)
            if len(got) == n:
                break
    return got


async def test_events_reach_an_external_durable_queue_bound_to_one_type_only(
    exchange: str, admin: aio_pika.abc.AbstractChannel
) -> None:
    bus = await started(exchange)
    queue = await admin.declare_queue(f"{exchange}.crm", durable=True)
    try:
        await queue.bind(exchange, routing_key="order.status_changed")
        events = [order_event(1), invoice_event(2), order_event(3, "invoiced")]
        await bus.publish(events)  # returns once the broker confirmed each message

        received = []
        async with asyncio.timeout(10):
            while len(received) < 2:
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    await asyncio.sleep(0.05)
                    continue
                await message.ack()
                received.append(message)
        assert await queue.get(fail=False) is None  # the invoice was not routed here

        first = received[0]
        assert first.routing_key == "order.status_changed"
        assert first.message_id == events[0].id
        assert first.content_type == "application/json"
        assert first.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        body = json.loads(first.body)
        assert body["id"] == events[0].id
        assert body["type"] == "order.status_changed"
        assert body["data"] == {"order_id": "EU01:1", "number": "1", "status": "shipped"}
        assert Event.model_validate_json(received[1].body) == events[2]
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await bus.aclose()


async def test_the_exchange_is_a_durable_topic_exchange(
    exchange: str, admin: aio_pika.abc.AbstractChannel
) -> None:
    bus = await started(exchange)
    try:
        # Declaring it passively with other properties would fail; these are the ones.
        await admin.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    finally:
        await bus.aclose()


async def test_every_replica_gets_every_event_whichever_replica_published(
    exchange: str, admin: aio_pika.abc.AbstractChannel
) -> None:
    one, two = await started(exchange), await started(exchange)
    try:
        on_one, on_two = one.subscribe(), two.subscribe()
        invoices_on_two = two.subscribe([EventType.INVOICE_ISSUED])
        events = [order_event(n) for n in range(5)] + [invoice_event(9)]
        await one.publish(events[:3])
        await two.publish(events[3:])

        expected = [e.id for e in events]
        assert [e.id for e in await take(on_one, 6)] == expected
        assert [e.id for e in await take(on_two, 6)] == expected
        assert [e.id for e in await take(invoices_on_two, 1)] == [events[-1].id]
        with pytest.raises(TimeoutError):  # each event once, not once per replica
            await asyncio.wait_for(on_one.__anext__(), 0.5)
    finally:
        await one.aclose()
        await two.aclose()


async def test_publishing_before_connecting_fails_so_the_relay_retries(exchange: str) -> None:
    bus = RabbitMqBus(URL, exchange=exchange)
    with pytest.raises(BusUnavailable, match="not connected"):
        await bus.publish([order_event(1)])


async def test_the_run_loop_keeps_retrying_an_unreachable_broker(exchange: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    bus = RabbitMqBus(f"amqp://guest:guest@127.0.0.1:{closed_port}/", exchange=exchange)
    task = asyncio.create_task(bus.run())
    await asyncio.sleep(1.0)
    assert not task.done()  # still trying, not crashed
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await bus.aclose()


async def test_the_relay_publishes_the_outbox_to_rabbitmq_in_order(
    exchange: str, admin: aio_pika.abc.AbstractChannel, tmp_path: object
) -> None:
    engine = await sqlite_state(tmp_path / "state.sqlite")
    bus = await started(exchange)
    queue = await admin.declare_queue(f"{exchange}.all", durable=True)
    await queue.bind(exchange, routing_key="#")
    sinks: Sequence[RabbitMqBus] = [bus]
    relay = OutboxRelay(SqlOutboxReader(engine), sinks, DbLease(engine, RELAY_LEASE), batch_size=10)
    events = [order_event(n % 3, f"s{n}") for n in range(25)]
    try:
        async with engine.begin() as conn:
            await stage(conn, events)
        while await relay.run_once():
            pass
        assert await relay.backlog() == 0
        ids = []
        async with asyncio.timeout(10):
            while len(ids) < 25:
                message = await queue.get(no_ack=True, fail=False)
                if message is None:
                    await asyncio.sleep(0.05)
                    continue
                ids.append(message.message_id)
        assert ids == [e.id for e in events]
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await bus.aclose()
        await engine.dispose()


async def test_a_message_that_is_not_an_event_is_skipped_not_fatal(
    exchange: str, admin: aio_pika.abc.AbstractChannel
) -> None:
    bus = await started(exchange)
    try:
        stream = bus.subscribe()
        foreign = await admin.get_exchange(exchange)
        await foreign.publish(aio_pika.Message(b"not json"), routing_key="order.placed")
        await bus.publish([order_event(1)])
        assert [e.data["order_id"] for e in await take(stream, 1)] == ["EU01:1"]
    finally:
        await bus.aclose()
        await bus.aclose()  # closing twice is harmless
