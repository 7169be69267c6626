"""Stock adjustments over releases with and without ``A_MaterialDocumentItem.DebitCreditCode``.

The sandbox emulates an older release (``SandboxSettings.older_release``) whose material
document service neither declares the code nor accepts it in ``$select``; the adapter reads the
service's ``$metadata`` once per connection and selects the code only where it exists.
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
from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.queries import InventoryFilter, PageRequest
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
BASE_URL = "http://sap-sandbox.test"
ALL = PageRequest(offset=0, limit=1000)
SERVICE = "/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV"


class Sap:
    def __init__(self, app: Any, adapter: SapAdapter, transport: RecordingTransport) -> None:
        self.app, self.adapter, self.transport = app, adapter, transport

    async def get(self, path: str) -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=BASE_URL, auth=(USER, PASSWORD)
        ) as http:
            return await http.get(path)

    def metadata_reads(self) -> int:
        return sum(1 for url in self.transport.urls if "MATERIAL_DOCUMENT_SRV/$metadata" in url)


@pytest.fixture(params=[False, True], ids=["newer-release", "older-release"])
async def sap(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Sap]:
    settings = SandboxSettings(
        data_dir=tmp_path / "sap", username=USER, password=PASSWORD, older_release=request.param
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(
            BASE_URL, username=USER, password=PASSWORD, sap_client="100", transport=transport
        )
        adapter = SapAdapter("S4", client)
        yield Sap(app, adapter, transport)
        await adapter.aclose()


def older(sap: Sap) -> bool:
    return bool(sap.app.state.sandbox.settings.older_release)


async def test_the_release_decides_whether_the_code_exists(sap: Sap) -> None:
    metadata = await sap.get(f"{SERVICE}/$metadata")
    assert metadata.status_code == 200
    assert ('Name="DebitCreditCode"' in metadata.text) is not older(sap)
    selected = await sap.get(
        f"{SERVICE}/A_MaterialDocumentItem?$format=json&$top=1&$select=Material,DebitCreditCode"
    )
    if older(sap):
        assert selected.status_code == 400
        message = selected.json()["error"]["message"]["value"]
        assert "Property 'DebitCreditCode' not found in type" in message
    else:
        assert selected.status_code == 200


async def test_adjustments_and_their_changes_work_on_either_release(sap: Sap) -> None:
    levels = (await sap.adapter.list_inventory(InventoryFilter(), ALL)).items
    level = next(lv for lv in levels if lv.quantity.value >= 5 and "/" in lv.location)
    assert sap.metadata_reads() == 0  # not read before material documents are
    now = dt.datetime.now(dt.UTC)
    await asyncio.sleep(1 - now.microsecond / 1_000_000 + 0.01)
    since = now.replace(microsecond=0) + dt.timedelta(seconds=1)
    received = await sap.adapter.adjust_stock(
        StockAdjustment(
            sku=level.sku, location=level.location, quantity=Decimal(4), reference=_reference()
        )
    )
    issue = StockAdjustment(
        sku=level.sku, location=level.location, quantity=Decimal(-3), reference=_reference()
    )
    issued = await sap.adapter.adjust_stock(issue)
    again = await sap.adapter.adjust_stock(issue)
    assert received.quantity.value == level.quantity.value + 4
    assert issued.quantity.value == again.quantity.value == level.quantity.value + 1
    changed = await sap.adapter.list_inventory(InventoryFilter(changed_since=since), ALL)
    assert [(lv.sku, lv.location, lv.quantity.value) for lv in changed.items] == [
        (level.sku, level.location, level.quantity.value + 1)
    ]
    assert sap.metadata_reads() == 1
    reads = [u for u in sap.transport.urls if "A_MaterialDocumentHeader" in u and "select=" in u]
    assert reads
    assert all(("DebitCreditCode" in url) is not older(sap) for url in reads)


def _reference() -> str:
    return f"wms-{uuid.uuid4()}"
