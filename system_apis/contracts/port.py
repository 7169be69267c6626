"""The port every ERP adapter implements; the process layer sees nothing else of an ERP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from enum import StrEnum
from typing import Protocol, runtime_checkable

from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import (
    Customer,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
    Source,
)
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)


class Capability(StrEnum):
    READ_CUSTOMERS = "read_customers"
    READ_PRODUCTS = "read_products"
    READ_INVENTORY = "read_inventory"
    READ_SALES_ORDERS = "read_sales_orders"
    CREATE_SALES_ORDERS = "create_sales_orders"
    FULFIL_ORDERS = "fulfil_orders"
    READ_INVOICES = "read_invoices"
    CREATE_INVOICES = "create_invoices"
    ADJUST_STOCK = "adjust_stock"
    READ_EMPLOYEES = "read_employees"
    CANCEL_ORDERS = "cancel_orders"


@runtime_checkable
class ErpAdapter(Protocol):
    """One ERP connection seen through the canonical model.

    Lists return records in a stable order (by native id unless said otherwise) and page by
    offset or, so that records created while a caller pages are neither read twice nor skip
    others, after the page key of the last record read (``PageRequest.after``, keys in
    :mod:`system_apis.contracts.keyset`). Methods raise only :mod:`system_apis.contracts.errors`
    types.
    Ids passed in and out are *native* ids of this connection unless named ``*_id`` on a
    canonical record, which are canonical ids (see ``canonical_id``).
    """

    @property
    def source(self) -> Source: ...

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    @property
    def limits(self) -> FieldLimits:
        """How long the references this ERP stores as they are may be."""
        ...

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        """Customers matching the filter; with ``native_ids`` one call answers many ids."""
        ...

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]: ...

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        """Unrestricted stock per product and location; zero levels may be omitted."""
        ...

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        """Orders with their lines, newest first."""
        ...

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        """Raises NotFound when the ERP has no such order."""
        ...

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        """Creates the order in the ERP; the ERP numbers and prices it."""
        ...

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        """Cancels every line of an order that has not left the warehouse; answers the order,
        status CANCELLED.

        An order already cancelled is answered as it is and nothing is written. Raises
        NotFound for an unknown order, NotCancellable (naming why) when goods left or the
        order is billed, and then changes nothing. ``reason`` is kept where the ERP has a
        place for a free text; the ERP's own reason code comes from the connection's settings.
        """
        ...

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        """Deliveries by native id; with ``order_native_ids`` the deliveries of many orders
        cost a number of upstream requests bounded for a page of orders, whatever its size."""
        ...

    async def create_delivery(self, order_native_id: str) -> Delivery:
        """Creates a delivery for every open line of the order (no goods issue yet)."""
        ...

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        """Posts the goods issue: stock leaves the warehouse. Raises InsufficientStock."""
        ...

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        """Invoices by native id; ``order_native_ids`` batches orders as for deliveries."""
        ...

    async def create_invoice(self, order_native_id: str) -> Invoice:
        """Bills every delivered, not yet billed line of the order."""
        ...

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        """Posts the movement once per ``adjustment.reference`` and answers the new level.

        A reference already posted posts nothing and answers the current level. Raises
        NotFound for an unknown product or location, InsufficientStock when an issue
        exceeds the unrestricted stock.
        """
        ...

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        """Employees by personnel number; salary and bank account only when
        ``filter.details`` names them (the ERP is not even asked otherwise)."""
        ...

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        """Raises NotFound when the ERP has no such employee."""
        ...

    # -- whole record sets (exports): chunks in list order, each as the ERP answered it ----

    def stream_customers(self, filter: CustomerFilter) -> AsyncIterator[Sequence[Customer]]:
        """Every customer matching the filter, in list order, one chunk per upstream page.

        Read with the ERP's largest pages (and its own server-driven paging where it has
        one); credit limits only when ``filter.details`` names them. The stream holds one
        chunk at a time, never the whole set.
        """
        ...

    def stream_products(self, filter: ProductFilter) -> AsyncIterator[Sequence[Product]]: ...

    def stream_inventory(self, filter: InventoryFilter) -> AsyncIterator[Sequence[InventoryLevel]]:
        """Every level, each exactly once even where a page boundary cuts its native rows."""
        ...

    def stream_sales_orders(
        self, filter: SalesOrderFilter
    ) -> AsyncIterator[Sequence[SalesOrder]]: ...

    def stream_invoices(self, filter: InvoiceFilter) -> AsyncIterator[Sequence[Invoice]]: ...

    async def aclose(self) -> None:
        """Releases connections; the adapter is not used afterwards."""
        ...
