"""The events of business documents (orders, invoices), built from canonical records.

Every flow that sees a document change (the gateway's own writes, change capture, inbound
webhooks) builds its events here, so a subscriber gets one shape whichever way the change
was found. Ids derive from the change itself: the same change seen twice is one event.
``data`` holds canonical ids, numbers, statuses and amounts (as strings), never more.
"""

from __future__ import annotations

from typing import Any

from process_apis.events.model import Event, EventType, derived_event_id
from system_apis.contracts.models import Invoice, Money, OrderStatus, SalesOrder


def _money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency}


def _maybe_money(money: Money | None) -> dict[str, str] | None:
    return None if money is None else _money(money)


def order_aggregate(order_id: str) -> str:
    return f"order:{order_id}"


def order_placed(order: SalesOrder) -> Event:
    """``order.placed``: a new sales order, with its number, customer, amounts and status.

    ``tax_amount`` and ``gross_amount`` are null when the ERP does not say what tax it carries.
    """
    return Event(
        id=derived_event_id(EventType.ORDER_PLACED.value, order.id),
        type=EventType.ORDER_PLACED,
        aggregate=order_aggregate(order.id),
        connection=order.source.connection,
        data={
            "order_id": order.id,
            "number": order.number,
            "customer_id": order.customer_id,
            "external_reference": order.external_reference,
            "order_date": order.order_date.isoformat(),
            "status": order.status.value,
            "net_amount": _money(order.net_amount),
            "tax_amount": _maybe_money(order.tax_amount),
            "gross_amount": _maybe_money(order.gross_amount),
            "connection": order.source.connection,
        },
    )


def order_status_changed(order_id: str, number: str, connection: str, status: OrderStatus) -> Event:
    """``order.status_changed``: the order reached ``status`` (one event per status)."""
    return Event(
        id=derived_event_id(EventType.ORDER_STATUS_CHANGED.value, order_id, status.value),
        type=EventType.ORDER_STATUS_CHANGED,
        aggregate=order_aggregate(order_id),
        connection=connection,
        data={
            "order_id": order_id,
            "number": number,
            "status": status.value,
            "connection": connection,
        },
    )


def order_events_of_placement(order: SalesOrder) -> list[Event]:
    """What placing ``order`` announces: the order, then its first status."""
    return [
        order_placed(order),
        order_status_changed(order.id, order.number, order.source.connection, order.status),
    ]


def invoice_issued(invoice: Invoice) -> Event:
    """``invoice.issued``: a billing document for one or more orders."""
    data: dict[str, Any] = {
        "invoice_id": invoice.id,
        "number": invoice.number,
        "customer_id": invoice.customer_id,
        "order_ids": list(invoice.order_ids),
        "invoice_date": invoice.invoice_date.isoformat(),
        "status": invoice.status.value,
        "net_amount": _money(invoice.net_amount),
        "tax_amount": _money(invoice.tax_amount),
        "gross_amount": _money(invoice.gross_amount),
        "connection": invoice.source.connection,
    }
    return Event(
        id=derived_event_id(EventType.INVOICE_ISSUED.value, invoice.id),
        type=EventType.INVOICE_ISSUED,
        aggregate=f"invoice:{invoice.id}",
        connection=invoice.source.connection,
        data=data,
    )
