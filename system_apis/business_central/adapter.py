"""The Business Central adapter: the ErpAdapter port over API v2.0.

Master data and documents are known by their BC numbers. Lists page on the server
(``$skip``/``$top``/``$count``) where BC can filter what the port asks; where it cannot
(case-insensitive name search, order status) the adapter reads the matching set and pages it
itself. Stock per location comes from the analytics API's item ledger entries (API v2.0's
have no location). The writes (orders, shipments, invoices) are in :mod:`.documents`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Any

from system_apis.business_central import mapping
from system_apis.business_central.client import BcClient, JsonObject, literal
from system_apis.business_central.documents import Documents
from system_apis.business_central.invoices import Invoices
from system_apis.business_central.reads import (
    conjunction,
    equals,
    level_after,
    local_page,
    number_after,
    one_of,
    server_page,
    text_after,
    when,
)
from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import NotFound, NotSupported
from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import (
    Customer,
    CustomerDetail,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
    Source,
)
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import (
    MAX_PAGE_LIMIT,
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.contracts.streaming import offset_chunks

ERP_KIND = "business_central"
CUSTOMER_FIELDS = (
    "number,displayName,type,addressLine1,city,state,country,postalCode,currencyCode,"
    "blocked,lastModifiedDateTime"
)
EXTERNAL_DOCUMENT_NUMBER = 35
"""Sales Header."External Document No." is Code[35]."""


class BusinessCentralAdapter:
    """One company of one Business Central environment."""

    def __init__(
        self,
        connection: str,
        client: BcClient,
        *,
        currency: str = "GBP",
        company: str = "CRONUS International Ltd.",
    ) -> None:
        self._source = Source(connection=connection, erp=ERP_KIND)
        self._client = client
        client.connection = connection
        self._currency = currency
        self._company = company
        self._guard = MappingGuard("Business Central", connection)
        self._documents = Documents(self._source, client, self._guard, currency)
        self._invoices = Invoices(self._source, client, self._guard, currency, self._documents)

    @property
    def source(self) -> Source:
        return self._source

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(Capability) - {Capability.ADJUST_STOCK, Capability.CANCEL_ORDERS}

    @property
    def limits(self) -> FieldLimits:
        return FieldLimits(order_reference=EXTERNAL_DOCUMENT_NUMBER)

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- customers -----------------------------------------------------------------------

    def _customer_query(self, filter: CustomerFilter) -> dict[str, str]:
        credit = CustomerDetail.CREDIT_LIMIT in filter.details
        params = {
            "$orderby": "number",
            "$select": CUSTOMER_FIELDS + (",creditLimit" if credit else ""),
        }
        expression = conjunction(
            one_of("number", filter.native_ids), equals("country", filter.country)
        )
        if expression:
            params["$filter"] = expression
        return params

    def _customers(self, rows: list[JsonObject], filter: CustomerFilter) -> list[Customer]:
        credit = CustomerDetail.CREDIT_LIMIT in filter.details
        found = self._guard.mapped(
            lambda: [
                mapping.customer(self._source, r, self._currency, with_credit=credit) for r in rows
            ]
        )
        if filter.name_contains:
            fragment = filter.name_contains.lower()
            found = [c for c in found if fragment in c.name.lower()]
        return found

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        if filter.native_ids is not None and not filter.native_ids:
            return Page(items=(), offset=page.offset, total=0)
        params = self._customer_query(filter)
        if filter.name_contains:  # BC's contains() is case-sensitive: filter here
            rows = await self._client.all("customers", params)
            return local_page(self._customers(rows, filter), page, text_after)
        rows, offset, total = await server_page(
            self._client, "customers", params, page, _number_after
        )
        return Page(items=tuple(self._customers(rows, filter)), offset=offset, total=total)

    async def stream_customers(self, filter: CustomerFilter) -> AsyncIterator[Sequence[Customer]]:
        async for rows in self._client.pages("customers", self._customer_query(filter)):
            chunk = self._customers(rows, filter)
            if chunk:
                yield chunk

    # -- products ------------------------------------------------------------------------

    def _product_query(self, filter: ProductFilter) -> dict[str, str]:
        params = {"$orderby": "number"}
        expression = conjunction(
            one_of("number", filter.skus), equals("itemCategoryCode", filter.product_group)
        )
        if expression:
            params["$filter"] = expression
        return params

    def _products(self, rows: list[JsonObject], filter: ProductFilter) -> list[Product]:
        found = self._guard.mapped(
            lambda: [mapping.product(self._source, r, self._currency) for r in rows]
        )
        if filter.name_contains:
            fragment = filter.name_contains.lower()
            found = [p for p in found if fragment in p.name.lower()]
        return found

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        if filter.skus is not None and not filter.skus:
            return Page(items=(), offset=page.offset, total=0)
        params = self._product_query(filter)
        if filter.name_contains:
            found = self._products(await self._client.all("items", params), filter)
            return local_page(found, page, text_after)
        rows, offset, total = await server_page(self._client, "items", params, page, _number_after)
        return Page(items=tuple(self._products(rows, filter)), offset=offset, total=total)

    async def stream_products(self, filter: ProductFilter) -> AsyncIterator[Sequence[Product]]:
        async for rows in self._client.pages("items", self._product_query(filter)):
            chunk = self._products(rows, filter)
            if chunk:
                yield chunk

    # -- inventory -----------------------------------------------------------------------

    async def _levels(self, filter: InventoryFilter) -> list[InventoryLevel]:
        if filter.skus is not None and not filter.skus:
            return []
        location = equals("locationCode", filter.location)
        changed: dict[tuple[str, str], dt.datetime] | None = None
        skus = list(filter.skus) if filter.skus is not None else None
        if filter.changed_since is not None:
            changed = await self._changed_levels(filter.changed_since, skus, filter.location)
            skus = sorted({sku for sku, _ in changed})
            if not skus:
                return []
        select = {"$select": "entryNo,itemNo,locationCode,quantity,unitOfMeasureCode"}
        if skus is None:
            params = {**select, **({"$filter": location} if location else {})}
            entries = await self._client.all("itemLedgerEntries", params, analytics=True)
        else:
            entries = await self._client.any_of(
                "itemLedgerEntries", "itemNo", skus, select, analytics=True, extra=location
            )
        levels = self._guard.mapped(
            lambda: mapping.inventory_levels(self._source, entries, changed)
        )
        if changed is None:
            return levels
        moved = [lv for lv in levels if (lv.sku, lv.location) in changed]
        return sorted(moved, key=lambda lv: (lv.changed_at, lv.native_id))

    async def _changed_levels(
        self, since: dt.datetime, skus: list[str] | None, location: str | None
    ) -> dict[tuple[str, str], dt.datetime]:
        """(sku, location) of the item ledger entries posted at or after ``since``, with the
        time of the last one: API v2.0 entries carry the time, the analytics ones the place."""
        recent = await self._client.all(
            "itemLedgerEntries",
            {
                "$filter": f"lastModifiedDateTime ge {when(since)}",
                "$select": "entryNumber,itemNumber,lastModifiedDateTime",
            },
        )
        if skus is not None:
            recent = [e for e in recent if e["itemNumber"] in skus]
        if not recent:
            return {}
        stamps = {
            str(e["entryNumber"]): mapping.timestamp(e["lastModifiedDateTime"]) for e in recent
        }
        placed = await self._client.any_of(
            "itemLedgerEntries",
            "entryNo",
            list(stamps),
            {"$select": "entryNo,itemNo,locationCode"},
            analytics=True,
            numeric=True,
        )
        out: dict[tuple[str, str], dt.datetime] = {}
        for entry in placed:
            key = (entry["itemNo"], entry.get("locationCode") or "")
            stamp = stamps.get(str(entry["entryNo"]))
            if stamp is None or (location is not None and key[1] != location):
                continue
            out[key] = max(stamp, out.get(key, stamp))
        return out

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        follows = None if filter.changed_since is not None else level_after
        return local_page(await self._levels(filter), page, follows)

    def stream_inventory(self, filter: InventoryFilter) -> AsyncIterator[Sequence[InventoryLevel]]:
        return offset_chunks(lambda page: self.list_inventory(filter, page))

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        raise NotSupported(
            "Business Central's API v2.0 has no item journal: stock is adjusted in BC itself",
            connection=self._source.connection,
        )

    # -- documents -----------------------------------------------------------------------

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        return await self._documents.list_orders(filter, page)

    def stream_sales_orders(self, filter: SalesOrderFilter) -> AsyncIterator[Sequence[SalesOrder]]:
        return self._documents.stream_orders(filter)

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        return await self._documents.get_order(native_id)

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        return await self._documents.create_order(draft)

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        # BC cancels an unposted order by deleting it: it could not be read back as cancelled.
        raise NotSupported(
            "Business Central deletes an order to cancel it; the gateway does not delete orders",
            connection=self._source.connection,
        )

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        return await self._documents.list_deliveries(filter, page)

    async def create_delivery(self, order_native_id: str) -> Delivery:
        return await self._documents.create_delivery(order_native_id)

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        return await self._documents.post_goods_issue(delivery_native_id)

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        return await self._invoices.list_invoices(filter, page)

    def stream_invoices(self, filter: InvoiceFilter) -> AsyncIterator[Sequence[Invoice]]:
        return self._invoices.stream_invoices(filter)

    async def create_invoice(self, order_native_id: str) -> Invoice:
        return await self._invoices.create_invoice(order_native_id)

    # -- employees -----------------------------------------------------------------------

    async def _employees(self, filter: EmployeeFilter) -> list[Employee]:
        if filter.native_ids is not None and not filter.native_ids:
            return []
        if filter.company is not None and filter.company != self._company:
            return []
        params: dict[str, Any] = {}
        expression = one_of("number", filter.native_ids)
        if expression:
            params["$filter"] = expression
        rows = await self._client.all("employees", params)
        found = self._guard.mapped(
            lambda: [mapping.employee(self._source, r, self._company) for r in rows]
        )
        if filter.name_contains:
            fragment = filter.name_contains.lower()
            found = [e for e in found if fragment in e.name.lower()]
        if filter.status is not None:
            found = [e for e in found if e.status is filter.status]
        # Personnel numbers are text in BC ("1", "10", "2"): order them as numbers read.
        return sorted(found, key=lambda e: (len(e.native_id), e.native_id))

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        return local_page(await self._employees(filter), page, number_after)

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        found = await self._employees(EmployeeFilter(native_ids=[native_id], details=details))
        if not found:
            raise NotFound(
                f"Business Central has no employee {native_id}", connection=self._source.connection
            )
        return found[0]


__all__ = ["ERP_KIND", "MAX_PAGE_LIMIT", "BusinessCentralAdapter"]


def _number_after(key: str) -> str:
    return f"number gt {literal(key)}"
