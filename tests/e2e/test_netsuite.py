"""Order to invoice through GraphQL on NetSuite: the gateway with an embedded NetSuite
connection (NS01, served by the NetSuite sandbox), checked in the sandbox's own tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from erp_sandbox.netsuite import Sandbox
from experience_api.connection_settings import ConnectionSettings
from experience_api.settings import Settings
from tests.e2e.conftest import Running, started
from tests.e2e.order_flow import order_to_invoice

KINDS = ("SalesOrd", "ItemShip", "CustInvc")


@pytest.fixture
async def netsuite(tmp_path: Path) -> AsyncIterator[Running]:
    settings = Settings(
        data_dir=tmp_path, connections=[ConnectionSettings(name="NS01", kind="netsuite")]
    )
    async with started(settings) as running:
        yield running


def sandbox_of(running: Running) -> Sandbox:
    sandbox: Sandbox = running.gateway.sandboxes["NS01"].state.sandbox
    return sandbox


def transactions(sandbox: Sandbox) -> dict[str, int]:
    counts: dict[str, int] = sandbox.stats()["transactions"]
    return {kind: counts[kind] for kind in KINDS}


async def test_place_twice_fulfil_invoice_on_netsuite(netsuite: Running) -> None:
    sandbox = sandbox_of(netsuite)
    body = await netsuite.gql(
        "{ customers(first: 1) { nodes { id source { erp } } } "
        "inventory(first: 100) { nodes { sku location quantity { value } } } }"
    )
    assert "errors" not in body, body
    customer = body["data"]["customers"]["nodes"][0]
    assert customer["source"]["erp"] == "netsuite"
    level = max(body["data"]["inventory"]["nodes"], key=lambda n: Decimal(n["quantity"]["value"]))
    sku, location = level["sku"], level["location"]
    stock_before = sandbox.stock(sku, location)
    before = transactions(sandbox)
    order_input: dict[str, Any] = {
        "idempotencyKey": "ns-e2e-order-1",
        "customerId": customer["id"],
        "lines": [{"sku": sku, "quantity": "3", "location": location}],
    }

    order, _ = await order_to_invoice(netsuite, order_input)
    assert order["id"].startswith("NS01:")
    after = transactions(sandbox)
    assert {kind: after[kind] - before[kind] for kind in KINDS} == dict.fromkeys(KINDS, 1)
    rows = sandbox.store.rows(
        'SELECT status FROM "transaction" WHERE type = ? AND tranid = ?',
        ("SalesOrd", order["number"]),
    )
    assert rows == [{"status": "G"}]  # Billed
    assert sandbox.stock(sku, location) == stock_before - 3
