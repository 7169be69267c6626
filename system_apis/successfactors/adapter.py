"""``SuccessFactorsAdapter``: the port over SuccessFactors Employee Central, employees only.

SuccessFactors holds people, not sales: every other port method is refused with
:class:`NotSupported`, and :attr:`capabilities` says so beforehand. The employee reads are
:class:`system_apis.sap.employees.SuccessFactorsEmployees`' (the OData queries of
``EmpEmployment`` and its navigations), with the same field-level protection: pay and bank
data are asked of the system only when the filter's details name them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import NoReturn

from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import NotSupported
from system_apis.contracts.guards import MappingGuard
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
from system_apis.contracts.port import Capability
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
from system_apis.sap.client import SapODataClient
from system_apis.sap.employees import SuccessFactorsEmployees

ERP_KIND = "successfactors"


class SuccessFactorsAdapter:
    """Employees of one connection read from SuccessFactors through ``client`` (closed by
    :meth:`aclose`); nothing else."""

    def __init__(self, connection: str, client: SapODataClient) -> None:
        self._source = Source(connection=connection, erp=ERP_KIND)
        self._client = client
        self._employees = SuccessFactorsEmployees(
            client, self._source, MappingGuard("SuccessFactors", connection)
        )

    @property
    def source(self) -> Source:
        return self._source

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset({Capability.READ_EMPLOYEES})

    @property
    def limits(self) -> FieldLimits:
        return FieldLimits()

    async def aclose(self) -> None:
        await self._employees.aclose()

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        return await self._employees.list_employees(filter, page)

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        return await self._employees.get_employee(native_id, details)

    # -- what SuccessFactors does not hold -------------------------------------------------

    def _refuse(self, what: str) -> NoReturn:
        raise NotSupported(
            f"SuccessFactors holds employees only, no {what}", connection=self._source.connection
        )

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        self._refuse("customers")

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        self._refuse("products")

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        self._refuse("stock")

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        self._refuse("sales orders")

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        self._refuse("sales orders")

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        self._refuse("sales orders")

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        self._refuse("sales orders")

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        self._refuse("deliveries")

    async def create_delivery(self, order_native_id: str) -> Delivery:
        self._refuse("deliveries")

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        self._refuse("deliveries")

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        self._refuse("invoices")

    async def create_invoice(self, order_native_id: str) -> Invoice:
        self._refuse("invoices")

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        self._refuse("stock")

    def stream_customers(self, filter: CustomerFilter) -> AsyncIterator[Sequence[Customer]]:
        return self._refused_stream("customers")

    def stream_products(self, filter: ProductFilter) -> AsyncIterator[Sequence[Product]]:
        return self._refused_stream("products")

    def stream_inventory(self, filter: InventoryFilter) -> AsyncIterator[Sequence[InventoryLevel]]:
        return self._refused_stream("stock")

    def stream_sales_orders(self, filter: SalesOrderFilter) -> AsyncIterator[Sequence[SalesOrder]]:
        return self._refused_stream("sales orders")

    def stream_invoices(self, filter: InvoiceFilter) -> AsyncIterator[Sequence[Invoice]]:
        return self._refused_stream("invoices")

    async def _refused_stream(self, what: str) -> AsyncIterator[Sequence[NoReturn]]:
        self._refuse(what)
        yield ()  # unreachable: makes this an async generator, refusing at the first read
