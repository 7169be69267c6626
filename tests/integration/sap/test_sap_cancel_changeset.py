"""Cancelling a SAP order against the sandbox: every item rejected in one ``$batch`` changeset,
all or nothing; one ``PATCH`` per item on a connection with ``batch = false``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.errors import CancelRefusal, NotCancellable
from system_apis.contracts.models import OrderStatus, SalesOrder
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    PageRequest,
    ProductFilter,
)
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.deliveries import delivery_body
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
BASE_URL = "http://sap-sandbox.test"
ALL = PageRequest(offset=0, limit=1000)
SALES, DELIVERY = "API_SALES_ORDER_SRV", "API_OUTBOUND_DELIVERY_SRV;v=0002"


class RacingTransport(RecordingTransport):
    """Records requests; runs ``before_changeset`` once, just before the first changeset goes."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        super().__init__(inner)
        self.before_changeset: Callable[[], Awaitable[None]] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.before_changeset is not None and is_changeset(request):
            before, self.before_changeset = self.before_changeset, None
            await before()
        return await super().handle_async_request(request)


def is_changeset(request: httpx.Request) -> bool:
    return request.url.path.endswith("/$batch") and b"boundary=changeset_" in request.content


@dataclass
class Sap:
    adapter: SapAdapter
    client: SapODataClient
    transport: RacingTransport
    batch: bool

    def writes_since(self, mark: int) -> list[httpx.Request]:
        return [r for r in self.transport.requests[mark:] if r.method != "GET"]


@pytest.fixture(params=[True, False], ids=["batch", "no-batch"])
async def sap(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Sap]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", username=USER, password=PASSWORD))
    async with app.router.lifespan_context(app):
        transport = RacingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(
            BASE_URL,
            username=USER,
            password=PASSWORD,
            sap_client="100",
            transport=transport,
            batch=request.param,
        )
        adapter = SapAdapter("S4", client)
        try:
            yield Sap(adapter=adapter, client=client, transport=transport, batch=request.param)
        finally:
            await adapter.aclose()


async def two_line_order(adapter: SapAdapter) -> SalesOrder:
    customer = (await adapter.list_customers(CustomerFilter(), ALL)).items[0]
    products = {p.sku: p for p in (await adapter.list_products(ProductFilter(), ALL)).items}
    lines: list[OrderLineDraft] = []
    for level in (await adapter.list_inventory(InventoryFilter(), ALL)).items:
        product = products.get(level.sku)
        if product is None or product.deleted or level.quantity.value < 1:
            continue
        if any(line.sku == product.sku for line in lines):
            continue
        lines.append(
            OrderLineDraft(
                sku=product.sku,
                quantity=Decimal(1),
                unit=product.base_unit,
                location=level.location,
            )
        )
        if len(lines) == 2:
            break
    assert len(lines) == 2, "the sandbox seed holds no two products in stock"
    draft = SalesOrderDraft(customer_native_id=customer.native_id, lines=tuple(lines))
    return await adapter.create_sales_order(draft)


async def items(client: SapODataClient, number: str) -> dict[str, str]:
    """The reason for rejection of each item of sales order ``number``, as SAP holds it."""
    entity = await client.get_entity(SALES, "A_SalesOrder", number, expand=["to_Item"])
    return {
        str(item["SalesOrderItem"]): str(item["SalesDocumentRjcnReason"])
        for item in entity.data["to_Item"]["results"]
    }


async def test_a_cancel_rejects_every_item(sap: Sap) -> None:
    order = await two_line_order(sap.adapter)
    mark = len(sap.transport.requests)

    cancelled = await sap.adapter.cancel_order(order.native_id)

    assert cancelled.status is OrderStatus.CANCELLED
    assert (await sap.adapter.get_sales_order(order.native_id)).status is OrderStatus.CANCELLED
    assert sorted((await items(sap.client, order.native_id)).values()) == ["50", "50"]
    writes = [(r.method, r.url.path.rsplit("/", 1)[-1]) for r in sap.writes_since(mark)]
    if sap.batch:
        assert writes == [("POST", "$batch")], "both items are rejected in one changeset"
    else:
        assert [method for method, _ in writes] == ["PATCH", "PATCH"]


@pytest.mark.parametrize("sap", [True], ids=["batch"], indirect=True)
async def test_a_changeset_sap_refuses_rejects_no_item(sap: Sap) -> None:
    order = await two_line_order(sap.adapter)
    last_item = max((await items(sap.client, order.native_id)), key=int)

    async def deliver_the_last_item() -> None:
        # a delivery made after the adapter checked the order, before its changeset arrives
        body = delivery_body(order.native_id, [last_item])
        await sap.client.create(DELIVERY, "A_OutbDeliveryHeader", body)

    sap.transport.before_changeset = deliver_the_last_item
    mark = len(sap.transport.requests)

    with pytest.raises(NotCancellable) as refused:
        await sap.adapter.cancel_order(order.native_id)

    assert refused.value.refusal is CancelRefusal.IN_DELIVERY
    assert f"Item {last_item}" in refused.value.message
    assert any(is_changeset(r) for r in sap.transport.requests[mark:])
    assert set((await items(sap.client, order.native_id)).values()) == {""}, "none rejected"
    assert (await sap.adapter.get_sales_order(order.native_id)).status is not OrderStatus.CANCELLED
