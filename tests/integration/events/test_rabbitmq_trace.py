"""An event published to RabbitMQ carries the trace of the request that staged it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest

from process_apis.events.model import Event, EventType
from process_apis.events.rabbitmq import RabbitMqBus
from process_apis.observability import events_traced
from tests.support.services import require
from tests.support.tracing import Spans

URL = "amqp://guest:guest@127.0.0.1:5672/"
STAGED_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
STAGED_BY = f"00-{STAGED_TRACE}-00f067aa0ba902b7-01"


@pytest.fixture
async def exchange() -> AsyncIterator[str]:
    require(5672, "RabbitMQ")
    name = f"erp-gateway.test.{uuid.uuid4().hex[:12]}"
    yield name
    connection = await aio_pika.connect(URL)
    async with connection:
        await (await connection.channel()).exchange_delete(name)


def _event(n: int) -> Event:
    return Event(
        type=EventType.ORDER_STATUS_CHANGED,
        aggregate=f"order:EU01:{n}",
        connection="EU01",
        data={"order_id": f"EU01:{n}", "number": str(n), "status": "shipped"},
    )


async def test_the_message_continues_the_trace_its_event_was_staged_in(
    exchange: str, spans: Spans
) -> None:
    bus = RabbitMqBus(URL, exchange=exchange)
    await bus.start()
    connection = await aio_pika.connect(URL)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, routing_key="#")
        traced, untraced = _event(1), _event(2)
        with events_traced({traced.id: STAGED_BY}):
            await bus.publish([traced, untraced])
        received: dict[str, aio_pika.abc.AbstractIncomingMessage] = {}
        async with asyncio.timeout(10):
            while len(received) < 2:
                message = await queue.get(no_ack=True, fail=False)
                if message is None:
                    await asyncio.sleep(0.05)
                    continue
                assert message.message_id is not None
                received[message.message_id] = message
    finally:
        await connection.close()
        await bus.aclose()

    [publish] = [s for s in spans.of_trace(int(STAGED_TRACE, 16)) if s.name.startswith("publish")]
    assert publish.parent is not None
    assert format(publish.parent.span_id, "016x") == "00f067aa0ba902b7"
    header = str(received[traced.id].headers["traceparent"])
    assert header.split("-")[1:3] == [STAGED_TRACE, format(publish.context.span_id, "016x")]
    # An event staged outside any request starts a trace of its own.
    other = str(received[untraced.id].headers["traceparent"])
    assert other.split("-")[1] != STAGED_TRACE
