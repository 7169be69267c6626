"""Status filters over many billed orders: the orders billing documents reference become
chunked numbers instead of one ``or`` list (or ``ne`` list) that grows with the system."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sap_payloads import SALES_ORDER, clone

from system_apis.contracts.models import OrderStatus
from system_apis.contracts.queries import PageRequest, SalesOrderFilter
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.unit.sap.test_sap_adapter import ScriptedSap, collection, query

BILLED = [str(5000 + n) for n in range(60)]
"""Orders billing documents reference: more than one chunk of 40."""
DELIVERED = [str(5000 + n) for n in range(50, 75)]
"""Completely delivered orders without order-related billing: 5050-5059 are billed."""


def numbers_in(request: httpx.Request) -> list[str]:
    return re.findall(r"SalesOrder eq '(\d+)'", query(request).get("$filter", ""))


def order(number: str) -> dict[str, Any]:
    day = 1709596800000 + int(number) % 7 * 86_400_000
    return {**clone(SALES_ORDER), "SalesOrder": number, "SalesOrderDate": f"/Date({day})/"}


@pytest.fixture
async def scripted() -> AsyncIterator[tuple[SapAdapter, ScriptedSap]]:
    sap = ScriptedSap()
    sap.on("GET", "A_BillingDocumentItem", collection(*({"SalesDocument": n} for n in BILLED)))

    def orders(request: httpx.Request) -> httpx.Response:
        if query(request).get("$select") == "SalesOrder":  # the delivered orders' numbers
            return collection(*({"SalesOrder": n} for n in DELIVERED))
        return collection(*(order(n) for n in numbers_in(request)))

    sap.on("GET", "A_SalesOrder", orders)
    client = SapODataClient(
        "https://s4.example.com", username="U", password="P", transport=httpx.MockTransport(sap)
    )
    adapter = SapAdapter("s4", client)
    yield adapter, sap
    await adapter.aclose()


def newest_first(numbers: list[str]) -> list[str]:
    return [n for _, n in sorted(((int(n) % 7, n) for n in numbers), reverse=True)]


async def test_invoiced_reads_the_referenced_orders_in_chunks(
    scripted: tuple[SapAdapter, ScriptedSap],
) -> None:
    adapter, sap = scripted
    page = await adapter.list_sales_orders(
        SalesOrderFilter(status=OrderStatus.INVOICED), PageRequest(offset=5, limit=10)
    )
    assert page.total == len(BILLED)
    assert [o.native_id for o in page.items] == newest_first(BILLED)[5:15]
    reads = [r for r in sap.requests if r.url.path.endswith("/A_SalesOrder")]
    assert [len(numbers_in(r)) for r in reads] == [40, 20]
    assert all(
        "(OverallOrdReltdBillgStatus eq 'C') or (OverallTotalDeliveryStatus eq 'C')"
        in query(r)["$filter"]
        for r in reads
    )
    assert max(len(str(r.url)) for r in sap.requests) < 4096


async def test_shipped_reads_the_delivered_orders_no_document_references(
    scripted: tuple[SapAdapter, ScriptedSap],
) -> None:
    adapter, sap = scripted
    page = await adapter.list_sales_orders(
        SalesOrderFilter(status=OrderStatus.SHIPPED), PageRequest(offset=0, limit=100)
    )
    unbilled = [n for n in DELIVERED if n not in BILLED]
    assert sorted(o.native_id for o in page.items) == unbilled
    assert page.total == len(unbilled)
    assert all("SalesOrder ne" not in query(r).get("$filter", "") for r in sap.requests)
