"""Invoice notices pushed by an ERP or CRM, checked against the ERP before they count.

A notice (``invoice.issued``, ``invoice.paid``, ``invoice.cancelled``) only says that an
invoice changed: the flow reads the invoice from the ERP through the port and publishes the
status the ERP holds, never the pushed one. A notice whose status the ERP does not show
yet publishes what the ERP shows; the status change arrives with a later notice or the
change-capture poll, both of which derive the same event id for the same status.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from process_apis.connections import Connections
from process_apis.events.model import Event
from process_apis.inbound.model import InboundEvent, SourceKind
from process_apis.invoice_status.events import invoice_event
from system_apis.contracts import errors as erp
from system_apis.contracts.models import Invoice
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import InvoiceFilter, PageRequest

logger = logging.getLogger(__name__)

INVOICE_ISSUED = "invoice.issued"
INVOICE_PAID = "invoice.paid"
INVOICE_CANCELLED = "invoice.cancelled"
NOTICE_STATUS = {INVOICE_ISSUED: "posted", INVOICE_PAID: "paid", INVOICE_CANCELLED: "cancelled"}


def invoice_aggregate(connection: str, native_id: str) -> str:
    """The record an invoice notice changes (the aggregate of its events too)."""
    return f"invoice:{connection}:{native_id}"


class InvoiceNotice(BaseModel):
    """An invoice that changed: its number in the ERP, and the connection when the
    source is not bound to one."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    invoice: str = Field(min_length=1, max_length=64)
    connection: str | None = Field(default=None, min_length=1, max_length=64)


async def read_invoice(adapter: ErpAdapter, native_id: str) -> Invoice:
    """The invoice as the ERP holds it now; NotFound when it has no such invoice."""
    page = await adapter.list_invoices(
        InvoiceFilter(native_ids=[native_id]), PageRequest(offset=0, limit=1)
    )
    if not page.items:
        raise erp.NotFound(
            f"invoice {native_id} does not exist", connection=adapter.source.connection
        )
    return page.items[0]


class InvoiceStatusSync:
    """The inbound handler of invoice notices."""

    def __init__(self, connections: Connections):
        self._connections = connections

    @property
    def data_models(self) -> Mapping[str, type[BaseModel]]:
        return dict.fromkeys(NOTICE_STATUS, InvoiceNotice)

    @property
    def kinds(self) -> frozenset[SourceKind]:
        return frozenset({SourceKind.ERP, SourceKind.CRM})

    def connection_of(self, data: BaseModel) -> str | None:
        assert isinstance(data, InvoiceNotice)
        return data.connection

    def ordering_key(self, connection: str, data: BaseModel) -> str:
        assert isinstance(data, InvoiceNotice)
        return invoice_aggregate(connection, data.invoice)

    async def refresh(self, connection: str, native_id: str) -> Event | None:
        """The event for the invoice's current status in the ERP (None for a draft)."""
        invoice = await read_invoice(self._connections.get(connection), native_id)
        return invoice_event(invoice)

    async def handle(self, event: InboundEvent, data: BaseModel) -> Sequence[Event]:
        assert isinstance(data, InvoiceNotice)
        invoice = await read_invoice(self._connections.get(event.connection), data.invoice)
        if invoice.status.value != NOTICE_STATUS[event.type]:
            logger.info(
                "invoice %s on %s: notice %s, the ERP shows %s; publishing the ERP's status",
                data.invoice,
                event.connection,
                event.type,
                invoice.status.value,
            )
        published = invoice_event(invoice)
        return [] if published is None else [published]
