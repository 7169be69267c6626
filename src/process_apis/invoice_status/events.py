"""The business event an invoice in a given status stands for.

Pure, so that every path that sees an invoice (a pushed notice, the change-capture poller)
derives the same event: its id comes from the connection, the invoice and its status, and
the outbox stages an id once, so one status seen twice is one event.
"""

from __future__ import annotations

from process_apis.events.model import Event, EventType, derived_event_id
from system_apis.contracts.models import Invoice, InvoiceStatus


def invoice_aggregate(connection: str, native_id: str) -> str:
    return f"invoice:{connection}:{native_id}"


def invoice_event_id(connection: str, native_id: str, status: InvoiceStatus) -> str:
    return derived_event_id("invoice", connection, native_id, status.value)


def invoice_event(invoice: Invoice) -> Event | None:
    """``invoice.issued`` for a posted invoice, ``invoice.status_changed`` once it is paid
    or cancelled, None for a draft (nothing was issued yet).

    ``occurred_at`` is the invoice's change time when the ERP gives one, so the event has
    the same content whichever path derives it first.
    """
    if invoice.status is InvoiceStatus.DRAFT:
        return None
    connection = invoice.source.connection
    kind = (
        EventType.INVOICE_ISSUED
        if invoice.status is InvoiceStatus.POSTED
        else EventType.INVOICE_STATUS_CHANGED
    )
    extra = {} if invoice.changed_at is None else {"occurred_at": invoice.changed_at}
    return Event(
        id=invoice_event_id(connection, invoice.native_id, invoice.status),
        type=kind,
        aggregate=invoice_aggregate(connection, invoice.native_id),
        connection=connection,
        data={
            "connection": connection,
            "invoice_id": invoice.id,
            "number": invoice.number,
            "status": invoice.status.value,
            "customer_id": invoice.customer_id,
            "gross_amount": str(invoice.gross_amount.amount),
            "currency": invoice.gross_amount.currency,
            "invoice_date": invoice.invoice_date.isoformat(),
        },
        **extra,
    )
