"""The subscription fields over the in-process bus, executed by the schema itself: typed
payloads, filters, the caller's companies, and the end of a subscriber that lags."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import ValidationError

from experience_api.schema import build_context, build_schema
from experience_api.security.permissions import Scope
from experience_api.security.principal import Principal
from experience_api.settings import EventSettings
from process_apis.events.memory_bus import InProcessBus
from process_apis.events.model import Event, EventType
from tests.unit.graphql.support import make_erp, make_services

SCHEMA = build_schema()


def stock(n: int, sku: str, location: str = "1010/0001", connection: str = "EU01") -> Event:
    return Event(
        id=f"s{n}",
        type=EventType.INVENTORY_CHANGED,
        aggregate=f"stock:{connection}:{sku}@{location}",
        connection=connection,
        data={
            "connection": connection,
            "sku": sku,
            "location": location,
            "quantity": str(10 + n),
            "unit": "PC",
            "change": "-1",
            "reason": "goods_issue",
        },
    )


async def subscribe(
    bus: InProcessBus, query: str, principal: Principal | None = None
) -> AsyncIterator[Any]:
    services = dataclasses.replace(make_services({"EU01": make_erp()}), events=bus)
    context = build_context(services, principal=principal)
    result = await SCHEMA.subscribe(query, context_value=context)
    assert not hasattr(result, "errors") or result.errors is None, result
    return result  # type: ignore[return-value]


async def next_result(stream: AsyncIterator[Any]) -> Any:
    async with asyncio.timeout(2):
        return await anext(stream)


async def until_subscribed(bus: InProcessBus, count: int = 1) -> None:
    async with asyncio.timeout(2):
        while bus.subscriber_count < count:  # noqa: ASYNC110 - the bus offers no signal
            await asyncio.sleep(0.001)


async def test_inventory_changes_of_one_sku_arrive_typed() -> None:
    bus = InProcessBus()
    stream = await subscribe(
        bus,
        'subscription { inventoryChanged(sku: "P-1") '
        "{ sku location quantity { value unit } change reason connection } }",
    )
    first = asyncio.ensure_future(next_result(stream))
    await until_subscribed(bus)
    await bus.publish([stock(1, "P-2"), stock(2, "P-1")])
    result = await first
    assert result.errors is None
    assert result.data == {
        "inventoryChanged": {
            "sku": "P-1",
            "location": "1010/0001",
            "quantity": {"value": "12", "unit": "PC"},
            "change": "-1",
            "reason": "goods_issue",
            "connection": "EU01",
        }
    }
    await stream.aclose()  # type: ignore[attr-defined]
    assert bus.subscriber_count == 0


async def test_a_caller_never_sees_another_companys_events() -> None:
    bus = InProcessBus()
    us_only = Principal(
        subject="u",
        client_id="c",
        roles=frozenset(),
        scopes=frozenset({Scope.INVENTORY_READ}),
        connections=frozenset({"US01"}),
    )
    stream = await subscribe(bus, "subscription { inventoryChanged { sku connection } }", us_only)
    first = asyncio.ensure_future(next_result(stream))
    await until_subscribed(bus)
    await bus.publish([stock(1, "P-1", connection="EU01"), stock(2, "P-9", connection="US01")])
    result = await first
    assert result.data == {"inventoryChanged": {"sku": "P-9", "connection": "US01"}}


async def test_without_the_read_scope_the_subscription_is_forbidden() -> None:
    bus = InProcessBus()
    nobody = Principal(subject="u", client_id="c", roles=frozenset(), scopes=frozenset())
    stream = await subscribe(
        bus, 'subscription { invoiceIssued(connection: "EU01") { number } }', nobody
    )
    result = await next_result(stream)
    assert result.errors[0].extensions["code"] == "FORBIDDEN"
    assert result.errors[0].extensions["requiredScope"] == "invoices:read"
    assert bus.subscriber_count == 0


async def test_a_subscriber_that_lags_is_ended_with_an_error_it_can_see() -> None:
    bus = InProcessBus(max_pending=2)
    stream = await subscribe(bus, "subscription { inventoryChanged { sku } }")
    first = asyncio.ensure_future(next_result(stream))
    await until_subscribed(bus)
    await bus.publish([stock(n, f"P-{n}") for n in range(1, 5)])
    results = [await first, await next_result(stream), await next_result(stream)]
    assert [r.data for r in results[:2]] == [
        {"inventoryChanged": {"sku": "P-1"}},
        {"inventoryChanged": {"sku": "P-2"}},
    ]
    assert results[2].errors[0].extensions["code"] == "SUBSCRIBER_TOO_SLOW"
    assert "more than 2 events behind" in results[2].errors[0].message


def test_rabbitmq_needs_its_url_and_keeps_it_secret() -> None:
    with pytest.raises(ValidationError, match="rabbitmq_url is required"):
        EventSettings(broker="rabbitmq")
    settings = EventSettings(broker="rabbitmq", rabbitmq_url="amqp://gw:s3cret@mq:5672/")  # type: ignore[arg-type]
    assert "s3cret" not in repr(settings)
    assert settings.exchange == "erp-gateway.events"
