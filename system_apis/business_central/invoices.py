"""Sales invoices in Business Central: reading them, and invoicing what an order shipped
(``invoiceQuantity`` set to what was shipped and not invoiced, then
``Microsoft.NAV.shipAndInvoice`` with nothing to ship)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from decimal import Decimal

from system_apis.business_central import mapping
from system_apis.business_central.client import BcClient, JsonObject, literal
from system_apis.business_central.documents import SHIP_AND_INVOICE, Documents, as_decimal
from system_apis.business_central.reads import (
    conjunction,
    equals,
    local_page,
    one_of,
    server_page,
    text_after,
    when,
)
from system_apis.contracts.errors import UnknownOutcome, ValidationRejected
from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.models import Invoice, Source
from system_apis.contracts.queries import InvoiceFilter, Page, PageRequest


class Invoices:
    def __init__(
        self,
        source: Source,
        client: BcClient,
        guard: MappingGuard,
        currency: str,
        documents: Documents,
    ) -> None:
        self._source, self._client, self._guard, self._currency = source, client, guard, currency
        self._documents = documents

    def _invoice_query(self, filter: InvoiceFilter) -> dict[str, str]:
        params = {"$expand": "salesInvoiceLines"}
        params["$orderby"] = (
            "lastModifiedDateTime asc,number asc" if filter.changed_since else "number"
        )
        expression = conjunction(
            one_of("number", filter.native_ids),
            equals("customerNumber", filter.customer_native_id),
            None if filter.date_from is None else f"invoiceDate ge {filter.date_from.isoformat()}",
            None if filter.date_to is None else f"invoiceDate le {filter.date_to.isoformat()}",
            None
            if filter.changed_since is None
            else f"lastModifiedDateTime ge {when(filter.changed_since)}",
        )
        if expression:
            params["$filter"] = expression
        return params

    def _invoices(self, rows: list[JsonObject]) -> list[Invoice]:
        return self._guard.mapped(
            lambda: [mapping.invoice(self._source, r, self._currency) for r in rows]
        )

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        orders = filter.orders()
        if (orders is not None and not orders) or (
            filter.native_ids is not None and not filter.native_ids
        ):
            return Page(items=(), offset=page.offset, total=0)
        params = self._invoice_query(filter)
        if orders is not None:
            extra = params.pop("$filter", None)
            rows = await self._client.any_of(
                "salesInvoices", "orderNumber", orders, params, extra=extra
            )
            invoices = self._invoices(rows)
            key = (
                (lambda i: (i.changed_at, i.native_id))
                if filter.changed_since
                else (lambda i: i.native_id)
            )
            follows = None if filter.changed_since else text_after
            return local_page(sorted(invoices, key=key), page, follows)
        rows, offset, total = await server_page(
            self._client,
            "salesInvoices",
            params,
            page,
            None if filter.changed_since else (lambda k: f"number gt {literal(k)}"),
        )
        return Page(items=tuple(self._invoices(rows)), offset=offset, total=total)

    async def stream_invoices(self, filter: InvoiceFilter) -> AsyncIterator[Sequence[Invoice]]:
        orders = filter.orders()
        if orders is not None:
            page = await self.list_invoices(filter, PageRequest(limit=1000))
            if page.items:
                yield page.items
            return
        async for rows in self._client.pages("salesInvoices", self._invoice_query(filter)):
            if rows:
                yield self._invoices(rows)

    async def create_invoice(self, order_native_id: str) -> Invoice:
        order = await self._documents.order_row(order_native_id)
        lines = [ln for ln in order.get("salesOrderLines") or [] if ln.get("lineType") == "Item"]
        billable = {
            ln["id"]: (
                Decimal(0),
                as_decimal(ln["shippedQuantity"]) - as_decimal(ln["invoicedQuantity"]),
            )
            for ln in lines
        }
        if not any(invoice > 0 for _, invoice in billable.values()):
            raise ValidationRejected(
                f"Sales order {order_native_id} has nothing shipped to invoice",
                connection=self._source.connection,
            )
        before = {
            i.native_id
            for i in (
                await self.list_invoices(
                    InvoiceFilter(order_native_id=order_native_id), PageRequest(limit=1000)
                )
            ).items
        }
        await self._documents.set_quantities(order, billable)
        await self._client.action(f"salesOrders({order['id']})/{SHIP_AND_INVOICE}")
        after = await self._guard.read_back(
            self.list_invoices(
                InvoiceFilter(order_native_id=order_native_id), PageRequest(limit=1000)
            ),
            "the invoice",
        )
        new = [i for i in after.items if i.native_id not in before]
        if not new:
            raise UnknownOutcome(
                f"Business Central shows no new invoice of order {order_native_id}",
                connection=self._source.connection,
            )
        return new[-1]
