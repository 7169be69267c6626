"""The change-capture poller against the SAP sandbox (OData over httpx.ASGITransport) and a
real state database: an order placed, shipped, billed and paid in SAP becomes its events,
each once, also after a restart of the poller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.integration.change_capture.order_scenario import order_is_staged_once

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
BASE_URL = "http://sap-sandbox.test"


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[tuple[Any, SapAdapter]]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", username=USER, password=PASSWORD))
    async with app.router.lifespan_context(app):
        client = SapODataClient(
            BASE_URL,
            username=USER,
            password=PASSWORD,
            sap_client="100",
            transport=httpx.ASGITransport(app=app),
        )
        adapter = SapAdapter("EU01", client)
        yield app, adapter
        await adapter.aclose()


async def test_an_order_through_to_payment_is_staged_once(
    state_engine: AsyncEngine, sandbox: tuple[Any, SapAdapter]
) -> None:
    app, adapter = sandbox

    async def mark_paid(document: str) -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE_URL, auth=(USER, PASSWORD)
        ) as client:
            response = await client.post(f"/sandbox/billing/{document}/paid")
            response.raise_for_status()

    await order_is_staged_once(state_engine, "EU01", adapter, mark_paid=mark_paid)
