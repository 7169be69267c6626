"""Query fields: canonical records as GraphQL types, filters, lookups by id."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import strawberry

from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import (
    Run,
    data,
    make_erp,
    make_services,
    only_error,
    runner,
    seed_orders,
)

CUSTOMER_FIELDS = """
id nativeId source { connection erp } name isOrganization blocked
address { street postalCode city region country } createdAt
"""


async def test_customer_fields(gql: Run) -> None:
    result = await gql(f"{{ customers(first: 1) {{ nodes {{ {CUSTOMER_FIELDS} }} }} }}")
    [customer] = data(result)["customers"]["nodes"]
    assert customer == {
        "id": "EU01:100",
        "nativeId": "100",
        "source": {"connection": "EU01", "erp": "memory"},
        "name": "Acme GmbH",
        "isOrganization": True,
        "blocked": False,
        "address": {
            "street": None,
            "postalCode": None,
            "city": "Berlin",
            "region": None,
            "country": "DE",
        },
        "createdAt": None,
    }


@pytest.mark.parametrize(
    ("customer_filter", "names"),
    [
        ({"country": "DE"}, ["Acme GmbH", "Cargo AG"]),
        ({"nameContains": "bistro"}, ["Bistro SARL"]),
        ({"ids": ["EU01:300", "EU01:100"]}, ["Acme GmbH", "Cargo AG"]),
        ({"ids": []}, []),
    ],
)
async def test_customer_filters(
    gql: Run, customer_filter: dict[str, Any], names: list[str]
) -> None:
    result = await gql(
        "query($f: CustomerFilter) { customers(filter: $f) { nodes { name } } }",
        {"f": customer_filter},
    )
    assert [n["name"] for n in data(result)["customers"]["nodes"]] == names


async def test_product_fields_and_filters(gql: Run) -> None:
    result = await gql(
        """{ products(filter: {skus: ["P-1", "P-3"]}) { nodes {
            id sku name baseUnit productType productGroup grossWeight { value unit }
            listPrice { amount currency } } } }"""
    )
    nodes = data(result)["products"]["nodes"]
    assert [n["sku"] for n in nodes] == ["P-1", "P-3"]
    assert nodes[0] == {
        "id": "EU01:P-1",
        "sku": "P-1",
        "name": "Bolt",
        "baseUnit": "PC",
        "productType": None,
        "productGroup": None,
        "grossWeight": None,
        "listPrice": {"amount": "2.50", "currency": "EUR"},
    }
    by_name = await gql('{ products(filter: {nameContains: "NU"}) { nodes { sku } } }')
    assert data(by_name)["products"]["nodes"] == [{"sku": "P-2"}]


async def test_inventory_filters(gql: Run) -> None:
    by_sku = await gql(
        '{ inventory(filter: {sku: "P-1"}) { nodes { sku location quantity { value unit } '
        "stockType } } }"
    )
    assert data(by_sku)["inventory"]["nodes"] == [
        {
            "sku": "P-1",
            "location": "1010/0001",
            "quantity": {"value": "500", "unit": "PC"},
            "stockType": "unrestricted",
        },
        {
            "sku": "P-1",
            "location": "1710/171A",
            "quantity": {"value": "20", "unit": "PC"},
            "stockType": "unrestricted",
        },
    ]
    by_location = await gql('{ inventory(filter: {location: "1710/171A"}) { nodes { sku } } }')
    assert data(by_location)["inventory"]["nodes"] == [{"sku": "P-1"}, {"sku": "P-3"}]


async def test_stock_of_a_product_and_product_of_a_level(gql: Run) -> None:
    result = await gql(
        """{ products { nodes { sku stock { location quantity { value } } } }
             inventory(filter: {sku: "P-3"}) { nodes { product { name } } } }"""
    )
    body = data(result)
    stock = {n["sku"]: n["stock"] for n in body["products"]["nodes"]}
    assert stock["P-1"] == [
        {"location": "1010/0001", "quantity": {"value": "500"}},
        {"location": "1710/171A", "quantity": {"value": "20"}},
    ]
    assert stock["P-4"] == []
    assert body["inventory"]["nodes"] == [{"product": {"name": "Washer"}}]


ORDER_FIELDS = """
id nativeId source { connection } number externalReference orderDate netAmount { amount currency }
status deliveryStatus billingStatus customerId customer { name }
lines { lineNumber sku description quantity { value unit } netAmount { amount } location
        product { name } }
