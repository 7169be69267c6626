"""Stock adjustments and change capture of SapAdapter against the SAP sandbox (real wire).

Adjustments become material documents (API_MATERIAL_DOCUMENT_SRV); change capture reads
sales orders and billing documents by LastChangeDateTime and stock levels by the material
documents posted since an instant.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import (
    Conflict,
    InsufficientStock,
    NotFound,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.contracts.models import InventoryLevel, InvoiceStatus
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    SalesOrderFilter,
)
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.material_documents import header_text
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
BASE_URL = "http://sap-sandbox.test"
ALL = PageRequest(offset=0, limit=1000)
DOCUMENTS = "/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader"


class Recorder(RecordingTransport):
    """Passes requests to the sandbox; can lose the answer of the next material document POST."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        super().__init__(inner)
        self.lose_next_post = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if (
            request.method == "POST"
            and self.lose_next_post
            and "MaterialDocument" in str(request.url)
        ):
            self.lose_next_post = False
            await response.aread()
            return httpx.Response(504, text="Gateway Timeout", request=request)
        return response

    def posts(self) -> int:
        return sum(
            1 for r in self.requests if r.method == "POST" and "MaterialDocument" in str(r.url)
        )


class Sap:
    def __init__(self, app: Any, adapter: SapAdapter, transport: Recorder) -> None:
        self.app, self.adapter, self.transport = app, adapter, transport

    async def admin(self, method: str, path: str) -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=BASE_URL, auth=(USER, PASSWORD)
        ) as http:
            return await http.request(method, path)

    async def documents_with_text(self, text: str) -> list[dict[str, Any]]:
        response = await self.admin(
            "GET", f"{DOCUMENTS}?$format=json&$filter=MaterialDocumentHeaderText eq '{text}'"
        )
        assert response.status_code == 200
        results: list[dict[str, Any]] = response.json()["d"]["results"]
        return results


@pytest.fixture
async def sap(tmp_path: Path) -> AsyncIterator[Sap]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", username=USER, password=PASSWORD))
    async with app.router.lifespan_context(app):
        transport = Recorder(httpx.ASGITransport(app=app))
        client = SapODataClient(
            BASE_URL, username=USER, password=PASSWORD, sap_client="100", transport=transport
        )
        adapter = SapAdapter("S4", client)
        yield Sap(app, adapter, transport)
        await adapter.aclose()


async def a_level(adapter: SapAdapter, minimum: Decimal = Decimal(5)) -> InventoryLevel:
    levels = (await adapter.list_inventory(InventoryFilter(), ALL)).items
    return next(
        level for level in levels if level.quantity.value >= minimum and "/" in level.location
    )


async def quantity_at(adapter: SapAdapter, sku: str, location: str) -> Decimal:
    page = await adapter.list_inventory(InventoryFilter(skus=[sku], location=location), ALL)
    return sum((level.quantity.value for level in page.items), Decimal(0))


async def next_second() -> dt.datetime:
    """Waits for the next whole second and answers it: SAP stamps documents to the second."""
    now = dt.datetime.now(dt.UTC)
    await asyncio.sleep(1 - now.microsecond / 1_000_000 + 0.01)
    return now.replace(microsecond=0) + dt.timedelta(seconds=1)


def reference() -> str:
    return f"wms-{uuid.uuid4()}"


def test_adjust_stock_is_a_capability(sap: Sap) -> None:
    # Employees come from a paired SuccessFactors system, which this connection lacks.
    assert sap.adapter.capabilities == frozenset(Capability) - {Capability.READ_EMPLOYEES}


