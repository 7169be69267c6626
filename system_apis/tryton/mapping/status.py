"""Statuses of a ``sale.sale`` from its ``state``, ``shipment_state`` and ``invoice_state``.

==========================  ====================================================
Tryton                      canonical
==========================  ====================================================
shipment_state sent         delivery COMPLETE
partially shipped           delivery PARTIAL
waiting, exception          delivery OPEN
none                        delivery OPEN while the sale is ``confirmed`` (not yet
                            processed), else NOT_RELEVANT (nothing to ship)
invoice_state posted        billing COMPLETE, or PARTIAL while the shipment is
(awaiting payment,          partial (invoicing on fulfilment bills what left)
partially paid, paid)
pending, exception          billing OPEN (an invoice waits to be posted)
none                        billing OPEN once goods left, else NOT_RELEVANT
==========================  ====================================================

The order status follows: a sale closed with nothing shipped or billed (``done`` with shipment
and invoice state ``none``: its cancelled moves and invoices ignored, see
:mod:`system_apis.tryton.cancelling`) → CANCELLED, billing complete → INVOICED, delivery
complete → SHIPPED, delivery partial → PARTIALLY_SHIPPED, otherwise ORDERED.
:mod:`system_apis.tryton.queries` holds the domains that select the same orders.
"""

from __future__ import annotations

from system_apis.contracts.models import DocumentStatus, OrderStatus

POSTED_INVOICE_STATES = ("awaiting payment", "partially paid", "paid")
OPEN_SHIPMENT_STATES = ("waiting", "exception")
ORDER_STATES = ("confirmed", "processing", "done")
"""Sale states of an order; drafts, quotations and cancelled sales are not orders."""


def delivery_status(state: str, shipment_state: str) -> DocumentStatus:
    if shipment_state == "sent":
        return DocumentStatus.COMPLETE
    if shipment_state == "partially shipped":
        return DocumentStatus.PARTIAL
    if shipment_state in OPEN_SHIPMENT_STATES or state == "confirmed":
        return DocumentStatus.OPEN
    return DocumentStatus.NOT_RELEVANT


def billing_status(shipment_state: str, invoice_state: str) -> DocumentStatus:
    if invoice_state in POSTED_INVOICE_STATES:
        if shipment_state == "partially shipped":
            return DocumentStatus.PARTIAL
        return DocumentStatus.COMPLETE
    if invoice_state in ("pending", "exception"):
        return DocumentStatus.OPEN
    if shipment_state in ("sent", "partially shipped"):
        return DocumentStatus.OPEN
    return DocumentStatus.NOT_RELEVANT


def closed_unfulfilled(state: str, shipment_state: str, invoice_state: str) -> bool:
    """A sale closed with nothing shipped or billed: what a cancelled order becomes."""
    return state == "done" and shipment_state == "none" and invoice_state == "none"


def order_status(
    delivery: DocumentStatus, billing: DocumentStatus, closed: bool = False
) -> OrderStatus:
    if closed:
        return OrderStatus.CANCELLED
    if billing is DocumentStatus.COMPLETE:
        return OrderStatus.INVOICED
    if delivery is DocumentStatus.COMPLETE:
        return OrderStatus.SHIPPED
    if delivery is DocumentStatus.PARTIAL:
        return OrderStatus.PARTIALLY_SHIPPED
    return OrderStatus.ORDERED
