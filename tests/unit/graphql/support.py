"""Helpers for schema tests: an in-memory ERP with seed data, services, a query runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import ExecutionResult

from experience_api.schema import build_context
from experience_api.services import PagingLimits, Services
from process_apis.catalog import Catalog
from process_apis.connections import Connections
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER
from process_apis.order_to_invoice.replay import OrderReplayer
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.review import QuarantineReview
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.port import ErpAdapter
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore

Run = Callable[..., Awaitable[ExecutionResult]]

CUSTOMERS = (("100", "Acme GmbH", "DE"), ("200", "Bistro SARL", "FR"), ("300", "Cargo AG", "DE"))
PRODUCTS = (
    ("P-1", "Bolt", "2.50", {"1010/0001": "500", "1710/171A": "20"}),
    ("P-2", "Nut", "0.40", {"1010/0001": "1000"}),
    ("P-3", "Washer", "0.10", {"1710/171A": "3"}),
    ("P-4", "Gear", "42.00", {}),
)


def make_erp(connection: str = "EU01") -> MemoryErp:
    erp = MemoryErp(connection)
    for native, name, country in CUSTOMERS:
        erp.add_customer(native, name, country)
    for sku, name, price, stock in PRODUCTS:
        erp.add_product(sku, name, price, stock)
    return erp


async def seed_orders(erp: MemoryErp, count: int) -> None:
    """Orders spread over every customer and product; the call counter starts afresh."""
    skus = [sku for sku, *_ in PRODUCTS]
    home = {sku: next(iter(stock), None) for sku, _, _, stock in PRODUCTS}
    for index in range(count):
        customer = CUSTOMERS[index % len(CUSTOMERS)][0]
        picked = [skus[(index + offset) % len(skus)] for offset in range(2)]
        lines = tuple(
            OrderLineDraft(sku=sku, quantity=Decimal(1), location=home[sku]) for sku in picked
        )
        draft = SalesOrderDraft(
            customer_native_id=customer, external_reference=f"R{index}", lines=lines
        )
        await erp.create_sales_order(draft)
    erp.calls.clear()


def make_services(erps: Mapping[str, ErpAdapter], paging: PagingLimits | None = None) -> Services:
    connections = Connections(erps)
    quarantine = MemoryQuarantineStore()
    orders = OrderToInvoice(connections, MemoryIdempotencyStore(), quarantine)
    return Services(
        connections=connections,
        catalog=Catalog(connections),
        orders=orders,
        quarantine=QuarantineReview(quarantine, Replayers({PLACE_ORDER: OrderReplayer(orders)})),
        paging=paging or PagingLimits(default_page_size=20, max_page_size=100),
    )


def runner(schema: strawberry.Schema, services: Services) -> Run:
    async def run(query: str, variables: dict[str, Any] | None = None) -> ExecutionResult:
        # A fresh context per call, as the app builds one per HTTP request.
        return await schema.execute(
            query, variable_values=variables, context_value=build_context(services)
        )

    return run


def data(result: ExecutionResult) -> dict[str, Any]:
    """The data of a result that must have no errors."""
    assert result.errors is None, [e.formatted for e in result.errors]
    assert result.data is not None
    return result.data


def only_error(result: ExecutionResult) -> dict[str, Any]:
    """The single GraphQL error of a result, as a client receives it."""
    assert result.errors is not None
    assert len(result.errors) == 1, [e.formatted for e in result.errors]
    formatted: dict[str, Any] = dict(result.errors[0].formatted)
    return formatted