async def test_receipt_and_issue_change_the_stock(sap: Sap) -> None:
    level = await a_level(sap.adapter)
    before = level.quantity.value
    received = await sap.adapter.adjust_stock(
        StockAdjustment(
            sku=level.sku, location=level.location, quantity=Decimal(7), reference=reference()
        )
    )
    assert received.quantity.value == before + 7
    assert received.sku == level.sku
    assert received.location == level.location
    assert received.changed_at is not None
    assert abs(received.changed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    issued = await sap.adapter.adjust_stock(
        StockAdjustment(
            sku=level.sku,
            location=level.location,
            quantity=Decimal(-3),
            reference=reference(),
            reason="damaged on the shelf",
        )
    )
    assert issued.quantity.value == before + 4
    assert await quantity_at(sap.adapter, level.sku, level.location) == before + 4


async def test_a_repeated_reference_posts_once(sap: Sap) -> None:
    level = await a_level(sap.adapter)
    ref = reference()
    adjustment = StockAdjustment(
        sku=level.sku, location=level.location, quantity=Decimal(2), reference=ref
    )
    first = await sap.adapter.adjust_stock(adjustment)
    again = await sap.adapter.adjust_stock(adjustment)
    assert first.quantity.value == again.quantity.value == level.quantity.value + 2
    assert sap.transport.posts() == 1
    documents = await sap.documents_with_text(header_text(ref))
    assert len(documents) == 1


async def test_a_reference_reused_for_another_place_is_a_conflict(sap: Sap) -> None:
    levels = (await sap.adapter.list_inventory(InventoryFilter(), ALL)).items
    first, other = levels[0], next(level for level in levels if level.sku != levels[0].sku)
    ref = reference()
    await sap.adapter.adjust_stock(
        StockAdjustment(sku=first.sku, location=first.location, quantity=Decimal(1), reference=ref)
    )
    with pytest.raises(Conflict):
        await sap.adapter.adjust_stock(
            StockAdjustment(
                sku=other.sku, location=other.location, quantity=Decimal(1), reference=ref
            )
        )
    assert await quantity_at(sap.adapter, other.sku, other.location) == other.quantity.value


async def test_a_lost_answer_is_resolved_by_the_reference(sap: Sap) -> None:
    level = await a_level(sap.adapter)
    ref = reference()
    sap.transport.lose_next_post = True
    adjusted = await sap.adapter.adjust_stock(
        StockAdjustment(sku=level.sku, location=level.location, quantity=Decimal(4), reference=ref)
    )
    assert adjusted.quantity.value == level.quantity.value + 4
    assert adjusted.changed_at is not None
    assert sap.transport.posts() == 1
    assert len(await sap.documents_with_text(header_text(ref))) == 1


async def test_an_issue_beyond_stock_posts_nothing(sap: Sap) -> None:
    level = await a_level(sap.adapter)
    ref = reference()
    with pytest.raises(InsufficientStock) as raised:
        await sap.adapter.adjust_stock(
            StockAdjustment(
                sku=level.sku,
                location=level.location,
                quantity=-(level.quantity.value + 1),
                reference=ref,
            )
        )
    assert raised.value.code == "M7/021"
    assert await quantity_at(sap.adapter, level.sku, level.location) == level.quantity.value
    assert await sap.documents_with_text(header_text(ref)) == []


async def test_unknown_product_location_and_bad_location(sap: Sap) -> None:
    level = await a_level(sap.adapter)
    with pytest.raises(NotFound):
        await sap.adapter.adjust_stock(
            StockAdjustment(
                sku="NO-SUCH-THING",
                location=level.location,
                quantity=Decimal(1),
                reference=reference(),
            )
        )
    with pytest.raises(NotFound):
        await sap.adapter.adjust_stock(
            StockAdjustment(
                sku=level.sku, location="9999/0001", quantity=Decimal(1), reference=reference()
            )
        )
    with pytest.raises(ValidationRejected):
        await sap.adapter.adjust_stock(
            StockAdjustment(
                sku=level.sku, location="1010", quantity=Decimal(1), reference=reference()
            )
        )
    # the product is checked before posting, the location by SAP refusing the posting
    assert sap.transport.posts() == 1


async def test_a_long_reference_travels_hashed(sap: Sap) -> None:
    level = await a_level(sap.adapter)
    ref = "inventory-count/" + "x" * 40
    adjustment = StockAdjustment(
        sku=level.sku, location=level.location, quantity=Decimal(1), reference=ref
    )
    await sap.adapter.adjust_stock(adjustment)
    await sap.adapter.adjust_stock(adjustment)
    documents = await sap.documents_with_text(header_text(ref))
    assert len(documents) == 1
    assert len(documents[0]["MaterialDocumentHeaderText"]) == 25


# -- change capture --------------------------------------------------------------------------


async def test_inventory_changed_since(sap: Sap) -> None:
    levels = (await sap.adapter.list_inventory(InventoryFilter(), ALL)).items
    first = next(level for level in levels if "/" in level.location)
    second = next(level for level in levels if level.sku != first.sku and "/" in level.location)
    since = await next_second()
    assert (await sap.adapter.list_inventory(InventoryFilter(changed_since=since), ALL)).total == 0
    await sap.adapter.adjust_stock(
        StockAdjustment(
            sku=second.sku, location=second.location, quantity=Decimal(1), reference=reference()
        )
    )
    later = await next_second()
    await sap.adapter.adjust_stock(
        StockAdjustment(
            sku=first.sku, location=first.location, quantity=Decimal(2), reference=reference()
        )
    )
    changed = await sap.adapter.list_inventory(InventoryFilter(changed_since=since), ALL)
    assert [(lv.sku, lv.location) for lv in changed.items] == [
        (second.sku, second.location),
        (first.sku, first.location),
    ]
    assert changed.items[0].quantity.value == second.quantity.value + 1
    assert changed.items[1].quantity.value == first.quantity.value + 2
    stamps = [lv.changed_at for lv in changed.items]
    assert all(stamp is not None and stamp >= since for stamp in stamps)
    assert stamps == sorted(stamps)  # type: ignore[type-var]
    only_later = await sap.adapter.list_inventory(InventoryFilter(changed_since=later), ALL)
    assert [lv.sku for lv in only_later.items] == [first.sku]
    # SAP selects the documents: by entry date and, on the instant's day, entry time
    asked = str(sap.transport.requests[-2].url)
    assert "A_MaterialDocumentHeader" in asked
    assert "CreationTime%20ge%20time'PT" in asked
    by_sku = await sap.adapter.list_inventory(
        InventoryFilter(changed_since=since, skus=[second.sku]), ALL
    )
    assert [lv.sku for lv in by_sku.items] == [second.sku]
    paged = await sap.adapter.list_inventory(
        InventoryFilter(changed_since=since), PageRequest(offset=1, limit=1)
    )
    assert paged.total == 2
    assert [lv.sku for lv in paged.items] == [first.sku]


async def test_orders_and_invoices_changed_since_and_payment(sap: Sap) -> None:
    adapter = sap.adapter
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    level = await a_level(adapter, Decimal(3))
    since = await next_second()
    assert (await adapter.list_sales_orders(SalesOrderFilter(changed_since=since), ALL)).total == 0
    assert (await adapter.list_invoices(InvoiceFilter(changed_since=since), ALL)).total == 0

    def draft() -> SalesOrderDraft:
        return SalesOrderDraft(
            customer_native_id=customer.native_id,
            external_reference=f"CC-{uuid.uuid4().hex[:8]}",
            lines=(OrderLineDraft(sku=level.sku, quantity=Decimal(1)),),
        )

    first = await adapter.create_sales_order(draft())
    second = await adapter.create_sales_order(draft())
    changed = await adapter.list_sales_orders(SalesOrderFilter(changed_since=since), ALL)
    assert [o.native_id for o in changed.items] == [first.native_id, second.native_id]

    middle = await next_second()
    delivery = await adapter.create_delivery(first.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    invoice = await adapter.create_invoice(first.native_id)
    assert invoice.status is InvoiceStatus.POSTED
    assert invoice.changed_at is not None
    assert invoice.changed_at >= middle
    changed = await adapter.list_sales_orders(SalesOrderFilter(changed_since=middle), ALL)
    assert [o.native_id for o in changed.items] == [first.native_id]
    assert changed.items[0].changed_at is not None
    assert changed.items[0].changed_at >= middle
    invoices = await adapter.list_invoices(InvoiceFilter(changed_since=since), ALL)
    assert [i.native_id for i in invoices.items] == [invoice.native_id]
    stock = await adapter.list_inventory(InventoryFilter(changed_since=middle), ALL)
    # the goods issue of the delivery is a material document too
    assert [lv.sku for lv in stock.items] == [level.sku]

    paid_since = await next_second()
    response = await sap.admin("POST", f"/sandbox/billing/{invoice.native_id}/paid")
    assert response.status_code == 200
    paid = await adapter.list_invoices(InvoiceFilter(changed_since=paid_since), ALL)
    assert [(i.native_id, i.status) for i in paid.items] == [
        (invoice.native_id, InvoiceStatus.PAID)
    ]
    again = await sap.admin("POST", f"/sandbox/billing/{invoice.native_id}/paid")
    assert again.status_code == 200
    assert (
        await adapter.list_invoices(InvoiceFilter(changed_since=await next_second()), ALL)
    ).total == 0


async def test_mark_paid_needs_credentials_and_a_known_document(sap: Sap) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sap.app), base_url=BASE_URL
    ) as anonymous:
        assert (await anonymous.post("/sandbox/billing/90000000/paid")).status_code == 401
    assert (await sap.admin("POST", "/sandbox/billing/12345/paid")).status_code == 404


async def test_unknown_outcome_without_a_document_stands(sap: Sap) -> None:
    """A lost answer for a POST SAP refused leaves no document: the outcome stays unknown."""
    level = await a_level(sap.adapter)
    sap.transport.lose_next_post = True
    with pytest.raises(UnknownOutcome):
        await sap.adapter.adjust_stock(
            StockAdjustment(
                sku=level.sku,
                location=level.location,
                quantity=-(level.quantity.value + 5),
                reference=reference(),
            )
        )
    assert await quantity_at(sap.adapter, level.sku, level.location) == level.quantity.value
