"""What the poller reads per stream, and the business events a changed record stands for.

A stream is one ``changed_since`` list of the port: orders, invoices or inventory levels.
Event ids derive from the change (see :mod:`process_apis.events.documents` and
:mod:`process_apis.invoice_status.events`, shared with the flows that see the same
documents change), so a record observed twice in the same state is one event:

* an order: ``order.status_changed`` once per status it reaches, with its delivery and
  billing status;
* an invoice: ``invoice.issued`` once posted (the order flow's event, when the gateway
  billed it), ``invoice.status_changed`` once paid or cancelled (a draft is nothing yet);
* an inventory level: ``inventory.changed`` with the new quantity, once per change time and
  quantity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from process_apis.events.documents import invoice_issued, order_status_changed
from process_apis.events.model import Event, EventType, derived_event_id
from process_apis.invoice_status.events import invoice_event
from system_apis.contracts.models import InventoryLevel, Invoice, InvoiceStatus, SalesOrder
from system_apis.contracts.port import Capability, ErpAdapter
from system_apis.contracts.queries import (
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    SalesOrderFilter,
)

ChangedRecord = SalesOrder | Invoice | InventoryLevel


class Stream(StrEnum):
    ORDERS = "orders"
    INVOICES = "invoices"
    INVENTORY = "inventory"


@dataclass(frozen=True)
class StreamSpec:
    """How one stream is read and what a changed record of it announces."""

    capability: Capability
    read: Callable[[ErpAdapter, dt.datetime, PageRequest], Awaitable[Page[Any]]]
    events: Callable[[ChangedRecord], list[Event]]


async def _orders(adapter: ErpAdapter, since: dt.datetime, page: PageRequest) -> Page[SalesOrder]:
    return await adapter.list_sales_orders(SalesOrderFilter(changed_since=since), page)


async def _invoices(adapter: ErpAdapter, since: dt.datetime, page: PageRequest) -> Page[Invoice]:
    return await adapter.list_invoices(InvoiceFilter(changed_since=since), page)


async def _inventory(
    adapter: ErpAdapter, since: dt.datetime, page: PageRequest
) -> Page[InventoryLevel]:
    return await adapter.list_inventory(InventoryFilter(changed_since=since), page)


def order_events(record: ChangedRecord) -> list[Event]:
    assert isinstance(record, SalesOrder)
    event = order_status_changed(record.id, record.number, record.source.connection, record.status)
    data = {
        **event.data,
        "delivery_status": record.delivery_status.value,
        "billing_status": record.billing_status.value,
    }
    update: dict[str, object] = {"data": data}
    if record.changed_at is not None:
        update["occurred_at"] = record.changed_at
    return [event.model_copy(update=update)]


def invoice_events(record: ChangedRecord) -> list[Event]:
    assert isinstance(record, Invoice)
    if record.status is InvoiceStatus.POSTED:
        # The order flow's own event for an invoice it created: the same id, one event.
        issued = invoice_issued(record)
        if record.changed_at is not None:
            issued = issued.model_copy(update={"occurred_at": record.changed_at})
        return [issued]
    event = invoice_event(record)
    return [] if event is None else [event]


def inventory_events(record: ChangedRecord) -> list[Event]:
    assert isinstance(record, InventoryLevel)
    connection = record.source.connection
    changed = record.changed_at.isoformat() if record.changed_at else ""
    quantity = str(record.quantity.value)
    extra = {} if record.changed_at is None else {"occurred_at": record.changed_at}
    return [
        Event(
            id=derived_event_id("stock", connection, record.native_id, changed, quantity),
            type=EventType.INVENTORY_CHANGED,
            aggregate=f"stock:{connection}:{record.sku}@{record.location}",
            connection=connection,
            data={
                "connection": connection,
                "sku": record.sku,
                "location": record.location,
                "quantity": quantity,
                "unit": record.quantity.unit,
                "stock_type": record.stock_type,
            },
            **extra,
        )
    ]


STREAMS: dict[Stream, StreamSpec] = {
    Stream.ORDERS: StreamSpec(Capability.READ_SALES_ORDERS, _orders, order_events),
    Stream.INVOICES: StreamSpec(Capability.READ_INVOICES, _invoices, invoice_events),
    Stream.INVENTORY: StreamSpec(Capability.READ_INVENTORY, _inventory, inventory_events),
}
