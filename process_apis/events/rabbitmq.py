"""The RabbitMQ event bus of production deployments (aio-pika).

Published events go to a durable topic exchange (``erp-gateway.events`` by default) with
the event type as routing key (``order.status_changed``), as persistent JSON messages
whose ``message_id`` is the event id; :meth:`RabbitMqBus.publish` returns only when the
broker confirmed every message. External consumers bind durable queues of their own to
the exchange.

For the GraphQL subscribers of this replica the bus consumes from a queue of its own
(exclusive, auto-deleted, bound with ``#``), so every replica sees every event, whichever
replica's relay published it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Collection, Sequence

import aio_pika
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
    AbstractRobustExchange,
)
from opentelemetry import propagate
from opentelemetry.trace import SpanKind
from pydantic import ValidationError

from process_apis.events.fanout import LocalFanout, Subscription
from process_apis.events.model import Event, EventType
from process_apis.observability import context_of, event_traceparent, tracer

log = logging.getLogger(__name__)

DEFAULT_EXCHANGE = "erp-gateway.events"


class BusUnavailable(Exception):
    """The broker cannot take events now; the relay offers them again later."""


class RabbitMqBus:
    """Event sink on a RabbitMQ topic exchange, and the fan-out of its events to this
    replica's subscribers. ``run`` (a background loop) or ``start`` connects; ``aclose``
    disconnects and ends the subscriptions."""

    def __init__(
        self,
        url: str,
        *,
        exchange: str = DEFAULT_EXCHANGE,
        max_pending: int = 1000,
        publish_timeout: float = 10.0,
    ):
        self._url = url
        self.exchange_name = exchange
        self._publish_timeout = publish_timeout
        self._fanout = LocalFanout(max_pending=max_pending)
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractRobustExchange | None = None
        self._ready = asyncio.Event()
        # Client-named so that the robust connection can declare it again after a reconnect.
        self.queue_name = f"{exchange}.replica.{uuid.uuid4().hex}"

    async def start(self) -> None:
        """Connect, declare the exchange and this replica's queue, start consuming."""
        if self._connection is not None:
            return
        connection = await aio_pika.connect_robust(self._url)
        try:
            publishing: AbstractRobustChannel = await connection.channel(publisher_confirms=True)
            exchange = await publishing.declare_exchange(
                self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
            )
            consuming = await connection.channel(publisher_confirms=False)
            queue = await consuming.declare_queue(
                self.queue_name, exclusive=True, auto_delete=True, durable=False
            )
            await queue.bind(self.exchange_name, routing_key="#")
            await queue.consume(self._on_message, no_ack=True)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self._exchange = exchange
        self._ready.set()

    async def run(self) -> None:
        """Connect (retrying while the broker is unreachable) and stay connected until
        cancelled; the robust connection reconnects by itself."""
        delay = 0.5
        while self._connection is None:
            try:
                await self.start()
            except (OSError, aio_pika.exceptions.AMQPError, TimeoutError) as exc:
                log.warning("RabbitMQ not reachable (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        await asyncio.Event().wait()

    @property
    def connected(self) -> bool:
        """Whether events can be published now (connected, and not cut off since)."""
        return self._connection is not None and not self._connection.is_closed

    async def wait_ready(self) -> None:
        """Wait until connected (for start-up checks and tests)."""
        await self._ready.wait()

    async def publish(self, events: Sequence[Event]) -> None:
        exchange = self._exchange
        if exchange is None:
            raise BusUnavailable("not connected to RabbitMQ yet")
        # One after the other: the broker keeps a channel's order, so each aggregate's too.
        for event in events:
            with tracer().start_as_current_span(
                f"publish {event.type.value}",
                # In the trace of the request that staged the event.
                context=context_of(event_traceparent(event.id)),
                kind=SpanKind.PRODUCER,
                attributes={"messaging.message.id": event.id, "erp.connection": event.connection},
            ):
                # Consumers continue the publish's trace from the message headers.
                headers: dict[str, str] = {}
                propagate.inject(headers)
                message = aio_pika.Message(
                    body=event.model_dump_json().encode(),
                    headers=dict(headers),
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    message_id=event.id,
                    type=event.type.value,
                    timestamp=event.occurred_at,
                    app_id="erp-gateway",
                )
                try:
                    await exchange.publish(
                        message,
                        routing_key=event.routing_key,
                        mandatory=False,
                        timeout=self._publish_timeout,
                    )
                except (aio_pika.exceptions.AMQPError, OSError, TimeoutError) as exc:
                    raise BusUnavailable(
                        f"RabbitMQ did not confirm event {event.id}: {exc}"
                    ) from exc

    def subscribe(self, types: Collection[EventType] | None = None) -> Subscription:
        return self._fanout.subscribe(types)

    @property
    def subscriber_count(self) -> int:
        return self._fanout.subscriber_count

    async def aclose(self) -> None:
        self._fanout.close_all()
        connection, self._connection, self._exchange = self._connection, None, None
        self._ready.clear()
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event = Event.model_validate_json(message.body)
        except ValidationError:
            log.warning(
                "ignored a message on %s that is not an event (message id %s)",
                self.exchange_name,
                message.message_id,
            )
            return
        self._fanout.deliver([event])
