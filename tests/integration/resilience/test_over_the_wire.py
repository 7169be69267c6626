"""The wrapper over the SAP adapter over the SAP sandbox, with faults on the wire.

The sandbox runs in process (httpx.ASGITransport), so these stay fast; they show that the
adapters' error translation and the wrapper's retry rules together never duplicate a write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from erp_sandbox.sap import SandboxSettings, create_app
from system_apis.contracts import errors
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    PageRequest,
    SalesOrderFilter,
)
from system_apis.resilience import ResiliencePolicy, ResilientAdapter
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.fakes.faulty_transport import Fault, FaultyTransport, is_write
from tests.unit.resilience.support import FakeClock

ALL = PageRequest(limit=1000)


@dataclass
class Wire:
    adapter: ResilientAdapter
    transport: FaultyTransport

    async def draft(self, reference: str) -> SalesOrderDraft:
        customer = (await self.adapter.list_customers(CustomerFilter(), ALL)).items[0]
        levels = (await self.adapter.list_inventory(InventoryFilter(), ALL)).items
        level = next(lvl for lvl in levels if lvl.quantity.value >= 1)
        line = OrderLineDraft(sku=level.sku, quantity=Decimal(1), location=level.location)
        return SalesOrderDraft(
            customer_native_id=customer.native_id, external_reference=reference, lines=(line,)
        )

    async def orders_with(self, reference: str) -> int:
        filter = SalesOrderFilter(external_reference=reference)
        return len((await self.adapter.list_sales_orders(filter, ALL)).items)


@pytest.fixture
async def wire(tmp_path: Path) -> AsyncIterator[Wire]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap"))
    async with app.router.lifespan_context(app):
        transport = FaultyTransport(httpx.ASGITransport(app=app), retry_after=2)
        client = SapODataClient(
            "http://sap.test", username="GATEWAY", password="sandbox", transport=transport
        )
        clock = FakeClock()
        adapter = ResilientAdapter(
            SapAdapter("EU01", client), ResiliencePolicy(), clock=clock, sleep=clock.sleep
        )
        yield Wire(adapter, transport)
        await adapter.aclose()


async def test_reads_ride_out_server_errors_and_throttling(wire: Wire) -> None:
    wire.transport.schedule(Fault.SERVER_ERROR, Fault.THROTTLED)
    page = await wire.adapter.list_customers(CustomerFilter(), ALL)
    assert page.items
    assert wire.adapter.counters.retries == 2
    assert wire.adapter.counters.throttled_waits == 1


async def test_a_refused_write_is_retried_and_happens_once(wire: Wire) -> None:
    draft = await wire.draft("WIRE-REFUSED")
    wire.transport.eligible = is_write
    wire.transport.schedule(Fault.REFUSED)
    order = await wire.adapter.create_sales_order(draft)
    assert order.external_reference == "WIRE-REFUSED"
    assert wire.transport.injected[Fault.REFUSED] == 1
    assert await wire.orders_with("WIRE-REFUSED") == 1


@pytest.mark.parametrize("fault", [Fault.RESET, Fault.MALFORMED])
async def test_a_write_whose_answer_is_lost_is_not_repeated(wire: Wire, fault: Fault) -> None:
    draft = await wire.draft("WIRE-LOST")
    wire.transport.eligible = is_write
    wire.transport.schedule(fault)
    with pytest.raises(errors.UnknownOutcome):
        await wire.adapter.create_sales_order(draft)
    # The ERP did create the order; the process layer finds it by its reference.
    assert await wire.orders_with("WIRE-LOST") == 1
