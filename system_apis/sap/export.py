"""Whole record sets from SAP for exports: large windows and SAP's own page size.

Each stream reads its entity set through :func:`~system_apis.sap.windows.windows`, with the
same ``$select``/``$expand``/``$orderby`` and ``$filter`` as the list reads, and yields one
chunk of canonical records per SAP answer. Each answer after the first starts where the one
before ended, by key, so what is written during a long export moves nothing at its boundaries
(lists ordered by change time follow ``__next`` and skip the windows read). Stock rows are
summed per material and location as in the list read; a level whose rows an answer's end
cuts is held back until its last row has arrived, so every level is exported exactly once.
Credit limits, when asked for, cost one more request per :data:`CREDIT_BATCH` customers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from functools import partial
from typing import TypeVar

from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.models import (
    Customer,
    CustomerDetail,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
    Source,
)
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    InvoiceFilter,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.sap import credit, documents, invoicing, keyed, queries
from system_apis.sap.answers import JsonObject
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.billing import invoice_from_sap
from system_apis.sap.mapping.credit import limits_by_partner
from system_apis.sap.mapping.defaults import SapDefaults
from system_apis.sap.mapping.partners import customer_from_sap
from system_apis.sap.mapping.products import product_from_sap
from system_apis.sap.mapping.readers import required_text
from system_apis.sap.mapping.sales import sales_order_from_sap
from system_apis.sap.mapping.stock import inventory_from_sap
from system_apis.sap.odata import Filter, all_of
from system_apis.sap.queries import STOCK, KeyReader
from system_apis.sap.windows import Continuation, windows

T = TypeVar("T")

EXPORT_WINDOW = 5000
"""Entities asked per request (``$top``); SAP may page smaller with ``__next``."""
CREDIT_BATCH = 100
"""Customers whose credit accounts one request reads (the filter lists each partner)."""


STOCK_ROWS = Continuation(
    keyed.from_row(STOCK.orderby),
    group=lambda row: tuple(row.get(name) for name in STOCK.orderby),
)
"""Stock rows go on from the last batch read: special stocks of one batch tie in the order."""


class SapStreams:
    """The ``stream_*`` reads of :class:`~system_apis.sap.adapter.SapAdapter`."""

    def __init__(
        self,
        client: SapODataClient,
        source: Source,
        defaults: SapDefaults,
        guard: MappingGuard,
        keys: KeyReader,
        *,
        window: int = EXPORT_WINDOW,
    ) -> None:
        self._client = client
        self._source = source
        self._defaults = defaults
        self._guard = guard
        self._keys = keys
        self._window = window

    async def customers(self, filter: CustomerFilter) -> AsyncIterator[Sequence[Customer]]:
        query = await queries.customer_query(filter, self._keys)
        if query is None:
            return
        with_credit = CustomerDetail.CREDIT_LIMIT in filter.details
        async for rows in documents.pages(self._client, query, self._window):
            found = self._mapped(rows, lambda e: customer_from_sap(e, self._source))
            if with_credit and found:
                found = await self._with_credit(rows, found)
            if found:
                yield found

    async def products(self, filter: ProductFilter) -> AsyncIterator[Sequence[Product]]:
        query = await queries.product_query(filter, self._defaults.language, self._keys)
        if query is None:
            return
        async for rows in documents.pages(self._client, query, self._window):
            found = self._mapped(rows, lambda e: product_from_sap(e, self._source, self._defaults))
            if found:
                yield found

    async def inventory(self, filter: InventoryFilter) -> AsyncIterator[Sequence[InventoryLevel]]:
        conditions = queries.inventory_conditions(filter, self._source.connection)
        if conditions is None:
            return
        held: InventoryLevel | None = None
        async for rows in self._stock_rows(conditions):
            levels = self._guard.mapped(partial(inventory_from_sap, rows, self._source))
            if not levels:
                continue
            if held is not None:
                if levels[0].native_id == held.native_id:
                    levels[0] = self._guard.mapped(partial(_summed, held, levels[0]))
                else:
                    levels.insert(0, held)
            # Rows come ordered by material and place: only the last level may continue.
            held = levels.pop()
            if levels:
                yield levels
        if held is not None:
            yield [held]

    async def sales_orders(self, filter: SalesOrderFilter) -> AsyncIterator[Sequence[SalesOrder]]:
        query = await queries.sales_order_query(filter, self._keys)
        if query is None:
            return
        async for rows in documents.pages(self._client, query, self._window):
            found = self._mapped(rows, self._orders(await invoicing.billed_of(self._client, rows)))
            if found:
                yield found

    async def invoices(self, filter: InvoiceFilter) -> AsyncIterator[Sequence[Invoice]]:
        query = await queries.invoice_query(filter, self._keys)
        if query is None:
            return
        async for rows in documents.pages(self._client, query, self._window):
            found = self._mapped(rows, lambda e: invoice_from_sap(e, self._source, self._defaults))
            if found:
                yield found

    def _stock_rows(self, conditions: list[Filter]) -> AsyncIterator[list[JsonObject]]:
        read = STOCK
        return windows(
            self._client,
            read.service,
            read.entity_set,
            window=self._window,
            filter=all_of(*conditions) if conditions else None,
            select=read.select,
            expand=read.expand,
            orderby=read.orderby,
            continuation=STOCK_ROWS,
        )

    def _orders(self, billed: invoicing.BilledQuantities) -> Callable[[JsonObject], SalesOrder]:
        def convert(entity: JsonObject) -> SalesOrder:
            billing = invoicing.billing_state(entity, billed)
            return sales_order_from_sap(entity, self._source, self._defaults, billing)

        return convert

    def _mapped(self, rows: list[JsonObject], convert: Callable[[JsonObject], T]) -> list[T]:
        return self._guard.mapped(lambda: [convert(row) for row in rows])

    async def _with_credit(self, rows: list[JsonObject], found: list[Customer]) -> list[Customer]:
        partners = self._guard.mapped(lambda: [required_text(r, "BusinessPartner") for r in rows])
        result: list[Customer] = []
        for start in range(0, len(found), CREDIT_BATCH):
            batch = partners[start : start + CREDIT_BATCH]
            accounts = await credit.credit_accounts(self._client, batch)
            by_partner = self._guard.mapped(partial(limits_by_partner, accounts))
            result.extend(
                customer.model_copy(update={"credit_limit": by_partner.get(partner)})
                for customer, partner in zip(
                    found[start : start + CREDIT_BATCH], batch, strict=True
                )
            )
        return result


def _summed(first: InventoryLevel, rest: InventoryLevel) -> InventoryLevel:
    """One level from its rows on both sides of a page boundary."""
    if first.quantity.unit != rest.quantity.unit:
        raise ValueError(
            f"stock of {first.native_id} comes in two units: "
            f"{first.quantity.unit}, {rest.quantity.unit}"
        )
    quantity = first.quantity.model_copy(
        update={"value": first.quantity.value + rest.quantity.value}
    )
    return first.model_copy(update={"quantity": quantity})
