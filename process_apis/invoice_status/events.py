"""The business event an invoice in a given status stands for.

Pure, so that every path that sees an invoice derives the same event: the order flow that
bills an order, a pushed notice, the change-capture poller. ``invoice.issued`` is the one
:func:`process_apis.events.documents.invoice_issued` builds; a later status has an id from
the invoice (connection and native id) and the status. The outbox stages an id once, so one
status seen twice is one event.
"""

from __future__ import annotations

from process_apis.events.documents import invoice_issued
from process_apis.events.model import Event, EventType, derived_event_id
from system_apis.contracts.models import Invoice, InvoiceStatus


def invoice_event_id(invoice: Invoice, status: InvoiceStatus) -> str:
    """The id of the event announcing that ``invoice`` reached ``status``."""
    if status is InvoiceStatus.POSTED:
        return invoice_issued(invoice).id
    return derived_event_id(EventType.INVOICE_STATUS_CHANGED.value, invoice.id, status.value)


def invoice_event(invoice: Invoice) -> Event | None:
    """``invoice.issued`` for a posted invoice, ``invoice.status_changed`` once it is paid
    or cancelled, None for a draft (nothing was issued yet).

    A status change carries the same data as the issue (ids, number, date, amounts, the new
    status) and occurred when the ERP last changed the invoice, when it says.
    """
    if invoice.status is InvoiceStatus.DRAFT:
        return None
    issued = invoice_issued(invoice)
    if invoice.status is InvoiceStatus.POSTED:
        return issued
    extra = {} if invoice.changed_at is None else {"occurred_at": invoice.changed_at}
    return Event(
        id=invoice_event_id(invoice, invoice.status),
        type=EventType.INVOICE_STATUS_CHANGED,
        aggregate=issued.aggregate,
        connection=issued.connection,
        data=issued.data,
        **extra,
    )
