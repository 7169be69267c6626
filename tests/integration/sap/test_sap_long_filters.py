"""Reads restricted to a thousand keys against the SAP sandbox, which refuses URLs over 8 kB as
the web dispatcher in front of SAP does: every URL stays under the limit, every record comes
back, and the chunks travel in one ``$batch`` (or one request each where it is turned off)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import DEFAULT_MAX_URL_LENGTH, SandboxSettings
from system_apis.contracts.queries import CustomerFilter, PageRequest, ProductFilter
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration
ALL = PageRequest(offset=0, limit=1000)
UNKNOWN = [f"Z{n:07d}" for n in range(1000)]


@dataclass
class Connection:
    adapter: SapAdapter
    transport: RecordingTransport
    batch: bool


@pytest.fixture(params=[True, False], ids=["batch", "no-batch"])
async def sap(request: pytest.FixtureRequest) -> AsyncIterator[Connection]:
    app = create_app(SandboxSettings())
    async with app.router.lifespan_context(app):
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(
            "http://sap.test",
            username="GATEWAY",
            password="sandbox",
            transport=transport,
            batch=request.param,
        )
        adapter = SapAdapter("S4", client)
        yield Connection(adapter, transport, request.param)
        await adapter.aclose()


def longest_url(transport: RecordingTransport) -> int:
    return max(len(request.url.raw_path) for request in transport.requests)


async def test_a_thousand_product_numbers_return_every_product(sap: Connection) -> None:
    everything = await sap.adapter.list_products(ProductFilter(), ALL)
    known = [p.sku for p in everything.items]
    skus = UNKNOWN[:500] + known + UNKNOWN[500:]
    sap.transport.requests.clear()

    page = await sap.adapter.list_products(ProductFilter(skus=skus), ALL)

    assert [p.sku for p in page.items] == known
    assert page.total == len(known)
    assert longest_url(sap.transport) <= DEFAULT_MAX_URL_LENGTH
    batched = sap.adapter._client._batch
    assert len(sap.transport.requests) == (1 if batched else -(-len(skus) // 40))
    second = await sap.adapter.list_products(
        ProductFilter(skus=skus), PageRequest(offset=2, limit=3)
    )
    assert [p.sku for p in second.items] == known[2:5]
    assert second.total == len(known)


async def test_a_thousand_customer_numbers_return_every_customer(sap: Connection) -> None:
    everything = await sap.adapter.list_customers(CustomerFilter(), ALL)
    known = [c.native_id for c in everything.items]
    sap.transport.requests.clear()

    page = await sap.adapter.list_customers(CustomerFilter(native_ids=UNKNOWN + known), ALL)

    assert [c.native_id for c in page.items] == known
    assert longest_url(sap.transport) <= DEFAULT_MAX_URL_LENGTH
    streamed = [
        c.native_id
        async for chunk in sap.adapter.stream_customers(CustomerFilter(native_ids=known + UNKNOWN))
        for c in chunk
    ]
    assert streamed == known
