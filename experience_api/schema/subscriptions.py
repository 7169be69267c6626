"""GraphQL subscriptions: live business events over graphql-transport-ws.

Each subscription reads the process's event stream (:class:`EventSubscriptions`) from the
moment it starts, filtered by its arguments and by the caller: only events of connections
the caller may see, and only with the scope the matching query needs. A subscriber that
falls too far behind is ended with the error ``SUBSCRIBER_TOO_SLOW`` rather than skipping
events: it should re-read the current state and subscribe again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from decimal import Decimal
from typing import Any, TypeVar

import strawberry

from experience_api.schema.common import Money, Quantity
from experience_api.schema.context import Info
from experience_api.schema.errors import ClientError, client_errors
from experience_api.schema.invoices import InvoiceStatus
from experience_api.schema.orders import OrderStatus
from experience_api.security.permissions import Scope
from process_apis.events.fanout import SubscriberTooSlow, SubscriptionClosed
from process_apis.events.model import Event, EventType
from process_apis.events.port import EventSubscriptions

log = logging.getLogger(__name__)

T = TypeVar("T")


def _money(data: dict[str, Any]) -> Money:
    return Money(amount=Decimal(data["amount"]), currency=str(data["currency"]))


@strawberry.type(description="An order reached a new status.")
class OrderStatusChange:
    event_id: strawberry.ID
    order_id: strawberry.ID
    number: str
    status: OrderStatus
    connection: str
    occurred_at: dt.datetime

    @classmethod
    def from_event(cls, event: Event) -> OrderStatusChange:
        return cls(
            event_id=strawberry.ID(event.id),
            order_id=strawberry.ID(event.data["order_id"]),
            number=str(event.data["number"]),
            status=OrderStatus(event.data["status"]),
            connection=event.connection,
            occurred_at=event.occurred_at,
        )


@strawberry.type(description="An invoice was issued.")
class InvoiceIssue:
    event_id: strawberry.ID
    invoice_id: strawberry.ID
    number: str
    customer_id: strawberry.ID
    order_ids: list[strawberry.ID]
    invoice_date: dt.date
    status: InvoiceStatus
    net_amount: Money
    tax_amount: Money
    gross_amount: Money
    connection: str
    occurred_at: dt.datetime

    @classmethod
    def from_event(cls, event: Event) -> InvoiceIssue:
        data = event.data
        return cls(
            event_id=strawberry.ID(event.id),
            invoice_id=strawberry.ID(data["invoice_id"]),
            number=str(data["number"]),
            customer_id=strawberry.ID(data["customer_id"]),
            order_ids=[strawberry.ID(i) for i in data.get("order_ids", [])],
            invoice_date=dt.date.fromisoformat(data["invoice_date"]),
            status=InvoiceStatus(data["status"]),
            net_amount=_money(data["net_amount"]),
            tax_amount=_money(data["tax_amount"]),
            gross_amount=_money(data["gross_amount"]),
            connection=event.connection,
            occurred_at=event.occurred_at,
        )


@strawberry.type(description="The stock of a product at a location changed.")
class InventoryChange:
    event_id: strawberry.ID
    sku: str
    location: str
    quantity: Quantity = strawberry.field(description="The level after the change.")
    change: Decimal | None = strawberry.field(
        description="By how much it changed, when the source said so."
    )
    reason: str | None
    connection: str
    occurred_at: dt.datetime

    @classmethod
    def from_event(cls, event: Event) -> InventoryChange:
        data = event.data
        change = data.get("change")
        return cls(
            event_id=strawberry.ID(event.id),
            sku=str(data["sku"]),
            location=str(data["location"]),
            quantity=Quantity(value=Decimal(data["quantity"]), unit=str(data["unit"])),
            change=None if change is None else Decimal(change),
            reason=data.get("reason"),
            connection=event.connection,
            occurred_at=event.occurred_at,
        )


def _events(info: Info) -> EventSubscriptions:
    events = info.context.services.events
    if events is None:
        raise ClientError("subscriptions are not available on this server", code="UNAVAILABLE")
    return events


def _require(info: Info, scope: Scope) -> None:
    if not info.context.principal.has(scope):
        error = ClientError(f"this needs the scope {scope.value!r}", code="FORBIDDEN")
        error.extensions["requiredScope"] = scope.value
        raise error


def _require_connection(info: Info, connection: str) -> None:
    if not info.context.principal.may_see(connection):
        raise ClientError(f"not permitted on connection {connection!r}", code="FORBIDDEN")


async def _stream(
    info: Info,
    event_type: EventType,
    matches: Callable[[Event], bool],
    payload: Callable[[Event], T],
) -> AsyncGenerator[T, None]:
    caller = info.context.principal
    try:
        async with _events(info).subscribe([event_type]) as stream:
            async for event in stream:
                if not caller.may_see(event.connection) or not matches(event):
                    continue
                try:
                    item = payload(event)
                except (KeyError, TypeError, ValueError, ArithmeticError):
                    log.error("event %s of type %s has malformed data", event.id, event.type)
                    continue
                yield item
    except SubscriberTooSlow as exc:
        raise ClientError(str(exc), code="SUBSCRIBER_TOO_SLOW") from exc
    except SubscriptionClosed as exc:
        raise ClientError(str(exc), code="UNAVAILABLE") from exc


async def resolve_order_status_changed(
    info: Info, order_id: strawberry.ID
) -> AsyncGenerator[OrderStatusChange, None]:
    _require(info, Scope.ORDERS_READ)
    with client_errors():
        info.context.services.connections.resolve(order_id, field="order_id")
    connection = order_id.partition(":")[0]
    _require_connection(info, connection)
    # aclosing: a client that unsubscribes leaves the bus at once, not at garbage collection.
    async with aclosing(
        _stream(
            info,
            EventType.ORDER_STATUS_CHANGED,
            lambda e: e.data.get("order_id") == order_id,
            OrderStatusChange.from_event,
        )
    ) as items:
        async for item in items:
            yield item


async def resolve_invoice_issued(
    info: Info, connection: str | None = None
) -> AsyncGenerator[InvoiceIssue, None]:
    _require(info, Scope.INVOICES_READ)
    if connection is not None:
        _require_connection(info, connection)
    async with aclosing(
        _stream(
            info,
            EventType.INVOICE_ISSUED,
            lambda e: connection is None or e.connection == connection,
            InvoiceIssue.from_event,
        )
    ) as items:
        async for item in items:
            yield item


async def resolve_inventory_changed(
    info: Info, sku: str | None = None, location: str | None = None
) -> AsyncGenerator[InventoryChange, None]:
    _require(info, Scope.INVENTORY_READ)
    async with aclosing(
        _stream(
            info,
            EventType.INVENTORY_CHANGED,
            lambda e: (
                (sku is None or e.data.get("sku") == sku)
                and (location is None or e.data.get("location") == location)
            ),
            InventoryChange.from_event,
        )
    ) as items:
        async for item in items:
            yield item


@strawberry.type
class Subscription:
    order_status_changed: AsyncGenerator[OrderStatusChange, None] = strawberry.subscription(
        resolver=resolve_order_status_changed,
        description="Status changes of one order, from now on, in the order they happened.",
    )
    invoice_issued: AsyncGenerator[InvoiceIssue, None] = strawberry.subscription(
        resolver=resolve_invoice_issued,
        description="Invoices issued from now on; of one connection, or of every one the "
        "caller may see.",
    )
    inventory_changed: AsyncGenerator[InventoryChange, None] = strawberry.subscription(
        resolver=resolve_inventory_changed,
        description="Stock changes from now on, optionally of one SKU and/or location.",
    )
