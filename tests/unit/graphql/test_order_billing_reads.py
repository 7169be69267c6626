"""An order list asks the ERP for the orders' billing state only when the operation shows an
order's status or billing status (directly, under edges, in a fragment) or filters on status."""

from __future__ import annotations

import pytest
import strawberry

from system_apis.contracts.models import SalesOrder
from system_apis.contracts.queries import Page, PageRequest, SalesOrderFilter
from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import CUSTOMERS, PRODUCTS, data, make_services, runner, seed_orders


class RecordingErp(MemoryErp):
    """The in-memory ERP, keeping the filter of every order list read."""

    def __init__(self, connection: str) -> None:
        super().__init__(connection)
        self.filters: list[SalesOrderFilter] = []

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        self.filters.append(filter)
        return await super().list_sales_orders(filter, page)


@pytest.fixture
async def erp() -> RecordingErp:
    erp = RecordingErp("EU01")
    for native, name, country in CUSTOMERS:
        erp.add_customer(native, name, country)
    for sku, name, price, stock in PRODUCTS:
        erp.add_product(sku, name, price, stock)
    await seed_orders(erp, 3)
    return erp


@pytest.mark.parametrize(
    ("selection", "billing_state"),
    [
        ("salesOrders { nodes { number customer { name } lines { sku } } }", False),
        ("salesOrders { totalCount edges { cursor node { deliveryStatus } } }", False),
        ("salesOrders { nodes { number status } }", True),
        ("salesOrders { nodes { billingStatus } }", True),
        ("salesOrders { edges { node { status } } }", True),
        ("salesOrders { nodes { ...State } } } fragment State on SalesOrder { status", True),
        ("salesOrders { nodes { ... on SalesOrder { billingStatus } } }", True),
        ("salesOrders(filter: { status: ORDERED }) { nodes { number } }", True),
        ("salesOrders { nodes { number status @skip(if: true) } }", True),
    ],
)
async def test_billing_state_is_read_when_shown(
    schema: strawberry.Schema, erp: RecordingErp, selection: str, billing_state: bool
) -> None:
    run = runner(schema, make_services({"EU01": erp}))
    data(await run("{ " + selection + " }"))
    assert [f.billing_state for f in erp.filters] == [billing_state]


async def test_the_orders_are_the_same_either_way(
    schema: strawberry.Schema, erp: RecordingErp
) -> None:
    run = runner(schema, make_services({"EU01": erp}))
    fields = "number customer { name } lines { sku quantity { value unit } } netAmount { amount }"
    sparse = data(await run("{ salesOrders { nodes { " + fields + " } } }"))
    full = data(await run("{ salesOrders { nodes { status " + fields + " } } }"))
    assert [f.billing_state for f in erp.filters] == [False, True]
    for node in full["salesOrders"]["nodes"]:
        del node["status"]
    assert sparse == full
