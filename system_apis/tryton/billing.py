"""Invoices in Tryton: the customer invoices (``account.invoice``) a sale produces.

Tryton creates a sale's invoice itself, following the sale's invoice method: when the sale is
processed (``order``), when its goods have left (``fulfillment``: the processing that follows
the shipment), or on request (``manual``). *Creating* an invoice therefore asks Tryton to
produce what is due (``process``, or ``manual_invoice`` for the manual method) when the sale has
no invoice waiting, then posts the waiting invoices (``post``: numbered, dated, accounted) and
answers the first. Nothing to post is ValidationRejected: already billed, or nothing billable
yet (e.g. invoicing on fulfilment before the goods left).
"""

from __future__ import annotations

from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.models import Invoice, Source
from system_apis.contracts.queries import InvoiceFilter, Page, PageRequest
from system_apis.tryton.changes import changed_rows
from system_apis.tryton.client import Row, TrytonClient
from system_apis.tryton.errors import guard
from system_apis.tryton.mapping.invoices import INVOICE_FIELDS, invoice_from_tryton
from system_apis.tryton.mapping.readers import nested_list, record_id
from system_apis.tryton.mapping.status import ORDER_STATES
from system_apis.tryton.queries import BY_ID, invoice_domain
from system_apis.tryton.reads import by_id_after, find_one, read_page

INVOICE = "account.invoice"
WAITING = ("draft", "validated")
BILLED = ("posted", "paid")
SALE_BILLING_FIELDS = ("number", "state", "invoice_method", "to_invoice", "invoices.state")


class Billing:
    """Invoices of one Tryton connection; ``currency`` prices a document that names none."""

    def __init__(self, client: TrytonClient, source: Source, currency: str | None) -> None:
        self._client = client
        self._source = source
        self._currency = currency

    @property
    def _connection(self) -> str:
        return self._source.connection

    def _convert(self, row: Row) -> Invoice:
        return invoice_from_tryton(row, self._source, self._currency)

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        domain = invoice_domain(filter)
        if domain is None:
            return Page[Invoice](items=(), offset=page.offset, total=0)
        if filter.changed_since is not None:
            offset = page.offset
            rows, total = await changed_rows(
                self._client,
                INVOICE,
                domain,
                filter.changed_since,
                INVOICE_FIELDS,
                page,
                self._connection,
            )
        else:
            rows, offset, total = await read_page(
                self._client, INVOICE, domain, INVOICE_FIELDS, page, order=BY_ID, after=by_id_after
            )
        items = guard(self._connection).mapped(lambda: [self._convert(row) for row in rows])
        return Page[Invoice](items=tuple(items), offset=offset, total=total)

    async def get_invoice(self, native_id: str) -> Invoice:
        row = await find_one(
            self._client,
            INVOICE,
            native_id,
            INVOICE_FIELDS,
            what="invoice",
            domain=[("type", "=", "out")],
        )
        return guard(self._connection).mapped(lambda: self._convert(row))

    async def create_invoice(self, order_native_id: str) -> Invoice:
        sale = await self._sale(order_native_id)
        waiting = _waiting(sale)
        if not waiting:
            manual = sale.get("invoice_method") == "manual"
            if manual and sale.get("to_invoice"):
                await self._client.button("sale.sale", "manual_invoice", [record_id(sale)])
            elif not manual:
                await self._client.button("sale.sale", "process", [record_id(sale)])
            sale = await self._sale(order_native_id)
            waiting = _waiting(sale)
        if not waiting:
            billed = any(i.get("state") in BILLED for i in nested_list(sale, "invoices"))
            reason = "is already billed" if billed else "has nothing to bill yet"
            raise ValidationRejected(
                f"Tryton sale {order_native_id} {reason}", connection=self._connection
            )
        await self._client.button(INVOICE, "post", waiting)
        native = str(waiting[0])
        return await guard(self._connection).read_back(
            self.get_invoice(native), f"invoice {native}"
        )

    async def _sale(self, native_id: str) -> Row:
        return await find_one(
            self._client,
            "sale.sale",
            native_id,
            SALE_BILLING_FIELDS,
            what="sales order",
            domain=[("state", "in", list(ORDER_STATES))],
        )


def _waiting(sale: Row) -> list[int]:
    """Ids of the sale's invoices waiting to be posted."""
    return [record_id(i) for i in nested_list(sale, "invoices") if i.get("state") in WAITING]
