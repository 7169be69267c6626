"""Order to invoice through GraphQL on Business Central, checked in its embedded sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from experience_api.settings import Settings
from tests.e2e.conftest import Running, started
from tests.e2e.order_flow import FULFIL, INVOICE, order_to_invoice

DOCUMENTS = ("salesOrders", "salesShipments", "salesInvoices")


@pytest.fixture
async def bc(tmp_path: Path) -> AsyncIterator[Running]:
    settings = Settings(
        data_dir=tmp_path, connections=[{"name": "BC01", "kind": "business_central"}]
    )
    async with started(settings) as running:
        yield running


def sandbox(running: Running) -> Any:
    return running.gateway.sandboxes["BC01"].state.sandbox


def counts(running: Running) -> dict[str, int]:
    return {name: len(sandbox(running).store.rows(name)) for name in DOCUMENTS}


async def test_place_twice_fulfil_invoice(bc: Running) -> None:
    body = await bc.gql(
        "{ customers(first: 1) { nodes { id } } "
        "inventory(first: 100) { nodes { sku location quantity { value } } } }"
    )
    customer = body["data"]["customers"]["nodes"][0]["id"]
    level = max(body["data"]["inventory"]["nodes"], key=lambda n: Decimal(n["quantity"]["value"]))
    sku, location = level["sku"], level["location"]
    stock_before = sandbox(bc).stock(sku, location)
    before = counts(bc)
    numbered = sandbox(bc).store.series["order"]
    order_input = {
        "idempotencyKey": "bc-e2e-1",
        "customerId": customer,
        "lines": [{"sku": sku, "quantity": "3", "location": location}],
    }

    order, _ = await order_to_invoice(bc, order_input)
    assert order["id"].startswith("BC01:")

    after = counts(bc)
    # One order was ever numbered; posted in full, BC deleted it and keeps its documents.
    store = sandbox(bc).store
    assert store.series["order"] == numbered + 1
    assert {k: after[k] - before[k] for k in DOCUMENTS} == {
        "salesOrders": 0,
        "salesShipments": 1,
        "salesInvoices": 1,
    }
    assert [s["orderNumber"] for s in store.rows("salesShipments")].count(order["number"]) == 1
    assert [i["orderNumber"] for i in store.rows("salesInvoices")].count(order["number"]) == 1
    assert sandbox(bc).stock(sku, location) == stock_before - 3

    again_f = (await bc.gql(FULFIL, {"id": order["id"]}))["data"]["fulfillOrder"]
    again_i = (await bc.gql(INVOICE, {"id": order["id"]}))["data"]["invoiceOrder"]
    assert (again_f["errors"], again_i["errors"]) == ([], [])
    assert counts(bc) == after
    assert sandbox(bc).stock(sku, location) == stock_before - 3
