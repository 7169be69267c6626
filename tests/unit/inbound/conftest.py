"""An inbound event as the store hands it to a handler, and an invoice in an ERP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from process_apis.inbound.model import InboundEvent, InboundStatus
from system_apis.contracts.models import Invoice, InvoiceStatus, Money, canonical_id
from tests.fakes.memory_erp import MemoryErp

RECEIVED = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)


def inbound(
    type: str,
    data: Mapping[str, Any],
    *,
    source: str = "wms-main",
    webhook_id: str = "msg_1",
    connection: str = "EU01",
) -> InboundEvent:
    return InboundEvent(
        id=f"in-{source}-{webhook_id}",
        source=source,
        webhook_id=webhook_id,
        type=type,
        connection=connection,
        data=dict(data),
        ordering_key=f"test:{source}:{webhook_id}",
        status=InboundStatus.PENDING,
        attempts=1,
        received_at=RECEIVED,
        next_attempt_at=RECEIVED,
    )


def add_invoice(erp: MemoryErp, native_id: str, status: InvoiceStatus) -> Invoice:
    invoice = Invoice(
        id=canonical_id("EU01", native_id),
        native_id=native_id,
        source=erp.source,
        number=native_id,
        customer_id="EU01:17100001",
        invoice_date=dt.date(2026, 11, 20),
        net_amount=Money(amount=Decimal("100.00"), currency="EUR"),
        tax_amount=Money(amount=Decimal("19.00"), currency="EUR"),
        gross_amount=Money(amount=Decimal("119.00"), currency="EUR"),
        status=status,
    )
    erp.invoices[native_id] = invoice
    return invoice