"""


async def test_sales_order_fields(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 1)
    result = await gql(f'{{ salesOrder(id: "EU01:1") {{ {ORDER_FIELDS} }} }}')
    assert data(result)["salesOrder"] == {
        "id": "EU01:1",
        "nativeId": "1",
        "source": {"connection": "EU01"},
        "number": "1",
        "externalReference": "R0",
        "orderDate": dt.date.today().isoformat(),
        "netAmount": {"amount": "2.90", "currency": "EUR"},
        "status": "ORDERED",
        "deliveryStatus": "OPEN",
        "billingStatus": "NOT_RELEVANT",
        "customerId": "EU01:100",
        "customer": {"name": "Acme GmbH"},
        "lines": [
            {
                "lineNumber": "10",
                "sku": "P-1",
                "description": "Bolt",
                "quantity": {"value": "1", "unit": "PC"},
                "netAmount": {"amount": "2.50"},
                "location": "1010/0001",
                "product": {"name": "Bolt"},
            },
            {
                "lineNumber": "20",
                "sku": "P-2",
                "description": "Nut",
                "quantity": {"value": "1", "unit": "PC"},
                "netAmount": {"amount": "0.40"},
                "location": "1010/0001",
                "product": {"name": "Nut"},
            },
        ],
    }


async def test_sales_order_not_found_is_null(gql: Run) -> None:
    assert data(await gql('{ salesOrder(id: "EU01:404") { id } }')) == {"salesOrder": None}
    assert data(await gql('{ orderStatus(orderId: "EU01:404") { status } }')) == {
        "orderStatus": None
    }


@pytest.mark.parametrize(
    ("order_id", "message"),
    [("no-colon", "malformed id"), ("XX01:1", "names no configured connection")],
)
async def test_sales_order_bad_id_is_a_client_error(gql: Run, order_id: str, message: str) -> None:
    error = only_error(
        await gql("query($id: ID!) { salesOrder(id: $id) { id } }", {"id": order_id})
    )
    assert message in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "id"}


@pytest.mark.parametrize(
    ("order_filter", "count"),
    [
        ({}, 9),
        ({"customerId": "EU01:200"}, 3),
        ({"status": "ORDERED"}, 9),
        ({"status": "SHIPPED"}, 0),
        ({"dateFrom": dt.date.today().isoformat()}, 9),
        ({"dateTo": (dt.date.today() - dt.timedelta(days=1)).isoformat()}, 0),
    ],
)
async def test_sales_order_filters(
    gql: Run, erp: MemoryErp, order_filter: dict[str, Any], count: int
) -> None:
    await seed_orders(erp, 9)
    result = await gql(
        "query($f: SalesOrderFilter) { salesOrders(filter: $f) { totalCount nodes { id } } }",
        {"f": order_filter},
    )
    assert data(result)["salesOrders"]["totalCount"] == count


async def test_date_range_backwards_is_refused(gql: Run) -> None:
    error = only_error(
        await gql(
            '{ salesOrders(filter: {dateFrom: "2025-02-01", dateTo: "2025-01-01"}) { totalCount } }'
        )
    )
    assert error["extensions"]["field"] == "filter.dateTo"


async def test_invoices_filters_and_fields(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 3)
    await erp.create_delivery("2")
    await erp.post_goods_issue("80000001")
    await erp.create_invoice("2")

    result = await gql(
        """query($f: InvoiceFilter) { invoices(filter: $f) { totalCount nodes {
            id number status invoiceDate orderIds customer { name }
            netAmount { amount } taxAmount { amount } grossAmount { amount }
            lines { sku quantity { value } netAmount { amount } orderId } } } }""",
        {"f": {"orderId": "EU01:2", "customerId": "EU01:200"}},
    )
    page = data(result)["invoices"]
    assert page["totalCount"] == 1
    [invoice] = page["nodes"]
    assert invoice["status"] == "POSTED"
    assert invoice["customer"] == {"name": "Bistro SARL"}
    assert invoice["orderIds"] == ["EU01:2"]
    assert invoice["grossAmount"] == {"amount": "0.60"}
    assert [line["sku"] for line in invoice["lines"]] == ["P-2", "P-3"]

    other = await gql('{ invoices(filter: {customerId: "EU01:100"}) { totalCount } }')
    assert data(other)["invoices"]["totalCount"] == 0


async def test_unknown_connection_is_a_client_error(gql: Run) -> None:
    error = only_error(await gql('{ customers(connection: "XX01") { totalCount } }'))
    assert error["message"] == "unknown connection 'XX01'"
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "connection"}


async def test_filter_ids_choose_the_connection(schema: strawberry.Schema) -> None:
    eu, us = make_erp("EU01"), make_erp("US01")
    await seed_orders(us, 4)
    gql = runner(schema, make_services({"EU01": eu, "US01": us}))

    by_customer = await gql('{ salesOrders(filter: {customerId: "US01:100"}) { nodes { id } } }')
    assert data(by_customer)["salesOrders"]["nodes"] == [{"id": "US01:4"}, {"id": "US01:1"}]
    assert eu.calls["list_sales_orders"] == 0

    explicit = await gql('{ customers(connection: "US01") { nodes { id } } }')
    assert data(explicit)["customers"]["nodes"][0] == {"id": "US01:100"}

    contradiction = await gql(
        '{ salesOrders(connection: "EU01", filter: {customerId: "US01:100"}) { totalCount } }'
    )
    error = only_error(contradiction)
    assert "belongs to connection 'US01', not 'EU01'" in error["message"]
    assert error["extensions"]["field"] == "filter.customerId"

    mixed = await gql('{ customers(filter: {ids: ["EU01:100", "US01:100"]}) { totalCount } }')
    assert only_error(mixed)["extensions"]["field"] == "filter.ids"
